"""Sentences and word tokens with character offsets into the untouched document text.

Sentence splitting runs in two passes, both offline:

1. Layout: blank lines end paragraphs. Inside a paragraph a single newline is a hard boundary
   (headlines, one-line paragraphs, reader comments, bullet lines, speaker turns) unless the paragraph
   is hard-wrapped (press releases broken at ~70 characters), where it is a space.
2. Inside each layout unit, nupunkt's pre-trained Punkt model (ships inside the PyPI wheel) finds
   sentence ends; it knows "U.S.", "Mr.", "Dec. 19", "No. 10", initials and quote-final periods.

A sentence never crosses a segment boundary: when segments (voices) are given, each segment is
split on its own, so that every sentence belongs to exactly one speaker.

Both passes and the repairs run in C when analysis/_native/sentsplit.c is built; the Python
functions below are its reference twin (tests/test_native_sentsplit.py asserts they agree).

References
----------
Kiss, T., & Strunk, J. (2006). Unsupervised multilingual sentence boundary detection.
Computational Linguistics, 32(4), 485-525.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from contextlib import contextmanager
from contextvars import ContextVar
from itertools import accumulate, chain

import numpy as np
import pandas as pd

from ._native import load
from .punkt_fast import native_deciders, sent_spans

# The compiled twin of split_sentences and _unit_sentences (None when not built: the Python
# below runs).
_native_sentsplit = load("sentsplit")

__all__ = ["split_sentences", "tokenize", "sentences_table", "tokens_table", "TOKEN_PATTERN",
           "normalise_token", "sentence_memo"]

#: A word token: letters/digits joined by internal apostrophes, hyphens or dots ("U.S", "don't",
#: "prisoners-of-war", "3.5"). Punctuation is not a token, so rates are per 1,000 words.
TOKEN_PATTERN = r"\w+(?:['\u2019.\-]\w+)*"
# Splitting with the token as a capturing group yields gap, token, gap, ..., gap: the lengths alone
# give every offset, so no match object is built per token.
_TOKEN_SPLIT = re.compile("(" + TOKEN_PATTERN + ")")
_PARAGRAPH_RE = re.compile(r"\n[ \t]*\n")
# A line that starts a new unit even inside a wrapped paragraph: bullets, transcript speaker
# labels ("MS. LEAVITT:", "Q ", "Question:"), press-release end marks.
_HARD_LINE_START = re.compile(
    r"\s*(?:[-*\u2022\u2013]\s|\d{1,2}[.)]\s|\\?#{3}|Q(?:\s{2,}|\t|:)|"
    r"(?:MR|MS|MRS|DR|SEN|REP|GEN|GOV|SECRETARY|PRESIDENT|AMBASSADOR|ADMIRAL)\.?\s+[A-Z][A-Z'\-]+:|"
    r"[A-Z][A-Z'\-]+(?:\s[A-Z][A-Z'\-]+)*:\s|Question:)")
_WRAP_MIN, _WRAP_MAX = 40, 100
_TERMINAL_END = re.compile(r"[.!?:;\"\u201d\u2019)\]*]\s*$")
# Punkt's abbreviation list makes these end-of-sentence cases hard for it; repaired afterwards.
_STAGE_WORDS = r"(?:Laughter|Laughs|Applause|Inaudible|Crosstalk|Cross-talk|Pause|Off-mic)"
_STAGE = r"\(" + _STAGE_WORDS + r"[^)]{0,20}\)"
_EXTRA_SPLITS = re.compile(
    r"(?<=\bNo\.)(?=\s+[A-Z][a-z])"
    r"|(?<=\b[ap]\.m\.)(?=\s+(?!(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|"
    r"EST|EDT|ET|CET|GMT|UTC|Moscow|Eastern|Pacific|Central|Mountain|local|Kyiv|Kiev|Washington)"
    r"\b)[A-Z])"
    r"|(?<=[.!?])(?=\s*" + _STAGE + r")"
    r"|(?<=[.!?][\"\u201d])(?=\s*" + _STAGE + r")")
# Punkt sometimes keeps "the call. Namely, ..." together; a period after a lowercase word of
# four or more letters, before a capital, ends a sentence unless the word is an abbreviation.
_LOWER_WORD_END = re.compile(r"\b([a-z]{3,})\.(?=\s+[\u201c\"]?[A-Z])")
# The periods _LOWER_WORD_END can end at, found fast from the period itself; group 1 shows how far
# the lookahead read, since a sentence scanned on its own only sees what lies inside it.
_LOWER_END_PERIOD = re.compile(r"\.(?<=[a-z]{3}\.)(?=(\s+[\u201c\"]?[A-Z]))")
_LOWERCASE_RUN = re.compile(r"[a-z]+")
_LOWER_ABBREVIATIONS = frozenset({"etc", "approx", "dept", "govt", "corp", "incl", "excl", "cont",
                                  "resp", "vols", "assn", "univ", "esp", "admin", "prof", "sept",
                                  "vol", "fig", "ref", "col", "est", "min", "max", "avg", "var",
                                  "ibid", "orig", "misc", "seq", "viz", "cca", "ter"})
# Titles before a name: Punkt may end a sentence after "Lt." in "Lt. Gen. Serhiy Marchenko".
_TITLE_BEFORE_NAME = re.compile(r"\b(?:Lt|Gen|Col|Maj|Capt|Sgt|Adm|Cmdr|Cpl|Pvt|Rep|Sen|Gov|Amb|"
                                r"Prof|Dr|Mr|Mrs|Ms|Messrs|Rev|Hon|Supt|Insp|St)\.$")
# A line that ends with one of these words cannot end a sentence: the next line continues it.
_OPEN_ENDINGS = frozenset("the a an of to and or in on for with by from at as that this these "
                          "those his her their our its my your whose which who than into onto "
                          "upon over under between about against".split())
_STAGE_BEFORE_SENTENCE = re.compile(_STAGE + r"(?=\s+[A-Z])")
_NO_SPLIT_AFTER = re.compile(r"(?:\b(?:vs|v)\.|\b[A-Z](?:\.[A-Z])+\.)$")
_NAME_CONTINUATIONS = frozenset(
    "General Security Human Secretary Secretary-General Ambassador Embassy Mission Charter Envoy "
    "Senate Congress House Army Navy Treasury President Department Government Forces Troops "
    "Officials Military Special Representative Attorney Supreme Court State Agency Intelligence "
    "Commerce Administration Marines Air Coast Border Customs Trade Chamber Commission Council "
    "Parliament Capitol Constitution Census Postal Olympic Steel Bank Dollar Sanctions".split())
# Every place where Punkt may consider a sentence end (nupunkt's period-context pattern: an end
# character before whitespace or a non-word character), loosened to a superset. A unit without
# one comes back from Punkt as a single span, so Punkt need not run on it.
_PUNKT_CANDIDATE = re.compile(r"[.?!\u2026][\s)\";}\]*:@({\[?!\u201d\u00bb'\u2019]")
# Every cut of _EXTRA_SPLITS and _STAGE_BEFORE_SENTENCE needs one of these characters in the
# sentence cut (a period of "No." / "a.m." just before the cut, or a stage direction's parenthesis);
# sentences without one skip those two scans.
_RARE_REPAIR = re.compile(r"\.(?:(?<=No\.)|(?<=[ap]\.m\.))|\((?=" + _STAGE_WORDS + ")")
# While a sentence_memo() is active: sentences by layout unit text, and by the text of each
# paragraph that has line breaks (a one-line paragraph is a unit).
_MEMO: ContextVar[tuple[dict, dict] | None] = ContextVar("sentence_memo", default=None)


@contextmanager
def sentence_memo():
    """Remember the sentences of each layout unit while the block runs.

    Splitting depends only on a unit's text (and layout on a paragraph's), and the same text is
    split more than once per batch (attribution splits whole documents, sentences_table each voice
    segment), so inside the block an identical unit or paragraph is split once. The memo is
    dropped on exit, which bounds its memory to one batch; a nested block shares the outer memo.

    Yields
    ------
    None
    """
    if _MEMO.get() is not None:
        yield
        return
    token = _MEMO.set(({}, {}))
    try:
        yield
    finally:
        _MEMO.reset(token)


def _is_wrapped(lines: list[str]) -> bool:
    """A paragraph is hard-wrapped when its lines but the last have a typical wrap length."""
    if len(lines) < 2:
        return False
    lengths = [len(line.rstrip()) for line in lines]
    if max(lengths) > _WRAP_MAX:
        return False
    # Most (not all) lines: scrapers leave the odd short line ("To\ndate, two million ...").
    inside = sum(_WRAP_MIN <= n for n in lengths[:-1])
    return inside == len(lengths) - 1 or (len(lengths) > 3 and inside >= 0.75 * (len(lengths) - 1))


def _paragraph_units(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Lines of text[start:end], soft-joined where the paragraph is wrapped or a line continues."""
    if text.find("\n", start, end) < 0:
        return [(start, end)]
    lines, pos = [], start
    for line in text[start:end].split("\n"):
        lines.append((pos, pos + len(line)))
        pos += len(line) + 1
    wrapped = _is_wrapped([text[a:b] for a, b in lines])
    units: list[tuple[int, int]] = []
    for a, b in lines:
        soft = wrapped or (units and _continues(text, units[-1], a, b))
        if soft and units and not _HARD_LINE_START.match(text, a, b):
            units[-1] = (units[-1][0], b)
        else:
            units.append((a, b))
    return units


