"""Lexicon measures: sentences and tokens in, rows of the matches (evidence) table out.

A measure is one function ``(docs, sentences, tokens) -> matches`` listed in :data:`MEASURES`.
The bundled ones match a lexicon (framing, hedges, boosters, reporting verbs) with context rules;
adding a term is editing a YAML file, adding a measure is adding one entry to the registry.
"""
from __future__ import annotations

from collections import defaultdict
from functools import partial

import numpy as np
import pandas as pd

from ._native import load
from .errors import ParameterError
from .lexicon import Entry, Lexicon, bundled_lexicon, load_lexicon
from .rules import (FLIPS, NATIVE_CHARACTER_SETS, NATIVE_RULES, NATIVE_WORD_SETS,
                    NEGATION_BREAKS, RULES, Context, is_negator, negated_hits)
from .tokens import _arrow_strings, _strings_by_code

__all__ = ["MATCH_COLUMNS", "MEASURES", "match_lexicon", "match_sentence", "match_measures", "rates_by_document",
           "document_voices", "sentence_voices", "CompiledLexicon"]

MATCH_COLUMNS = ["doc_id", "sent_id", "start", "end", "measure", "category", "term", "matched",
                 "negated", "voice", "lexicon"]
_KNOWN_VOICES = ("official", "commentary", "reporting", "quoted_other")
# The compiled gap classifier, token lists, form matcher, context rules and string columns
# (analysis/_native/tokenmatch.c); None when not built, and then the numpy and Python code below
# runs.
_native_tokenmatch = load("tokenmatch")


class CompiledLexicon:
    """A first-word index over a lexicon's forms, for one pass over a sentence's tokens.

    Every form gets an id (its place in :attr:`forms`); the corpus-wide matcher works on ids.
    """

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        self.forms: list[tuple[tuple[str, ...], Entry]] = []
        self.exact: dict[str, list[int]] = defaultdict(list)
        # Wildcard stems have at least 3 letters (validated), so index them by those.
        self.prefix: dict[str, list[tuple[str, int]]] = defaultdict(list)
        for entry in lexicon.entries:
            for words in entry.forms:
                if words[0].endswith("*"):
                    self.prefix[words[0][:3]].append((words[0][:-1], len(self.forms)))
                else:
                    self.exact[words[0]].append(len(self.forms))
                self.forms.append((words, entry))
        self._form_codes: tuple | None = None
        self._form_arrays: tuple | None = None

    def form_arrays(self) -> tuple:
        """Per form, with one trailing slot (a form index past the end): its number of words,
        whether a rule other than a flip can drop its hits, and its term's code in order of
        first appearance; then the number of distinct terms. Computed once per lexicon."""
        if self._form_arrays is None:
            terms: dict[str, int] = {}
            arrays = (
                np.array([len(words) for words, _ in self.forms] + [0], dtype=np.int64),
                # Flip rules relabel a hit (see form_codes) and never drop it.
                np.array([any(rule not in FLIPS for rule in entry.rules)
                          for _, entry in self.forms] + [False]),
                np.array([terms.setdefault(entry.term, len(terms)) for _, entry in self.forms]
                         + [0], dtype=np.int64))
            for array in arrays:
                array.flags.writeable = False  # shared by every chunk
            self._form_arrays = (*arrays, len(terms))
        return self._form_arrays

    def form_codes(self) -> tuple:
        """Per form: its ``(measure, category)`` label code, the label code when the hit is
        negated (a flip rule's label), its term code; then the labels and terms they number.

        Returns
        -------
        (plain, flipped, term, labels, terms): three int64 arrays with one trailing 0 each (a
        form index past the end reads 0), a list of label pairs and a list of terms.
        """
        if self._form_codes is None:
            labels: dict[tuple, int] = {}
            terms: dict[str, int] = {}
            plain, flipped, term = [], [], []
            for _, entry in self.forms:
                label = (self.lexicon.measure, entry.category)
                plain.append(labels.setdefault(label, len(labels)))
                for rule in entry.rules:
                    if rule in FLIPS:
                        label = FLIPS[rule]
                flipped.append(labels.setdefault(label, len(labels)))
                term.append(terms.setdefault(entry.term, len(terms)))
            arrays = [np.array(codes + [0], dtype=np.int64) for codes in (plain, flipped, term)]
            for array in arrays:
                array.flags.writeable = False  # shared by every chunk
            self._form_codes = (*arrays, list(labels), list(terms))
        plain, flipped, term, labels, terms = self._form_codes
        return plain, flipped, term, list(labels), list(terms)

    def candidate_mask(self, norms: pd.Series) -> np.ndarray:
        """Vectorised :meth:`is_candidate` over a Series of token norms."""
        exact = list(self.exact)
        mask = norms.isin(exact).to_numpy().copy()
        possessive = norms.str.endswith("'s").to_numpy()
        if possessive.any():
            mask[possessive] |= norms[possessive].str[:-2].isin(exact).to_numpy()
        if self.prefix:
            mask |= norms.str[:3].isin(list(self.prefix)).to_numpy()
        return mask

    def is_candidate(self, norm: str) -> bool:
        """Cheap test: can any form start at a token with this norm?"""
        return (norm in self.exact or (norm.endswith("'s") and norm[:-2] in self.exact)
                or norm[:3] in self.prefix)

    def candidate_ids(self, norm: str) -> list[int]:
        """Ids of the forms whose first word matches a token with this norm, in lexicon order
        per lookup (exact word, then the word before a possessive 's, then wildcard stems)."""
        found = list(self.exact.get(norm, ()))
        if norm.endswith("'s"):
            found.extend(self.exact.get(norm[:-2], ()))
        found.extend(form for stem, form in self.prefix.get(norm[:3], ()) if norm.startswith(stem))
        return found

    def candidates(self, norm: str) -> list[tuple[tuple[str, ...], Entry]]:
        """The ``(words, entry)`` forms of :meth:`candidate_ids`."""
        return [self.forms[form] for form in self.candidate_ids(norm)]


