"""Sentences and word tokens with character offsets into the untouched document text.

Sentence splitting runs in two passes, both offline:

1. Layout: blank lines end paragraphs. Inside a paragraph a single newline is a hard boundary
   (headlines, one-line paragraphs, reader comments, bullet lines, speaker turns) unless the paragraph
   is hard-wrapped (press releases broken at ~70 characters), where it is a space.
2. Inside each layout unit, nupunkt's pre-trained Punkt model (ships inside the PyPI wheel) finds
   sentence ends; it knows "U.S.", "Mr.", "Dec. 19", "No. 10", initials and quote-final periods.

A sentence never crosses a segment boundary: when segments (voices) are given, each segment is
split on its own, so that every sentence belongs to exactly one speaker.

References
----------
Kiss, T., & Strunk, J. (2006). Unsupervised multilingual sentence boundary detection.
Computational Linguistics, 32(4), 485-525.
"""
from __future__ import annotations

import re
from functools import lru_cache

import numpy as np
import pandas as pd

__all__ = ["split_sentences", "tokenize", "sentences_table", "tokens_table", "TOKEN_PATTERN",
           "normalise_token"]

#: A word token: letters/digits joined by internal apostrophes, hyphens or dots ("U.S", "don't",
#: "prisoners-of-war", "3.5"). Punctuation is not a token, so rates are per 1,000 words.
TOKEN_PATTERN = r"\w+(?:['\u2019.\-]\w+)*"
_TOKEN_RE = re.compile(TOKEN_PATTERN)
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
_STAGE = r"\((?:Laughter|Laughs|Applause|Inaudible|Crosstalk|Cross-talk|Pause|Off-mic)[^)]{0,20}\)"
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


@lru_cache(maxsize=1)
def _punkt():
    import nupunkt
    return nupunkt.sent_spans


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


def _layout_units(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Cut text[start:end] into units that no sentence may cross (paragraphs, hard lines)."""
    units = []
    para_start = start
    for match in _PARAGRAPH_RE.finditer(text, start, end):
        units.extend(_paragraph_units(text, para_start, match.start()))
        para_start = match.end()
    units.extend(_paragraph_units(text, para_start, end))
    return units


def _paragraph_units(text: str, start: int, end: int) -> list[tuple[int, int]]:
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


def _repair(unit: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Merge Punkt splits after "vs." and "U.N. General ..."; split "No. No.", "5 p.m. The",
    and stage directions such as "(Laughter.)" off their neighbours."""
    merged: list[list[int]] = []
    for s, e in spans:
        if merged:
            prev = unit[merged[-1][0]:merged[-1][1]].rstrip()
            nxt = unit[s:e].split(None, 1)[:1]
            if (_NO_SPLIT_AFTER.search(prev) and (
                    prev.endswith(("vs.", "v.")) or (nxt and nxt[0] in _NAME_CONTINUATIONS))) or \
                    (_TITLE_BEFORE_NAME.search(prev) and nxt and nxt[0][:1].isupper()):
                merged[-1][1] = e
                continue
        merged.append([s, e])
    out = []
    for s, e in merged:
        cuts = {m.start() for m in _EXTRA_SPLITS.finditer(unit, s, e)}
        cuts |= {m.end() for m in _STAGE_BEFORE_SENTENCE.finditer(unit, s, e)}
        cuts |= {m.end() for m in _LOWER_WORD_END.finditer(unit, s, e)
                 if m.group(1) not in _LOWER_ABBREVIATIONS}
        cuts = [s, *sorted(c for c in cuts if s < c < e), e]
        out.extend(zip(cuts, cuts[1:]))
    return out


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
    spans = []
    punkt = _punkt()
    for a, b in _layout_units(text, start, end):
        unit = text[a:b]
        if not unit.strip():
            continue
        # Newlines left inside a wrapped unit are spaces to Punkt; same length keeps offsets.
        for s, e in _repair(unit, punkt(unit.replace("\n", " "))):
            piece = unit[s:e]
            stripped = piece.strip()
            if not stripped:
                continue
            lead = len(piece) - len(piece.lstrip())
            spans.append((a + s + lead, a + s + lead + len(stripped)))
    return spans


def normalise_token(token: str) -> str:
    """Lowercase and fold the typographic apostrophe, the form lexicons are written in."""
    return token.lower().replace("\u2019", "'")


def tokenize(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int, str]]:
    """Word tokens of ``text[start:end]`` as (start, end, norm) with offsets into ``text``."""
    end = len(text) if end is None else end
    return [(m.start(), m.end(), normalise_token(m.group()))
            for m in _TOKEN_RE.finditer(text, start, end)]


def _whole_document_segments(docs: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({"doc_id": docs["doc_id"].to_numpy(), "seg_id": 0, "start": 0,
                         "end": docs["text"].str.len().to_numpy()})


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
    rows = []
    for doc_id, group in segments.sort_values(["doc_id", "start"], kind="stable").groupby(
            "doc_id", sort=False):
        text = texts[doc_id]
        sent_id = 0
        for seg_id, a, b in zip(group["seg_id"].tolist(), group["start"].tolist(),
                                group["end"].tolist()):
            for s, e in split_sentences(text, int(a), int(b)):
                rows.append((doc_id, sent_id, seg_id, s, e, text[s:e]))
                sent_id += 1
    order = {d: i for i, d in enumerate(docs["doc_id"])}
    frame = pd.DataFrame(rows, columns=["doc_id", "sent_id", "seg_id", "start", "end", "text"])
    frame = frame.astype({"sent_id": np.int64, "seg_id": np.int64, "start": np.int64,
                          "end": np.int64})
    frame["_o"] = frame["doc_id"].map(order)
    return frame.sort_values(["_o", "sent_id"], kind="stable").drop(columns="_o").reset_index(drop=True)


def tokens_table(docs: pd.DataFrame, sentences: pd.DataFrame) -> pd.DataFrame:
    """Word tokens of every sentence.

    Returns
    -------
    DataFrame ``doc_id, sent_id, seg_id, tok_id, start, end, text, norm``; ``tok_id`` counts
    from 0 per document.
    """
    texts = dict(zip(docs["doc_id"], docs["text"]))
    records: list[tuple] = []
    last_doc, tok_id = None, 0
    # Plain lists: iterating Arrow-backed string columns element by element is slow.
    for doc_id, sent_id, seg_id, a, b in zip(sentences["doc_id"].tolist(),
                                            sentences["sent_id"].tolist(),
                                            sentences["seg_id"].tolist(),
                                            sentences["start"].tolist(), sentences["end"].tolist()):
        if doc_id != last_doc:
            last_doc, tok_id = doc_id, 0
        found = [(m.start(), m.end(), m.group()) for m in _TOKEN_RE.finditer(texts[doc_id], a, b)]
        records.extend((doc_id, sent_id, seg_id, tok_id + k, start, end, word)
                       for k, (start, end, word) in enumerate(found))
        tok_id += len(found)
    frame = pd.DataFrame.from_records(records, columns=["doc_id", "sent_id", "seg_id", "tok_id",
                                                        "start", "end", "text"])
    # One vectorised pass instead of a Python call per token; same result as normalise_token.
    frame["norm"] = frame["text"].str.lower().str.replace("\u2019", "'", regex=False)
    return frame.astype({"sent_id": np.int64, "seg_id": np.int64, "tok_id": np.int64,
                         "start": np.int64, "end": np.int64})