def _continues(text: str, previous: tuple[int, int], a: int, b: int) -> bool:
    """A line that starts in lowercase after a line without final punctuation continues it."""
    line = text[a:b].lstrip()
    prev = text[previous[0]:previous[1]]
    if not prev.strip() or _TERMINAL_END.search(prev) or not line:
        return False
    last = prev.rstrip().rsplit(None, 1)[-1].lower()
    return line[:1].islower() or last in _OPEN_ENDINGS


def _joins(unit: str, prev: str, s: int, e: int) -> bool:
    """Whether Punkt's sentence ``unit[s:e]`` continues the one before it (``prev``, right-stripped)
    after "vs.", "U.N. General ..." or a title such as "Lt.".

    Both patterns end in a period, and each regex runs only once a cheap look at the last
    characters shows it can match (they are the per-sentence hot spot otherwise).
    """
    if not prev.endswith("."):
        return False
    nxt = None
    if prev.endswith(("vs.", "v.")) or "A" <= prev[-2:-1] <= "Z":
        if _NO_SPLIT_AFTER.search(prev):
            nxt = unit[s:e].split(None, 1)[:1]
            if prev.endswith(("vs.", "v.")) or (nxt and nxt[0] in _NAME_CONTINUATIONS):
                return True
    # The longest title is seven characters with its period; one more keeps the \b context.
    if _TITLE_BEFORE_NAME.search(prev[-8:]):
        nxt = unit[s:e].split(None, 1)[:1] if nxt is None else nxt
        return bool(nxt and nxt[0][:1].isupper())
    return False