def _word_matches(pattern: str, norm: str, last: bool) -> bool:
    if pattern.endswith("*"):
        return norm.startswith(pattern[:-1])
    return norm == pattern or (last and norm.endswith("'s") and norm[:-2] == pattern)


def match_sentence(compiled: CompiledLexicon, text: str, toks: list,
                   positions=None) -> list[tuple]:
    """All hits in one sentence as (i, j, entry, context); the longest hit wins in a lexicon.

    ``positions`` restricts the start tokens to those known to be candidates (a speed-up).
    :func:`match_lexicon` finds the same hits for a whole tokens table at once.
    """
    hits = []
    for i in (range(len(toks)) if positions is None else positions):
        for words, entry in compiled.candidates(toks[i][2]):
            j = i + len(words)
            if j > len(toks):
                continue
            if j > i + 1:  # the first word matched already (that is what made it a candidate)
                if not all(_word_matches(w, toks[i + k][2], k == len(words) - 1)
                           for k, w in enumerate(words[1:], start=1)):
                    continue
                # A multiword form must not jump over punctuation ("root, causes").
                if any(text[toks[k - 1][1]:toks[k][0]].strip() for k in range(i + 1, j)):
                    continue
            ctx = Context(text, toks, i, j)
            if all(RULES[r](ctx) for r in entry.rules):
                hits.append((i, j, entry, ctx))
    if len(hits) > 1:
        hits.sort(key=lambda h: (h[0], -(h[1] - h[0])))
        kept = []
        for hit in hits:
            if any(k[0] <= hit[0] and hit[1] <= k[1] and (k[1] - k[0]) > (hit[1] - hit[0])
                   for k in kept):
                continue
            if any(k[0] == hit[0] and k[1] == hit[1] and k[2].term == hit[2].term for k in kept):
                continue
            kept.append(hit)
        hits = kept
    return hits


def document_voices(docs: pd.DataFrame) -> pd.Series:
    """Whole-document voice from metadata: a ``voice`` column, else ``kind``/``genre`` naming a
    voice (official, commentary, ...), else ``reporting`` (narration)."""
    voice = pd.Series("reporting", index=docs.index, dtype=object)
    for col in ("genre", "kind", "voice"):
        if col in docs.columns:
            values = docs[col].astype(object)
            known = values.isin(_KNOWN_VOICES)
            voice = voice.where(~known, values)
    return pd.Series(voice.to_numpy(), index=docs["doc_id"].to_numpy())


def sentence_voices(sentences: pd.DataFrame, docs: pd.DataFrame,
                    segments: pd.DataFrame | None) -> np.ndarray:
    """The voice of every sentence: from its segment when segments carry voices, else from
    the document's metadata (:func:`document_voices`)."""
    if segments is not None and "voice" in segments.columns:
        key = segments.set_index(["doc_id", "seg_id"])["voice"]
        index = pd.MultiIndex.from_arrays([sentences["doc_id"], sentences["seg_id"]])
        return key.reindex(index).to_numpy()
    return sentences["doc_id"].map(document_voices(docs)).to_numpy()


def match_lexicon(docs: pd.DataFrame, sentences: pd.DataFrame, tokens: pd.DataFrame, *,
                  lexicon: Lexicon | str, segments: pd.DataFrame | None = None) -> pd.DataFrame:
    """Find every hit of one lexicon.

    Parameters
    ----------
    docs, sentences, tokens : the docs, sentences and tokens tables.
    lexicon : a :class:`Lexicon`, a bundled lexicon name or a YAML path.
    segments : optional segments table with ``voice``; default the documents' metadata voice.

    Returns
    -------
    The matches table (:data:`MATCH_COLUMNS`), one row per hit, sorted by document and offset.
    ``negated`` is True when a negator precedes the hit within three tokens of the same clause;
    entries with a flip rule are then relabelled (a negated booster counts as a hedge).
    """
    compiled = _compile(lexicon)
    index = _TokenIndex(docs, sentences, tokens, segments)
    return _hits_frame(index, [_lexicon_rows(index, compiled)], docs)


# Compiled lexicons by the id of their Lexicon, which the entry keeps alive (so the id cannot be
# reused) together with the entries it was built from (a changed lexicon compiles again).
_COMPILED: dict[int, tuple[Lexicon, tuple, CompiledLexicon]] = {}
_COMPILED_MAX = 64


def _compile(lexicon: Lexicon | str) -> CompiledLexicon:
    """A lexicon (object, bundled name or YAML path) loaded and indexed, once per Lexicon object:
    every chunk of a corpus matches the same lexicons."""
    lexicon = lexicon if isinstance(lexicon, Lexicon) else load_lexicon(lexicon)
    found = _COMPILED.get(id(lexicon))
    if found is not None and found[0] is lexicon and found[1] is lexicon.entries:
        return found[2]
    if len(_COMPILED) >= _COMPILED_MAX:
        _COMPILED.clear()
    compiled = CompiledLexicon(lexicon)
    _COMPILED[id(lexicon)] = (lexicon, lexicon.entries, compiled)
    return compiled


# str.strip() removes exactly the characters for which str.isspace() is True, and none lies above
# U+3000; one more slot (U+3001, not a space) stands for every higher code point.
_CHAR_TABLE_SIZE = 0x3002
_NOT_SPACE = np.array([not chr(c).isspace() for c in range(_CHAR_TABLE_SIZE)])
_NEGATION_BREAK = np.isin(np.arange(_CHAR_TABLE_SIZE), [ord(c) for c in NEGATION_BREAKS])
assert max(map(ord, NEGATION_BREAKS)) < _CHAR_TABLE_SIZE - 1


