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

from .errors import ParameterError
from .lexicon import Lexicon, bundled_lexicon, load_lexicon
from .rules import FLIPS, RULES, Context, is_negated

__all__ = ["MATCH_COLUMNS", "MEASURES", "match_lexicon", "match_sentence", "match_measures", "rates_by_document",
           "document_voices", "sentence_voices", "CompiledLexicon"]

MATCH_COLUMNS = ["doc_id", "sent_id", "start", "end", "measure", "category", "term", "matched",
                 "negated", "voice", "lexicon"]
_KNOWN_VOICES = ("official", "commentary", "reporting", "quoted_other")


class CompiledLexicon:
    """A first-word index over a lexicon's forms, for one pass over a sentence's tokens."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        self.exact: dict[str, list] = defaultdict(list)
        # Wildcard stems have at least 3 letters (validated), so index them by those.
        self.prefix: dict[str, list] = defaultdict(list)
        for entry in lexicon.entries:
            for words in entry.forms:
                if words[0].endswith("*"):
                    self.prefix[words[0][:3]].append((words[0][:-1], words, entry))
                else:
                    self.exact[words[0]].append((words, entry))

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

    def candidates(self, norm: str):
        found = list(self.exact.get(norm, ()))
        if norm.endswith("'s"):
            found.extend(self.exact.get(norm[:-2], ()))
        found.extend((words, entry) for stem, words, entry in self.prefix.get(norm[:3], ())
                     if norm.startswith(stem))
        return found


def _word_matches(pattern: str, norm: str, last: bool) -> bool:
    if pattern.endswith("*"):
        return norm.startswith(pattern[:-1])
    return norm == pattern or (last and norm.endswith("'s") and norm[:-2] == pattern)


def match_sentence(compiled: CompiledLexicon, text: str, toks: list,
                   positions=None) -> list[tuple]:
    """All hits in one sentence as (i, j, entry, context); the longest hit wins in a lexicon.

    ``positions`` restricts the start tokens to those known to be candidates (a speed-up).
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
    if not isinstance(lexicon, Lexicon):
        lexicon = load_lexicon(lexicon)
    compiled = CompiledLexicon(lexicon)
    texts = dict(zip(docs["doc_id"], docs["text"]))
    voices = dict(zip(zip(sentences["doc_id"].tolist(), sentences["sent_id"].tolist()),
                      sentence_voices(sentences, docs, segments)))
    rows = []
    starts, ends = tokens["start"].to_numpy(), tokens["end"].to_numpy()
    norms = tokens["norm"].tolist()
    # Only sentences holding a token where some form can start are looked at (most are not).
    where = np.flatnonzero(compiled.candidate_mask(tokens["norm"]))
    doc_ids = np.asarray(tokens["doc_id"].tolist(), dtype=object)
    sent_ids = tokens["sent_id"].to_numpy()
    bounds = _sentence_bounds(doc_ids, sent_ids)
    if len(where):
        edges = np.array([lo for lo, _ in bounds])
        owner = np.searchsorted(edges, where, side="right") - 1
        split = np.flatnonzero(np.diff(owner)) + 1
        groups = zip(np.split(owner, split), np.split(where, split))
    else:
        groups = ()
    for owners, positions in groups:
        lo, hi = bounds[int(owners[0])]
        doc_id, sent_id = doc_ids[lo], int(sent_ids[lo])
        text = texts[doc_id]
        toks = list(zip(starts[lo:hi].tolist(), ends[lo:hi].tolist(), norms[lo:hi]))
        for i, j, entry, ctx in match_sentence(compiled, text, toks, (positions - lo).tolist()):
            negated = is_negated(ctx)
            measure, category = lexicon.measure, entry.category
            for rule in entry.rules:
                if negated and rule in FLIPS:
                    measure, category = FLIPS[rule]
            start, end = toks[i][0], toks[j - 1][1]
            rows.append((doc_id, sent_id, start, end, measure, category, entry.term,
                         text[start:end], negated, voices.get((doc_id, sent_id)), lexicon.name))
    return _matches_frame(rows, docs)


def _sentence_bounds(doc_ids: np.ndarray, sent_ids: np.ndarray) -> list[tuple[int, int]]:
    """Row ranges of the tokens of each sentence (tokens are stored sentence by sentence)."""
    if not len(sent_ids):
        return []
    codes = pd.factorize(doc_ids)[0].astype(np.int64)
    change = np.flatnonzero((np.diff(codes) != 0) | (np.diff(sent_ids) != 0)) + 1
    edges = np.concatenate([[0], change, [len(sent_ids)]]).tolist()
    return list(zip(edges[:-1], edges[1:]))


def _matches_frame(rows: list, docs: pd.DataFrame) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=MATCH_COLUMNS)
    frame = frame.astype({"sent_id": np.int64, "start": np.int64, "end": np.int64,
                          "negated": bool})
    order = {d: i for i, d in enumerate(docs["doc_id"])}
    frame["_o"] = frame["doc_id"].map(order)
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
    parts = []
    for name in names:
        if name in lexicons:
            parts.append(match_lexicon(docs, sentences, tokens, lexicon=lexicons[name],
                                       segments=segments))
        else:
            parts.append(MEASURES[name](docs, sentences, tokens, segments=segments))
    frames = [p for p in parts if len(p)]
    if not frames:
        return _matches_frame([], docs)
    return _matches_frame(list(pd.concat(frames, ignore_index=True).itertuples(index=False, name=None)), docs)


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