def _lowercase_word_ends(unit: str, merged: list[tuple[int, int]],
                         starts: list[int]) -> dict[int, set[int]]:
    """Cuts of _LOWER_WORD_END by sentence index, as scanning each sentence on its own finds them.

    A match is a whole lowercase word (its start is the start of the run of [a-z] before the
    period) and matches cannot overlap, so a sentence alone finds exactly the whole-unit matches
    that start and finish reading inside it.
    """
    cuts: dict[int, set[int]] = {}
    reversed_unit = None
    for candidate in _LOWER_END_PERIOD.finditer(unit):
        period = candidate.start()
        k = bisect_right(starts, period) - 1
        if candidate.end(1) > merged[k][1]:  # Punkt's own sentence end: the common case
            continue
        if reversed_unit is None:
            reversed_unit = unit[::-1]
        back = len(unit) - period  # reversed_unit[back] is the character before the period
        word_start = period - (_LOWERCASE_RUN.match(reversed_unit, back).end() - back)
        match = _LOWER_WORD_END.match(unit, word_start)
        if match and word_start >= merged[k][0] and \
                match.group(1) not in _LOWER_ABBREVIATIONS:
            cuts.setdefault(k, set()).add(match.end())
    return cuts


def _repair(unit: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Merge Punkt splits after "vs." and "U.N. General ..."; split "No. No.", "5 p.m. The",
    and stage directions such as "(Laughter.)" off their neighbours.

    The result is that of scanning each merged sentence on its own; the scans run once per unit,
    and per sentence only where a cut is possible.

    Parameters
    ----------
    unit : the layout unit's text.
    spans : Punkt's contiguous (start, end) spans covering ``unit``.

    Returns
    -------
    list of (start, end) spans of ``unit``, untrimmed.
    """
    merged: list[tuple[int, int]] = []
    for s, e in spans:
        if merged and _joins(unit, unit[merged[-1][0]:merged[-1][1]].rstrip(), s, e):
            merged[-1] = (merged[-1][0], e)
        else:
            merged.append((s, e))
    if "." not in unit and "(" not in unit:  # every cut needs a period or a stage direction
        return merged
    starts = [s for s, _ in merged]
    cuts = _lowercase_word_ends(unit, merged, starts)
    if "No." in unit or ".m." in unit or "(" in unit:
        for k in {bisect_right(starts, m.start()) - 1 for m in _RARE_REPAIR.finditer(unit)}:
            s, e = merged[k]
            found = cuts.setdefault(k, set())
            found |= {m.start() for m in _EXTRA_SPLITS.finditer(unit, s, e)}
            found |= {m.end() for m in _STAGE_BEFORE_SENTENCE.finditer(unit, s, e)}
    if not cuts:
        return merged
    out = []
    for k, (s, e) in enumerate(merged):
        inside = sorted(c for c in cuts.get(k, ()) if s < c < e)
        bounds = [s, *inside, e]
        out.extend(zip(bounds, bounds[1:]))
    return out


def _unit_sentences(unit: str) -> tuple[tuple[int, int], ...]:
    """Sentences of one layout unit as trimmed (start, end) offsets into ``unit``."""
    deciders = _native_deciders()
    if deciders is not None:
        return _native_sentsplit.unit_sentences(unit, *deciders)
    if not unit or unit.isspace():
        return ()
    if _PUNKT_CANDIDATE.search(unit) is None:
        spans = [(0, len(unit))]
    else:
        # Newlines left inside a wrapped unit are spaces to Punkt; same length keeps offsets.
        spans = sent_spans(unit.replace("\n", " "))
    out = []
    for s, e in _repair(unit, spans):
        piece = unit[s:e]
        stripped = piece.strip()
        if not stripped:
            continue
        lead = len(piece) - len(piece.lstrip())
        out.append((s + lead, s + lead + len(stripped)))
    return tuple(out)


def _paragraph_sentences(paragraph: str, memo: tuple[dict, dict] | None
                         ) -> tuple[tuple[int, int], ...]:
    """Sentences of one paragraph (a stretch without blank lines) as offsets into it.

    Layout inside a paragraph depends on the paragraph's text alone, so with a memo a paragraph
    seen before skips the layout pass too; a one-line paragraph is its own single unit.
    """
    if memo is None:
        return _paragraph_layout_sentences(paragraph, None)
    units, paragraphs = memo
    table = units if "\n" not in paragraph else paragraphs
    found = table.get(paragraph)
    if found is None:
        found = table[paragraph] = _paragraph_layout_sentences(paragraph, units)
    return found


def _paragraph_layout_sentences(paragraph: str, units: dict | None
                                ) -> tuple[tuple[int, int], ...]:
    """Sentences of one paragraph, unit by unit, through the unit memo ``units`` when given."""
    if "\n" not in paragraph:
        return _unit_sentences(paragraph)
    out = []
    for a, b in _paragraph_units(paragraph, 0, len(paragraph)):
        unit = paragraph[a:b]
        found = None if units is None else units.get(unit)
        if found is None:
            found = _unit_sentences(unit)
            if units is not None:
                units[unit] = found
        out.extend([(a + s, a + e) for s, e in found])
    return tuple(out)


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Split ``text[start:end]`` into sentences.

    Parameters
    ----------
    text : the whole document text (offsets refer to it).
    start, end : the span to split, e.g. one segment; default the whole text.

    Returns
    -------
    list of (start, end) character offsets, trimmed of surrounding whitespace, in order;
    whitespace-only stretches produce no sentence.
    """
    end = len(text) if end is None else end
    return _split(text, start, end, _MEMO.get(), _native_deciders())


def _native_deciders() -> tuple | None:
    """The compiled splitter's deciders (punkt_fast.native_deciders), None when it is not built."""
    return None if _native_sentsplit is None else native_deciders()


def _split(text: str, start: int, end: int, memo: tuple[dict, dict] | None,
           deciders: tuple | None) -> list[tuple[int, int]]:
    """split_sentences with the memo and the compiled splitter's deciders (or None) given, so a
    caller splitting many spans looks them up once."""
    if deciders is not None and 0 <= start <= end <= len(text):
        # The compiled twin of the loop below and of everything it calls (same memo tables).
        units, paragraphs = (None, None) if memo is None else memo
        return _native_sentsplit.split_sentences(text, start, end, units, paragraphs, deciders,
                                                 _HARD_LINE_START.match, _OPEN_ENDINGS)
    spans = []
    para_start = start
    # Blank lines end paragraphs; each paragraph is then cut into layout units on its own.
    for match in [*_PARAGRAPH_RE.finditer(text, start, end), None]:
        para_end = end if match is None else match.start()
        found = _paragraph_sentences(text[para_start:para_end], memo)
        if found:
            spans.extend([(para_start + s, para_start + e) for s, e in found])
        if match is not None:
            para_start = match.end()
    return spans


def _sentence_texts(text: str, spans: list[tuple[int, int]]) -> list[str]:
    """``[text[s:e] for s, e in spans]``, in C when the compiled splitter is built."""
    if _native_sentsplit is None:
        return [text[s:e] for s, e in spans]
    return _native_sentsplit.sentence_texts(text, spans)


# The compiled tokenizer (analysis/_native/tokenmatch.c), twin of _sentence_tokens; None when not
# built, and then the Python code below runs.
_native_tokenmatch = load("tokenmatch")


def normalise_token(token: str) -> str:
    """Lowercase and fold the typographic apostrophe, the form lexicons are written in."""
    return token.lower().replace("\u2019", "'")


def _token_spans(text: str, start: int, end: int, lower: bool = False
                 ) -> list[tuple[int, int, str]]:
    """Word tokens of ``text[start:end]``: what TOKEN_PATTERN finds from ``start`` to ``end``.

    Parameters
    ----------
    text, start, end : the text and the span to tokenise.
    lower : give each token as its normalise_token form instead of as written.

    Returns
    -------
    list of (start, end, token) with offsets into ``text``, in order.
    """
    # Clamped like the regex engine clamps pos/endpos, so slicing sees the same characters.
    start = min(max(start, 0), len(text))
    piece = text[start:min(max(end, start), len(text))]
    folded = None
    if lower:
        folded = piece.lower()
        # Lowercasing the whole piece equals lowercasing each token when every character maps to
        # exactly one (offsets then agree) and no capital sigma is present (the only character
        # whose lowercase depends on its neighbours); word characters, apostrophes, periods and
        # hyphens stay what they are under single-character lowercasing.
        if len(folded) != len(piece) or "\u03a3" in piece:
            folded = None
        elif "\u2019" in folded:
            folded = folded.replace("\u2019", "'")
    parts = _TOKEN_SPLIT.split(piece if folded is None else folded)
    words = parts[1::2]
    if lower and folded is None:
        words = map(normalise_token, words)
    # Running offsets after each part: gap end = token start, token end, next gap end, ...
    offsets = accumulate(map(len, parts), initial=start)
    next(offsets)
    return list(zip(offsets, offsets, words))


def tokenize(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int, str]]:
    """Word tokens of ``text[start:end]`` as (start, end, norm) with offsets into ``text``."""
    end = len(text) if end is None else end
    return _token_spans(text, start, end, lower=True)