def _ranges(first: np.ndarray, stop: np.ndarray) -> np.ndarray:
    """The integers of the ranges first[k]:stop[k], one range after the other."""
    lengths = np.maximum(stop - first, 0)
    begin = np.cumsum(lengths) - lengths
    return np.repeat(first - begin, lengths) + np.arange(int(lengths.sum()))


class _TokenIndex:
    """A tokens table as flat arrays over its rows, built once and shared by all lexicons.

    Norms are integer codes into :attr:`words` (the last code stands for a missing norm), so
    that candidate lookups and multiword checks are array operations over the whole corpus.
    """

    def __init__(self, docs: pd.DataFrame, sentences: pd.DataFrame, tokens: pd.DataFrame,
                 segments: pd.DataFrame | None) -> None:
        self.texts = dict(zip(docs["doc_id"], docs["text"]))
        self.size = len(tokens)
        codes, self.words = _factorize(tokens["norm"])
        self.code_of = {word: code for code, word in enumerate(self.words)}
        missing = len(self.words)
        self.codes = np.where(codes < 0, missing, codes).astype(np.int64)
        self.width = missing + 1
        # Norms for Context tokens as the tokens table holds them (a missing one is NaN).
        self.norm_values = np.array(self.words + [np.nan], dtype=object)
        self.norm_list = self.norm_values.tolist()
        self.word_series = pd.Series(self.words + [""], dtype=object)
        self.starts = tokens["start"].to_numpy(dtype=np.int64)
        self.ends = tokens["end"].to_numpy(dtype=np.int64)
        doc_codes, doc_names = _factorize(tokens["doc_id"])
        sent_ids = tokens["sent_id"].to_numpy()
        edges = _sentence_edges(doc_codes, sent_ids)
        lengths = np.diff(edges)
        self.sentence_of = np.repeat(np.arange(len(lengths)), lengths)
        self.sentence_first = np.repeat(edges[:-1], lengths)
        self.sentence_stop = np.repeat(edges[1:], lengths)
        self.edges = edges
        first_rows = edges[:-1]
        self.sentence_doc = [doc_names[c] for c in doc_codes[first_rows].tolist()]
        # The same documents as codes into doc_names (a missing document id reads the last).
        self.doc_names = doc_names
        self.sentence_doc_code = doc_codes[first_rows] % max(len(doc_names), 1)
        self.sentence_id = sent_ids[first_rows].astype(np.int64)
        self.sentence_voice = _sentence_voice_of(
            sentences, sentence_voices(sentences, docs, segments), doc_names,
            doc_codes[first_rows], self.sentence_doc, self.sentence_id)
        self.negator_code = np.array([is_negator(w) for w in self.words] + [False])
        self.negator = self.negator_code[self.codes]
        self._gap_flags(doc_codes, doc_names)
        self._tokens: dict[int, list] = {}
        self._prefix_cache: dict[str, np.ndarray] = {}
        self._first_letters: tuple | None = None
        self._rule_flags: np.ndarray | None = None

    def _gap_flags(self, doc_codes: np.ndarray, doc_names: list) -> None:
        """Classify the text between each token and the one before it in its sentence:
        ``punct_before_count`` counts gaps with anything but whitespace (a multiword form must
        not jump them), ``break_before`` marks gaps with a clause break (ends negation)."""
        # A document missing from docs counts as empty here; matching it fails later on its
        # text, as it always did.
        texts = [self.texts.get(name, "") for name in doc_names]
        if _native_tokenmatch is not None:
            # The same walk over the gaps in one pass, without whole-corpus temporaries.
            counts, breaks = _native_tokenmatch.gap_flags(
                texts, *map(_int64s, (doc_codes, self.starts, self.ends, self.sentence_first)),
                NEGATION_BREAKS)
            self.punct_before_count = np.frombuffer(counts, dtype=np.int64)
            self.break_before = np.frombuffer(breaks, dtype=np.bool_)
            return
        base = np.concatenate([[0], np.cumsum([len(t) for t in texts], dtype=np.int64)])
        # UTF-32 gives one array element per character, so str offsets index it directly.
        chars = np.frombuffer("".join(texts).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        offset = base[doc_codes]
        stop = np.clip(self.starts + offset, 0, len(chars))
        inside = np.arange(self.size) > self.sentence_first
        previous_end = np.concatenate([[0], self.ends])[:-1] + offset
        start = np.clip(np.where(inside, previous_end, stop), 0, len(chars))
        # Only the gap characters are classified (a few per token, not the whole text).
        kinds = np.minimum(chars[_ranges(start, stop)], _CHAR_TABLE_SIZE - 1)
        gap_end = np.cumsum(np.maximum(stop - start, 0))
        gap_start = gap_end - np.maximum(stop - start, 0)
        not_space = np.concatenate([[0], np.cumsum(_NOT_SPACE[kinds])])
        breaks = np.concatenate([[0], np.cumsum(_NEGATION_BREAK[kinds])])
        punct = not_space[gap_end] - not_space[gap_start] > 0
        self.punct_before_count = np.concatenate([[0], np.cumsum(punct)])
        self.break_before = breaks[gap_end] - breaks[gap_start] > 0

    def candidate_codes(self, compiled: CompiledLexicon) -> np.ndarray:
        """Codes of the norms at which a form of ``compiled`` can start: where
        :meth:`CompiledLexicon.candidate_mask` holds over :attr:`word_series`.

        The string work (first three letters, words before a possessive 's) is done once per
        index; each lexicon then only looks up its own words.
        """
        if self._first_letters is None:
            words = self.word_series.tolist()
            stem_codes, stems = pd.factorize(pd.Series([w[:3] for w in words], dtype=object))
            possessive = [(c, w[:-2]) for c, w in enumerate(words) if w.endswith("'s")]
            self._first_letters = (stem_codes, stems.tolist(), possessive)
        stem_codes, stems, possessive = self._first_letters
        exact = compiled.exact
        mask = np.zeros(self.width, dtype=bool)
        mask[[self.code_of[w] for w in exact if w in self.code_of]] = True
        # word_series holds "" in the last slot, the code of a missing norm.
        mask[-1] |= "" in exact
        for code, base in possessive:
            mask[code] |= base in exact
        if compiled.prefix:
            mask |= np.array([stem in compiled.prefix for stem in stems], dtype=bool)[stem_codes]
        return np.flatnonzero(mask)

    def codes_starting_with(self, stem: str) -> np.ndarray:
        """Codes of the norms that begin with ``stem``."""
        if stem not in self._prefix_cache:
            self._prefix_cache[stem] = np.flatnonzero(
                self.word_series.str.startswith(stem).to_numpy(dtype=bool))
        return self._prefix_cache[stem]

    def rule_flags(self) -> np.ndarray:
        """Per norm code, bit k set when the norm is in ``NATIVE_WORD_SETS[k]``, and the bit after
        them when it is a negator: the word tables of the compiled rules. The last code (a
        missing norm) stands for "" there, a token outside the sentence."""
        if self._rule_flags is None:
            flags = np.zeros(self.width, dtype=np.int64)
            for bit, words in enumerate(NATIVE_WORD_SETS):
                flags[[self.code_of[w] for w in words if w in self.code_of]] |= 1 << bit
                if "" in words:
                    flags[-1] |= 1 << bit
            flags[self.negator_code] |= 1 << len(NATIVE_WORD_SETS)
            self._rule_flags = flags
        return self._rule_flags

    def sentence_tokens(self, sentences: np.ndarray) -> dict[int, list]:
        """The ``(start, end, norm)`` tokens of some sentences, as :class:`Context` takes them,
        by sentence number (built in one go, kept for the next lexicon)."""
        new = np.asarray([s for s in np.unique(sentences).tolist() if s not in self._tokens],
                         dtype=np.int64)
        if len(new) and _native_tokenmatch is not None:
            first, stop = self.edges[new], self.edges[new + 1]
            lists = _native_tokenmatch.token_lists(_int64s(self.starts), _int64s(self.ends),
                                                   self.codes, self.norm_list, first, stop)
            self._tokens.update(zip(new.tolist(), lists))
        elif len(new):
            first, stop = self.edges[new], self.edges[new + 1]
            rows = _ranges(first, stop)
            toks = list(zip(self.starts[rows].tolist(), self.ends[rows].tolist(),
                            self.norm_values[self.codes[rows]].tolist()))
            begin = 0
            for s, n in zip(new.tolist(), (stop - first).tolist()):
                self._tokens[s] = toks[begin:begin + n]
                begin += n
        return self._tokens


def _sentence_voice_of(sentences: pd.DataFrame, voices: np.ndarray, doc_names: list,
                       doc_codes: np.ndarray, sentence_doc: list,
                       sentence_id: np.ndarray) -> list:
    """The voice of each sentence of a tokens table: that of the row of ``sentences`` with its
    ``(doc_id, sent_id)`` (the last such row), else None.

    Parameters
    ----------
    sentences, voices : the sentences table and the voice of each of its rows.
    doc_names, doc_codes : the tokens table's document names and, per tokens-table sentence, the
        code of its document (-1 for a missing one, which reads the last name).
    sentence_doc, sentence_id : per tokens-table sentence, its document and sentence id.
    """
    sent_ids = sentences["sent_id"].to_numpy()
    fast = (voices.dtype == object and len(doc_names) and sent_ids.dtype.kind in "iu"
            and sentence_id.dtype.kind in "iu"
            and pd.api.types.is_string_dtype(sentences["doc_id"].dtype)
            and all(isinstance(name, str) for name in doc_names))
    if fast and len(sent_ids) and len(sentence_id):
        low = min(int(sent_ids.min()), int(sentence_id.min()))
        span = max(int(sent_ids.max()), int(sentence_id.max())) - low + 1
        fast = span * (len(doc_names) + 1) < 2 ** 62
    if not fast:
        by_key = dict(zip(zip(sentences["doc_id"].tolist(), sent_ids.tolist()), voices))
        return [by_key.get(key) for key in zip(sentence_doc, sentence_id.tolist())]
    if not len(sent_ids) or not len(sentence_id):
        return [None] * len(sentence_id)
    # Integer keys (document code, sent_id) instead of tuples; str documents compare as the
    # dict compared them.
    row_codes, row_names = pd.factorize(sentences["doc_id"])
    code_of = {name: code for code, name in enumerate(doc_names)}
    remap = np.array([code_of.get(name, -1) for name in row_names.tolist()] + [-1],
                     dtype=np.int64)
    row_doc = remap[row_codes]
    known = np.flatnonzero(row_doc >= 0)
    row_keys = row_doc[known] * span + (sent_ids[known].astype(np.int64) - low)
    wanted = np.where(doc_codes < 0, doc_codes + len(doc_names), doc_codes) * span + (
        sentence_id.astype(np.int64) - low)
    order = np.argsort(row_keys, kind="stable")
    sorted_keys = row_keys[order]
    # The last row of equal keys, as a dict built in row order keeps.
    at = np.searchsorted(sorted_keys, wanted, side="right") - 1
    found = at >= 0
    found[found] = sorted_keys[at[found]] == wanted[found]
    out = np.full(len(wanted), None, dtype=object)
    out[found] = voices[known[order[at[found]]]]
    return out.tolist()


def _factorize(column: pd.Series) -> tuple[np.ndarray, list]:
    """``pd.factorize(column)`` as codes and a list of the distinct values.

    An Arrow string column without nulls (what tokens_table makes) is numbered by the compiled
    module straight from its buffers, without Arrow's hash table and its pandas wrapping.
    """
    if _native_tokenmatch is not None and isinstance(column.array, pd.arrays.ArrowStringArray):
        import pyarrow as pa
        chunks = column.array.__arrow_array__()
        if (chunks.num_chunks == 1 and chunks.type == pa.large_string()
                and chunks.null_count == 0):
            chunk = chunks.chunk(0)
            _, offsets, data = chunk.buffers()
            offsets = np.frombuffer(offsets, dtype=np.int64)[
                chunk.offset:chunk.offset + len(chunk) + 1]
            codes, uniques = _native_tokenmatch.factorize_utf8(
                offsets, b"" if data is None else data)
            return np.frombuffer(codes, dtype=np.int64), uniques
    codes, uniques = pd.factorize(column)
    return codes, uniques.tolist()


def _int64s(values: np.ndarray) -> np.ndarray:
    """``values`` as a contiguous int64 array, the buffer the compiled functions read."""
    return np.ascontiguousarray(values, dtype=np.int64)


def _sentence_edges(doc_codes: np.ndarray, sent_ids: np.ndarray) -> np.ndarray:
    """Row ranges of the tokens of each sentence (tokens are stored sentence by sentence):
    sentence k holds rows ``edges[k]:edges[k + 1]``."""
    if not len(sent_ids):
        return np.zeros(1, dtype=np.int64)
    change = np.flatnonzero((np.diff(doc_codes) != 0) | (np.diff(sent_ids) != 0)) + 1
    return np.concatenate([[0], change, [len(sent_ids)]]).astype(np.int64)


def _candidate_pairs(index: _TokenIndex,
                     compiled: CompiledLexicon) -> tuple[np.ndarray, np.ndarray]:
    """Every (token row, form id) where the form's first word matches, ordered by row and, within
    a row, as :meth:`CompiledLexicon.candidate_ids` lists them."""
    count, offset, flat = _candidate_table(index, compiled)
    # A pass over the corpus with one byte per token; the counts only at the rows found.
    rows = np.flatnonzero((count > 0)[index.codes])
    row_codes = index.codes[rows]
    reps = count[row_codes]
    pair_row = np.repeat(rows, reps)
    rank = np.arange(len(pair_row)) - np.repeat(np.cumsum(reps) - reps, reps)
    return pair_row, flat[np.repeat(offset[row_codes], reps) + rank]


def _candidate_table(index: _TokenIndex,
                     compiled: CompiledLexicon) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The forms that can start at each norm code: ``flat[offset[c]:offset[c] + count[c]]``
    are the form ids of :meth:`CompiledLexicon.candidate_ids` of the norm of code c."""
    starting = index.candidate_codes(compiled)
    per_word = [compiled.candidate_ids(index.words[c]) for c in starting.tolist()]
    count = np.zeros(index.width, dtype=np.int64)
    count[starting] = [len(ids) for ids in per_word]
    offset = np.zeros(index.width, dtype=np.int64)
    offset[starting] = np.cumsum(count[starting]) - count[starting]
    flat = np.fromiter((f for ids in per_word for f in ids), dtype=np.int64)
    return count, offset, flat


def _native_form_hits(index: _TokenIndex, compiled: CompiledLexicon,
                      lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The (token row, form id) pairs where a whole form matches (first word, following words,
    no punctuation jumped), from the compiled module: the pairs of :func:`_candidate_pairs`
    that pass the word checks of :func:`_lexicon_hits`, in the same order."""
    count, offset, flat = _candidate_table(index, compiled)
    longest = int(lengths[flat].max(initial=1))
    followers = tuple(_follower_keys(index, compiled, k) for k in range(1, longest))
    rows, forms = _native_tokenmatch.match_forms(
        index.codes, *map(_int64s, (index.sentence_stop, index.punct_before_count, count, offset,
                                    flat, lengths[:-1])),
        tuple(map(_int64s, followers)), index.width)
    return np.frombuffer(rows, dtype=np.int64), np.frombuffer(forms, dtype=np.int64)


def _follower_keys(index: _TokenIndex, compiled: CompiledLexicon, k: int) -> np.ndarray:
    """Sorted ``form * index.width + code`` for every norm that word ``k`` of a form accepts
    (the same test as :func:`_word_matches`)."""
    keys = []
    for form, (words, _) in enumerate(compiled.forms):
        if len(words) <= k:
            continue
        word = words[k]
        if word.endswith("*"):
            codes = index.codes_starting_with(word[:-1]).tolist()
        else:
            spellings = (word, word + "'s") if k == len(words) - 1 else (word,)
            codes = [index.code_of[w] for w in spellings if w in index.code_of]
        keys.extend(form * index.width + c for c in codes)
    return np.unique(np.asarray(keys, dtype=np.int64))


def _sorted_contains(sorted_values: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """np.isin(keys, sorted_values) for sorted ``sorted_values``, by binary search: the keys
    are many (a pass over the corpus's candidates), the values few."""
    if not len(sorted_values):
        return np.zeros(len(keys), dtype=bool)
    at = np.minimum(np.searchsorted(sorted_values, keys), len(sorted_values) - 1)
    return sorted_values[at] == keys


def _lexicon_hits(index: _TokenIndex,
                  compiled: CompiledLexicon) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """All hits of one lexicon over the whole tokens table, as :func:`match_sentence` finds them
    sentence by sentence (same rules, same longest-match filter, same order).

    Returns
    -------
    (first row, stop row, form id) arrays, one element per hit; the hit is rows first:stop.
    """
    lengths, has_rules, term_of_form, n_terms = compiled.form_arrays()
    if _native_tokenmatch is not None:
        row, form = _native_form_hits(index, compiled, lengths)
        length = lengths[form]
        stop = row + length
        ok = np.ones(len(row), dtype=bool)
    else:
        row, form = _candidate_pairs(index, compiled)
        length = lengths[form]
        stop = row + length
        ok = stop <= index.sentence_stop[row]
        for k in range(1, int(length.max(initial=1))):
            check = np.flatnonzero(ok & (length > k))
            keys = form[check] * index.width + index.codes[row[check] + k]
            ok[check] = _sorted_contains(_follower_keys(index, compiled, k), keys)
        check = np.flatnonzero(ok & (length > 1))
        ok[check] = (index.punct_before_count[stop[check]]
                     == index.punct_before_count[row[check] + 1])
    ruled = np.flatnonzero(ok & has_rules[form])
    ok[ruled] = _rules_hold(index, compiled, row[ruled], stop[ruled], form[ruled])
    hits = np.flatnonzero(ok)
    row, stop, form, length = row[hits], stop[hits], form[hits], length[hits]
    # match_sentence's order: by first token, longer hits first, then candidate order.
    order = np.lexsort((np.arange(len(row)), -length, row))
    row, stop, form = row[order], stop[order], form[order]
    # A hit inside a longer one of the same lexicon is dropped. Equal spans are adjacent in this
    # order, and every span before a span's first hit starts earlier or at the same token and is
    # longer, so the span is covered iff one of those reaches its end.
    new_span = np.ones(len(row), dtype=bool)
    new_span[1:] = (row[1:] != row[:-1]) | (stop[1:] != stop[:-1])
    reach = np.full(len(row), -1, dtype=np.int64)
    reach[1:] = np.maximum.accumulate(stop)[:-1]
    span = np.cumsum(new_span) - 1
    covered = reach[new_span][span] >= stop
    # Of hits of one term on one span, the first stays.
    term = term_of_form[form]
    _, first = np.unique(span * (n_terms + 1) + term, return_index=True)
    keep = np.zeros(len(row), dtype=bool)
    keep[first] = True
    keep &= ~covered
    return row[keep], stop[keep], form[keep]


def _rules_hold(index: _TokenIndex, compiled: CompiledLexicon, first: np.ndarray,
                stop: np.ndarray, form: np.ndarray) -> np.ndarray:
    """Whether all context rules of each hit's entry keep it (rows first:stop, form ids).

    The compiled rules (analysis/_native/tokenmatch.c) decide the hits whose rules all have a
    compiled twin; the Python rules decide the rest, and any hit the compiled code leaves to them.
    """
    keep = np.zeros(len(first), dtype=bool)
    if _native_tokenmatch is not None and len(first):
        decided = np.frombuffer(_native_rules(index, compiled, first, stop, form), dtype=np.uint8)
        keep[:] = decided == 1
        rest = np.flatnonzero(decided == 2)
        if not len(rest):
            return keep
        first, stop, form = first[rest], stop[rest], form[rest]
    else:
        rest = slice(None)
    keep[rest] = _python_rules_hold(index, compiled, first, stop, form)
    return keep


def _native_rules(index: _TokenIndex, compiled: CompiledLexicon, first: np.ndarray,
                  stop: np.ndarray, form: np.ndarray) -> bytes:
    """The compiled rules' answer per hit (1 keep, 0 drop, 2 ask the Python rules).

    A form is left to Python (bits -1) when one of its filter rules has no compiled twin or
    :data:`RULES` no longer holds the function that the twin stands for."""
    bit_of = {name: 1 << k for k, name in enumerate(NATIVE_RULES)}
    bits = []
    for _, entry in compiled.forms:
        names = [rule for rule in entry.rules if rule not in FLIPS]
        native = all(name in bit_of and RULES.get(name) is NATIVE_RULES[name] for name in names)
        bits.append(sum(bit_of[name] for name in set(names)) if native else -1)
    rule_bits = np.array(bits + [-1], dtype=np.int64)[form]
    texts = [index.texts.get(name) for name in index.doc_names]
    doc = index.sentence_doc_code[index.sentence_of[first]]
    return _native_tokenmatch.eval_rules(
        texts, index.words, NATIVE_CHARACTER_SETS, len(NATIVE_WORD_SETS) + 1,
        *map(_int64s, (index.rule_flags(), index.codes, index.starts, index.ends, doc, first, stop,
                       index.sentence_first[first], index.sentence_stop[first], rule_bits)))


def _python_rules_hold(index: _TokenIndex, compiled: CompiledLexicon, first: np.ndarray,
                       stop: np.ndarray, form: np.ndarray) -> list[bool]:
    """:func:`_rules_hold` by the Python rules, one :class:`Context` per hit."""
    sentence = index.sentence_of[first]
    tokens = index.sentence_tokens(sentence)
    lo = index.sentence_first[first]
    texts, docs, forms = index.texts, index.sentence_doc, compiled.forms
    # Each form's filter functions, looked up once; None (look up per hit, and fail there, as
    # before) when a rule is no longer registered.
    checks = {}
    for f in np.unique(form).tolist():
        names = [rule for rule in forms[f][1].rules if rule not in FLIPS]
        checks[f] = None if any(r not in RULES for r in names) else [RULES[r] for r in names]
    keep = []
    for s, i, j, f, b in zip(sentence.tolist(), first.tolist(), stop.tolist(), form.tolist(),
                             lo.tolist()):
        ctx = Context(texts[docs[s]], tokens[s], i - b, j - b)
        rules = checks[f]
        if rules is None:
            keep.append(all(RULES[rule](ctx) for rule in forms[f][1].rules if rule not in FLIPS))
            continue
        for rule in rules:
            if not rule(ctx):
                keep.append(False)
                break
        else:
            keep.append(True)
    return keep


def _lexicon_rows(index: _TokenIndex, compiled: CompiledLexicon) -> dict:
    """The hits of one lexicon in match order, as token rows and codes, for :func:`_hits_frame`.

    Returns
    -------
    dict with ``first``, ``stop`` (each hit is token rows first:stop), ``negated``, ``label``
    (codes into ``labels``, the ``(measure, category)`` pairs, flipped for a negated hit with a
    flip rule), ``term`` (codes into ``terms``) and ``lexicon`` (the lexicon's name).
    """
    first, stop, form = _lexicon_hits(index, compiled)
    negated = negated_hits(first, index.sentence_first[first], index.negator, index.break_before)
    plain, flipped, term, labels, terms = compiled.form_codes()
    return {"first": first, "stop": stop, "negated": negated,
            "label": np.where(negated, flipped[form], plain[form]), "labels": labels,
            "term": term[form], "terms": terms, "lexicon": compiled.lexicon.name}


def _hits_frame(index: _TokenIndex, parts: list[dict], docs: pd.DataFrame) -> pd.DataFrame:
    """The matches table (:data:`MATCH_COLUMNS`) of the hits of one or more lexicons on one index
    (:func:`_lexicon_rows` results, in lexicon order): the frame :func:`_matches_frame` makes
    from the same rows.

    The sort runs on integer keys and the string columns are taken from their few distinct
    values by code, instead of sorting and converting a Python string per hit and column.
    """
    if not sum(len(part["first"]) for part in parts):
        return _matches_frame([], docs)
    first = np.concatenate([part["first"] for part in parts])
    stop = np.concatenate([part["stop"] for part in parts])
    labels = [label for part in parts for label in part["labels"]]
    terms = [term for part in parts for term in part["terms"]]
    label = np.concatenate(_shifted([part["label"] for part in parts],
                                    [len(part["labels"]) for part in parts]))
    term = np.concatenate(_shifted([part["term"] for part in parts],
                                   [len(part["terms"]) for part in parts]))
    lexicon = np.repeat(np.arange(len(parts)), [len(part["first"]) for part in parts])
    sentence = index.sentence_of[first]
    doc = index.sentence_doc_code[sentence]
    start, end = index.starts[first], index.ends[stop - 1]
    measures, categories = [m for m, _ in labels], [c for _, c in labels]
    if all(isinstance(v, str) for v in measures + categories + terms):
        # _sorted_matches' order: document order (NaN, a document not in docs, last), start,
        # end, then the strings, which sort by code point as Python sorts them; stable.
        order_of = {d: i for i, d in enumerate(docs["doc_id"])}
        doc_rank = np.array([order_of.get(d, len(order_of)) for d in index.doc_names],
                            dtype=np.int64)
        order = _lexsort_packed([doc_rank[doc] if len(doc_rank) else doc, start, end,
                                 _ranks(measures)[label], _ranks(categories)[label],
                                 _ranks(terms)[term]])
    else:
        order = None
    rows = np.arange(len(first)) if order is None else order
    doc, sentence, start, end = doc[rows], sentence[rows], start[rows], end[rows]
    texts, names = index.texts, index.doc_names
    frame = pd.DataFrame({
        "doc_id": _strings_by_code(names, doc),
        "sent_id": index.sentence_id[sentence],
        "start": start,
        "end": end,
        "measure": _strings_by_code(measures, label[rows]),
        "category": _strings_by_code(categories, label[rows]),
        "term": _strings_by_code(terms, term[rows]),
        "matched": _text_slices(texts, names, doc, start, end),
        "negated": np.concatenate([part["negated"] for part in parts])[rows].astype(bool),
        "voice": [index.sentence_voice[s] for s in sentence.tolist()],
        "lexicon": _strings_by_code([part["lexicon"] for part in parts], lexicon[rows]),
    }, columns=MATCH_COLUMNS)
    # The numbers are int64 already (the index holds them so).
    return frame if order is not None else _sorted_matches(frame, docs)


def _lexsort_packed(keys: list[np.ndarray]) -> np.ndarray:
    """``np.lexsort(keys[::-1])`` (most significant key first; stable), with neighbouring keys
    packed into one int64 wherever their ranges allow: each row's keys as the digits of one
    mixed-radix number order the rows as the keys do, and a sort over fewer keys is cheaper."""
    packed, current, span = [], None, 1
    for key in keys:
        key = key.astype(np.int64, copy=False)
        low, high = (int(key.min()), int(key.max())) if len(key) else (0, 0)
        width = high - low + 1
        if current is not None and span * width < 2 ** 62:
            current = current * width + (key - low)
            span *= width
        else:
            if current is not None:
                packed.append(current)
            # (a key spanning more than 62 bits is sorted as it is: key - low could wrap)
            current, span = (key - low, width) if width < 2 ** 62 else (key, 2 ** 62)
    packed.append(current)
    return np.lexsort(packed[::-1])


def _shifted(codes: list[np.ndarray], sizes: list[int]) -> list[np.ndarray]:
    """Codes into several tables as codes into their concatenation."""
    offsets = np.cumsum([0] + sizes[:-1])
    return [c + int(o) for c, o in zip(codes, offsets)]


def _ranks(values: list[str]) -> np.ndarray:
    """Each value's place in sorted order (equal values, equal places)."""
    place = {v: k for k, v in enumerate(sorted(set(values)))}
    return np.array([place[v] for v in values] + [0], dtype=np.int64)


def _text_slices(texts: dict, names: list, doc: np.ndarray, start: np.ndarray,
                 end: np.ndarray):
    """The matched column: ``texts[names[d]][a:b]`` for each hit, as pandas infers a column of
    them (built from the texts' characters when the compiled module can take every slice)."""
    if _native_tokenmatch is not None and len(doc):
        buffers = _native_tokenmatch.slices_utf8([texts.get(name) for name in names],
                                                 *map(_int64s, (doc, start, end)))
        if buffers is not None:
            dtype = pd.Series(["x"]).dtype
            if isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow":
                return _arrow_strings(buffers, len(doc), dtype)
    return [texts[names[d]][a:b] for d, a, b in zip(doc.tolist(), start.tolist(), end.tolist())]


def _matches_frame(rows: list, docs: pd.DataFrame) -> pd.DataFrame:
    return _sorted_matches(pd.DataFrame(rows, columns=MATCH_COLUMNS), docs)


def _sorted_matches(frame: pd.DataFrame, docs: pd.DataFrame) -> pd.DataFrame:
    frame = frame.astype({"sent_id": np.int64, "start": np.int64, "end": np.int64,
                          "negated": bool})
    order = {d: i for i, d in enumerate(docs["doc_id"])}
    # As Series.map(order) (NaN for a document not in docs), without its per-call overhead.
    frame["_o"] = [order.get(d, np.nan) for d in frame["doc_id"].tolist()]
    frame = frame.sort_values(["_o", "start", "end", "measure", "category", "term"], kind="stable")
    return frame.drop(columns="_o").reset_index(drop=True)


#: The measure registry: name -> function(docs, sentences, tokens, *, segments) -> matches.
MEASURES = {
    "frame": partial(match_lexicon, lexicon="frames"),
    "hedge": partial(match_lexicon, lexicon="hedges"),
    "booster": partial(match_lexicon, lexicon="boosters"),
    "reporting_verb": partial(match_lexicon, lexicon="reporting_verbs"),
}


def match_measures(docs: pd.DataFrame, sentences: pd.DataFrame, tokens: pd.DataFrame, *,
                   measures: list[str] | tuple[str, ...] | None = None,
                   lexicons: dict[str, str] | None = None,
                   segments: pd.DataFrame | None = None) -> pd.DataFrame:
    """Run several measures and return one matches table.

    Parameters
    ----------
    measures : names from :data:`MEASURES`; default all.
    lexicons : optional replacement lexicon per measure, e.g. ``{"frame": "my_frames.yaml"}``.
    segments : optional segments table with ``voice``.
    """
    names = list(MEASURES) if measures is None else list(measures)
    unknown = [n for n in names if n not in MEASURES]
    lexicons = lexicons or {}
    unknown += [n for n in lexicons if n not in MEASURES]
    if unknown:
        raise ParameterError("unknown measure(s)", value=unknown, allowed=sorted(MEASURES))
    index = None
    parts = []
    for name in names:
        lexicon = lexicons.get(name, _bundled_lexicon_of(MEASURES[name]))
        if lexicon is None:
            parts.append(MEASURES[name](docs, sentences, tokens, segments=segments))
            continue
        compiled = _compile(lexicon)
        if index is None:
            index = _TokenIndex(docs, sentences, tokens, segments)
        parts.append(_lexicon_rows(index, compiled))
    if all(isinstance(p, dict) for p in parts):
        # The same rows as a frame per lexicon, concatenated and sorted again: within a lexicon
        # the sort keys are unique, so only the lexicon order breaks ties, as here.
        return _hits_frame(index, parts, docs)
    frames = [_hits_frame(index, [p], docs) if isinstance(p, dict) else p for p in parts]
    frames = [p for p in frames if len(p)]
    if not frames:
        return _matches_frame([], docs)
    return _matches_frame(list(pd.concat(frames, ignore_index=True).itertuples(index=False, name=None)), docs)


def _bundled_lexicon_of(measure) -> str | Lexicon | None:
    """The lexicon of a registry entry that is plain :func:`match_lexicon`, else None (run the
    measure's own function)."""
    if (isinstance(measure, partial) and measure.func is match_lexicon and not measure.args
            and set(measure.keywords) == {"lexicon"}):
        return measure.keywords["lexicon"]
    return None


def rates_by_document(docs: pd.DataFrame, tokens: pd.DataFrame, matches: pd.DataFrame, *,
                      level: str = "category") -> pd.DataFrame:
    """Hits per 1,000 word tokens for every document, zeros included.

    Parameters
    ----------
    level : ``category`` (one row per document x measure x category seen in ``matches`` or in
        the bundled lexicons) or ``measure`` (one row per document x measure).

    Returns
    -------
    DataFrame ``doc_id, measure, [category,] hits, tokens, per_1k``; every document appears
    (documents in = documents out); a document with no tokens has per_1k 0.
    """
    if level not in ("category", "measure"):
        raise ParameterError("unknown level", value=level, allowed="category, measure")
    keys = ["measure", "category"] if level == "category" else ["measure"]
    known = _known_categories()
    if len(matches):
        seen = matches[keys].drop_duplicates()
        known = pd.concat([known[keys].drop_duplicates(), seen]).drop_duplicates()
    else:
        known = known[keys].drop_duplicates()
    grid = docs[["doc_id"]].merge(known, how="cross")
    counts = (matches.groupby(["doc_id", *keys]).size().rename("hits").reset_index()
              if len(matches) else pd.DataFrame(columns=["doc_id", *keys, "hits"]))
    out = grid.merge(counts, on=["doc_id", *keys], how="left")
    out["hits"] = out["hits"].fillna(0).astype(np.int64)
    from .groups import token_counts
    ntok = token_counts(tokens).groupby("doc_id")["n_tokens"].sum()
    out["tokens"] = out["doc_id"].map(ntok).fillna(0).astype(np.int64)
    out["per_1k"] = np.where(out["tokens"] > 0, 1000.0 * out["hits"] / out["tokens"].clip(lower=1),
                             0.0)
    order = {d: i for i, d in enumerate(docs["doc_id"])}
    out["_o"] = out["doc_id"].map(order)
    return out.sort_values(["_o", *keys], kind="stable").drop(columns="_o").reset_index(drop=True)


def _known_categories() -> pd.DataFrame:
    rows = []
    for name in ("frames", "hedges", "boosters", "reporting_verbs"):
        lex = bundled_lexicon(name)
        rows += [(lex.measure, c) for c in lex.categories]
    rows += [(m, c) for m, c in FLIPS.values()]
    return pd.DataFrame(rows, columns=["measure", "category"]).drop_duplicates()