def _whole_document_segments(docs: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({"doc_id": docs["doc_id"].to_numpy(), "seg_id": 0, "start": 0,
                         "end": docs["text"].str.len().to_numpy()})


def _runs(values: list) -> list[tuple[int, int]]:
    """(first, stop) row ranges of consecutive equal values."""
    edges = [0, *(i for i in range(1, len(values)) if values[i] != values[i - 1]), len(values)]
    return [(a, b) for a, b in zip(edges, edges[1:]) if a < b]


def sentences_table(docs: pd.DataFrame, segments: pd.DataFrame | None = None) -> pd.DataFrame:
    """Sentences of every document, never crossing a segment boundary.

    Parameters
    ----------
    docs : the docs table (``doc_id``, ``text``).
    segments : optional segments table (``doc_id, seg_id, start, end``); default one segment per
        document with ``seg_id`` 0.

    Returns
    -------
    DataFrame ``doc_id, sent_id, seg_id, start, end, text``; ``sent_id`` counts from 0 per document.
    A document without sentences has no rows here (measures still report it, with zeros).
    """
    if segments is None:
        segments = _whole_document_segments(docs)
    texts = dict(zip(docs["doc_id"], docs["text"]))
    order = {d: i for i, d in enumerate(docs["doc_id"])}
    segs = segments.sort_values(["doc_id", "start"], kind="stable")
    segs = segs[segs["doc_id"].notna()]  # as groupby, which drops missing keys
    doc_ids, seg_ids = segs["doc_id"].tolist(), segs["seg_id"].to_numpy()
    seg_starts, seg_ends = segs["start"].tolist(), segs["end"].tolist()
    memo, deciders = _MEMO.get(), _native_deciders()
    blocks = []
    # Sorted by doc_id, so each document is one run of rows.
    for first, stop in _runs(doc_ids):
        doc_id = doc_ids[first]
        text = texts[doc_id]
        spans, counts = [], []
        for k in range(first, stop):
            found = _split(text, int(seg_starts[k]), int(seg_ends[k]), memo, deciders)
            spans.extend(found)
            counts.append(len(found))
        if spans:
            blocks.append((order[doc_id], doc_id, spans, first, counts))
    blocks.sort(key=lambda block: block[0])
    names = ["doc_id", "sent_id", "seg_id", "start", "end", "text"]
    if not blocks:
        frame = pd.DataFrame([], columns=names)
    else:
        # Columns built whole (numpy offsets, one doc_id entry per document and one seg_id per
        # segment taken per row): converting per-row Python lists is most of the time otherwise.
        sizes = np.array([len(block[2]) for block in blocks], dtype=np.int64)
        total = int(sizes.sum())
        bounds = np.fromiter(chain.from_iterable(chain.from_iterable(
            block[2] for block in blocks)), dtype=np.int64, count=2 * total)
        text_col = []
        for _, doc_id, spans, _, _ in blocks:
            text_col.extend(_sentence_texts(texts[doc_id], spans))
        block_rows = np.repeat(np.arange(len(blocks)), sizes)
        segment_rows = np.repeat(
            np.concatenate([np.arange(first, first + len(counts)) for _, _, _, first, counts
                            in blocks]),
            np.concatenate([counts for *_, counts in blocks]))
        frame = pd.DataFrame({
            "doc_id": pd.Series([block[1] for block in blocks]).array.take(block_rows),
            "sent_id": np.arange(total, dtype=np.int64) - (np.cumsum(sizes) - sizes)[block_rows],
            "seg_id": seg_ids[segment_rows],
            "start": bounds[0::2], "end": bounds[1::2], "text": text_col})
    int_columns = ["sent_id", "seg_id", "start", "end"]
    if all(frame[name].dtype == np.int64 for name in int_columns):
        return frame
    return frame.astype(dict.fromkeys(int_columns, np.int64))


def _document_tokens(text: str, starts: np.ndarray, ends: np.ndarray):
    """Tokens of consecutive sentences of one document from a single scan of the whole text.

    A token found in the whole text is the token a sentence scan finds unless it crosses a
    sentence start or end (say a segment cut inside "end.Next"); then, and when the sentences
    are out of order or overlap, None tells the caller to scan sentence by sentence.

    Returns
    -------
    (rows, starts, ends, words) with ``rows`` the sentence index of each token, or None.
    """
    if len(starts) and ((ends < starts).any() or (starts[1:] < ends[:-1]).any()):
        return None
    parts = _TOKEN_SPLIT.split(text)
    bounds = np.cumsum(np.fromiter(map(len, parts), dtype=np.int64, count=len(parts)))
    tok_starts, tok_ends, words = bounds[0:-1:2], bounds[1::2], parts[1::2]
    edges = np.empty(2 * len(starts), dtype=np.int64)
    edges[0::2], edges[1::2] = starts, ends
    after = np.searchsorted(edges, tok_starts, side="right")
    inside = after < len(edges)
    if (edges[after[inside]] < tok_ends[inside]).any():
        return None
    rows = np.searchsorted(starts, tok_starts, side="right") - 1
    keep = rows >= 0
    keep[keep] = tok_ends[keep] <= ends[rows[keep]]
    if not keep.all():
        index = np.flatnonzero(keep)
        words = np.array(words, dtype=object)[index].tolist()
        rows, tok_starts, tok_ends = rows[index], tok_starts[index], tok_ends[index]
    return rows, tok_starts, tok_ends, words


def _sentence_tokens(text: str, starts: np.ndarray, ends: np.ndarray):
    """Tokens of consecutive sentences of one document, scanning sentence by sentence.

    Returns
    -------
    (rows, starts, ends, words) as from _document_tokens.
    """
    rows, found = [], []
    for k, (a, b) in enumerate(zip(starts.tolist(), ends.tolist())):
        k_found = _token_spans(text, a, b)
        rows.extend([k] * len(k_found))
        found.extend(k_found)
    tok_starts, tok_ends, words = zip(*found) if found else ((), (), ())
    return (np.array(rows, dtype=np.int64), np.array(tok_starts, dtype=np.int64),
            np.array(tok_ends, dtype=np.int64), list(words))


def _strings_by_code(values: list, codes: np.ndarray):
    """The column a list ``[values[c] for c in codes]`` would give, taken from the values'
    column (the same dtype: pandas infers it from the kinds of values present)."""
    if _native_tokenmatch is not None and values and all(isinstance(v, str) for v in values):
        # Arrow's take copies string by string; the compiled gather fills the buffers at once.
        dtype = pd.Series(values[:1]).dtype
        if isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow":
            try:
                buffers = _native_tokenmatch.gather_utf8(
                    values, np.ascontiguousarray(codes, dtype=np.int64))
            except (UnicodeEncodeError, IndexError):
                buffers = None  # a surrogate or a negative code: as the take below has it
            if buffers is not None:
                return _arrow_strings(buffers, len(codes), dtype)
    return pd.Series(values).array.take(codes)


def _arrow_strings(buffers: tuple, size: int, dtype):
    """A pandas string array over Arrow large_string buffers ``(offsets, data)``."""
    import pyarrow as pa
    column = pa.LargeStringArray.from_buffers(size, pa.py_buffer(buffers[0]),
                                              pa.py_buffer(buffers[1]))
    return pd.arrays.ArrowStringArray(pa.chunked_array([column]), dtype=dtype)


def tokens_table(docs: pd.DataFrame, sentences: pd.DataFrame) -> pd.DataFrame:
    """Word tokens of every sentence.

    Returns
    -------
    DataFrame ``doc_id, sent_id, seg_id, tok_id, start, end, text, norm``; ``tok_id`` counts
    from 0 per document.
    """
    texts = dict(zip(docs["doc_id"], docs["text"]))
    # Plain lists: iterating Arrow-backed string columns element by element is slow.
    doc_ids = sentences["doc_id"].tolist()
    sent_starts = sentences["start"].to_numpy(dtype=np.int64)
    sent_ends = sentences["end"].to_numpy(dtype=np.int64)
    run_docs, run_sizes, words = [], [], []
    rows_parts, start_parts, end_parts, tok_parts = [], [], [], []
    # Compiled: the interner collects the token columns of all runs, each token a code into
    # interner.words, the distinct token texts, so strings are built (and lowercased below) once
    # per distinct text instead of once per token.
    interner = None if _native_tokenmatch is None else _native_tokenmatch.Interner()
    if interner is not None:
        sent_starts, sent_ends = np.ascontiguousarray(sent_starts), np.ascontiguousarray(sent_ends)
    for first, stop in _runs(doc_ids):
        text = texts[doc_ids[first]]
        run_starts, run_ends = sent_starts[first:stop], sent_ends[first:stop]
        run_docs.append(doc_ids[first])
        if interner is not None:
            run_sizes.append(interner.scan(text, run_starts, run_ends, first))
            continue
        found = _document_tokens(text, run_starts, run_ends)
        if found is None:
            found = _sentence_tokens(text, run_starts, run_ends)
        rows, starts, ends, run_words = found
        run_sizes.append(len(run_words))
        rows_parts.append(rows + first)
        start_parts.append(starts)
        end_parts.append(ends)
        tok_parts.append(np.arange(len(run_words), dtype=np.int64))
        words.extend(run_words)

    if not sum(run_sizes):
        frame = pd.DataFrame([], columns=["doc_id", "sent_id", "seg_id", "tok_id", "start",
                                          "end", "text"])
    else:
        run_of = np.repeat(np.arange(len(run_docs)), run_sizes)
        if interner is None:
            rows, starts, ends = (np.concatenate(parts) for parts in
                                  (rows_parts, start_parts, end_parts))
            tok_ids = np.concatenate(tok_parts)
            text_col = words
            # Taking from one entry per run is far cheaper than converting a string per token.
            doc_col = pd.Series(run_docs).array.take(run_of)
        else:
            rows, starts, ends, tok_ids, codes = (np.frombuffer(column, dtype=np.int64)
                                                  for column in interner.columns())
            distinct = interner.words
            text_col = _strings_by_code(distinct, codes)
            doc_col = _strings_by_code(run_docs, run_of)
        frame = pd.DataFrame({"doc_id": doc_col,
                              "sent_id": sentences["sent_id"].to_numpy()[rows],
                              "seg_id": sentences["seg_id"].to_numpy()[rows],
                              "tok_id": tok_ids,
                              "start": starts,
                              "end": ends,
                              "text": text_col})
    # One vectorised pass instead of a Python call per token. This is pandas' (Arrow's)
    # lowercasing, kept for identical tables; on rare characters (a Greek final sigma, a dotted
    # capital I) it differs from normalise_token. It maps each string on its own, so with codes
    # the distinct texts are lowercased and taken by code.
    if interner is None or not len(frame):
        frame["norm"] = frame["text"].str.lower().str.replace("\u2019", "'", regex=False)
    else:
        norms = pd.Series(distinct).str.lower().str.replace("\u2019", "'", regex=False)
        frame["norm"] = _strings_by_code(norms.tolist(), codes)
    return frame.astype({"sent_id": np.int64, "seg_id": np.int64, "tok_id": np.int64,
                         "start": np.int64, "end": np.int64})
