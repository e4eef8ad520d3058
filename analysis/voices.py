"""Who speaks where: segments that cover every character of every document with a voice.

Layers, from the bottom up (a higher layer wins where they overlap):

1. the document's own voice from metadata (``official``, ``commentary``, else ``reporting``,
   the journalist's narration);
2. reader-comment sections (``commentary``) marked by the front-matter key ``comments_marker``,
   and transcript speaker turns ("President of Russia Vladimir Putin: ...", "MS. LEAVITT: ...",
   "Q ...", "Question: ...") with the speaker as source: officials' turns are ``official``,
   journalists' questions and other speakers ``quoted_other``;
3. the content of attribution relations: ``official`` for official sources, ``quoted_other``
   otherwise (indirect reports without an identified source stay in the layer below).
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ._native import load
from .attribution import extract_attributions
from .measures import document_voices
from .sources import SourceBook, bundled_sources

__all__ = ["segment_documents", "find_speaker_turns", "find_comments", "SEGMENT_COLUMNS", "VOICES"]

# Compiled twins of _label_starts and _flatten (analysis/_native/attrscan.c); None runs the
# Python here.
_native_attrscan = load("attrscan")

SEGMENT_COLUMNS = ["doc_id", "seg_id", "start", "end", "voice", "source", "source_type", "kind",
                   "cue"]
VOICES = ("official", "commentary", "reporting", "quoted_other")

_WH_LABEL = (r"(?:(?:MR|MS|MRS|DR|SEN|REP|GEN|ADM)\.\s+[A-Z][A-Z'\-]+(?:\s[A-Z][A-Z'\-]+)?"
             r"|THE (?:PRESIDENT|VICE PRESIDENT|FIRST LADY)|PRESIDENT\s+[A-Z][A-Z'\-]+"
             r"|(?:SECRETARY|AMBASSADOR|ADMIRAL|GENERAL|PRIME MINISTER|CHANCELLOR)\s+[A-Z][A-Z'\-]+"
             r"|[A-Z][A-Z'\-]{2,}(?:\s[A-Z][A-Z'\-]{2,}){1,2})")
_NAME = r"[A-Z][a-z\u00e0-\u017e'\-]+"
_TITLED = (r"(?:President|Prime Minister|Minister|Foreign Minister|Chairman|Chairwoman|Governor|"
           r"Head|Secretary|Spokesperson|Press Secretary|Deputy Prime Minister|Director|Chief)"
           r"(?:\s+of\s+(?:the\s+)?[A-Z][\w\-]+(?:\s+[A-Z][\w\-]+){0,3})?")
_KREMLIN_LABEL = (rf"(?:{_TITLED}\s+)?{_NAME}(?:\s+{_NAME}){{1,3}}|Question|Answer|Remark|Reply|"
                  r"Replica|Voice|Journalist|Q|A")
_LABEL_RE = re.compile(
    rf"(?:^|(?<=\n))[ \t]*(?P<wh>{_WH_LABEL}):[ \t]+"
    rf"|(?:^|(?<=\n))[ \t]*(?P<q>Q)(?:[ \t]{{2,}}|\t|:[ \t]+)"
    rf"|(?:^|(?<=\n)|(?<=[.!?\u2026\u201d)][ \t])|(?<=[.!?\u2026\u201d)]))"
    rf"(?P<name>{_KREMLIN_LABEL}):[ \t]+(?=[A-Z\u201c\"(\u2026.\-])")
_QUESTION_LABELS = frozenset({"q", "question", "journalist", "remark", "voice", "replica"})
# Where a label can begin: every branch of _LABEL_RE starts at the text start, after a newline, or
# after [.!?…”)] and at most one blank, and then (after optional blanks) with a capital letter.
# This regex opens with a character class, which the regex engine scans for fast; _LABEL_RE, which
# opens with lookbehinds, is then tried only where a label can begin.
_LABEL_TRIGGER = re.compile(r"[\n.!?\u2026\u201d)][ \t]*(?=[A-Z])")
# Every label but "Q" ends with ":" and a blank, and holds only these characters before the colon
# (the letters, blanks, apostrophes, periods and hyphens of _WH_LABEL and _KREMLIN_LABEL; the
# range of _NAME is spelt out, as \w misses its "\u00f7"). A trigger can thus start a label only
# in the run of them that ends at such a colon, or right before a "Q".
_LABEL_COLON = re.compile(r":(?=[ \t])")
_LABEL_RUN = re.compile(r"[\w\s'.\-\u00e0-\u017e]*")
_Q_TRIGGER = re.compile(r"\n[ \t]*(?=Q[ \t:])")


def find_speaker_turns(text: str, *, minimum: int = 2) -> list[tuple[int, int, str]]:
    """Speaker labels as (label start, label end, speaker); none unless ``minimum`` are found.

    A single "Name:" is more often a list heading than a transcript, hence the minimum.
    """
    found = []
    for m in _label_matches(text):
        # One of the named groups matches, and it is never empty: the last group is the one.
        group = m.lastgroup
        found.append((m.start(group), m.end(), m.group(group).strip()))
    return found if len(found) >= minimum else []


def _label_matches(text: str) -> list[re.Match]:
    """The matches of ``_LABEL_RE.finditer(text)``, found faster.

    ``finditer`` tries every offset from the left and resumes after each match; trying only the
    offsets where :data:`_LABEL_TRIGGER` says a label can begin, in the same order, finds the
    same matches. Of those, only triggers in a run of :data:`_LABEL_RUN` before a colon, or
    before a "Q" (:data:`_Q_TRIGGER`), can be followed by a label, and only they are tried.
    """
    if _native_attrscan is None:
        starts = _label_starts(text)
    else:
        starts = _native_attrscan.label_starts(text)
    found, resume = [], 0
    for pos in starts:
        if pos < resume:
            continue
        m = _LABEL_RE.match(text, pos)
        if m:
            found.append(m)
            resume = m.end()
    return found


def _label_starts(text: str) -> list[int]:
    """The offsets, in order, where :func:`_label_matches` tries ``_LABEL_RE``: 0, and after each
    trigger that can be followed by a label (and past its one blank)."""
    triggers = list(_Q_TRIGGER.finditer(text))
    colons = [m.start() for m in _LABEL_COLON.finditer(text)]
    if colons:
        # The run before a colon, found forwards in the reversed text: each character is read
        # once, as every run ends at its own colon.
        backwards, n = text[::-1], len(text)
        for colon in colons:
            run_start = colon - (_LABEL_RUN.match(backwards, n - colon).end() - (n - colon))
            # A trigger's blanks lie in the run; its mark is in it or right before it.
            triggers.extend(_LABEL_TRIGGER.finditer(text, max(run_start - 1, 0), colon))
    starts = {0}
    for m in triggers:
        starts.add(m.start() + 1)
        if m.end() > m.start() + 1:  # after "... " the label may start past the one blank
            starts.add(m.start() + 2)
    return sorted(starts)


def find_comments(text: str, marker: str | None) -> list[tuple[int, int]]:
    """Comment spans after the marker line; each block between blank lines is one comment."""
    if not marker or not isinstance(marker, str):
        return []
    m = re.search(rf"(?m)^[ \t]*{re.escape(marker.strip())}[ \t]*$", text)
    if not m:
        return []
    spans, pos = [], m.end()
    for block in re.finditer(r"(?s)\S.*?(?=\n[ \t]*\n|\Z)", text[pos:]):
        spans.append((pos + block.start(), pos + block.end()))
    return [(m.start(), m.end())] + spans


_OFFICE = (r"(?:President|Prime Minister|Minister|Chancellor|King|Queen|Emir|Governor|Secretary|"
           r"Chairman|Chairwoman|Premier|Ambassador|Head of State|Spokesperson|Spokesman)")
# _OFFICE is an alternation of plain words, so no office is longer than the pattern itself;
# 40 more characters of gap may separate it from the name.
_OFFICE_REACH = len(_OFFICE) + 40
# An office and the gap after it, ending where the searched window ends (at a name).
_OFFICE_BEFORE = re.compile(rf"\b{_OFFICE}(?:\b[\w\s\-]{{0,40}})?\Z")
_WORD_CHAR = re.compile(r"\w")


def _introduced_with_office(text: str, name: str) -> bool:
    """True when the document names the speaker with an office ("President of Belarus Alexander
    Lukashenko"), as Kremlin transcripts do in their summary but not in later labels."""
    if len(name.split()) < 2:
        return False
    # Same answer as searching rf"\b{_OFFICE}\b[\w\s\-]{{0,40}}?\b{re.escape(name)}\b", without
    # compiling a pattern per name: at each whole-word occurrence of the name, look for an office
    # and gap ending there. The occurrence's own word-boundary test stands in for the office's
    # final \b when the gap is empty (the window's end would fake a text end there).
    q = text.find(name)
    while q >= 0:
        if _word_boundary(text, q) and _word_boundary(text, q + len(name)) and \
                _OFFICE_BEFORE.search(text, max(0, q - _OFFICE_REACH), q):
            return True
        q = text.find(name, q + 1)
    return False


def _word_boundary(text: str, pos: int) -> bool:
    """Whether the regex \\b holds at ``pos`` of ``text``."""
    before = pos > 0 and _WORD_CHAR.match(text, pos - 1) is not None
    after = pos < len(text) and _WORD_CHAR.match(text, pos) is not None
    return before != after


def _speaker_layer(text: str, book: SourceBook) -> list[tuple]:
    turns = find_speaker_turns(text)
    layers = []
    titled: dict[str, tuple] = {}  # "Alexander Lukashenko" -> typing of "President of Belarus ..."
    typed: dict[str, tuple] = {}   # each distinct label is classified once per document
    for n, (start, label_end, speaker) in enumerate(turns):
        end = turns[n + 1][0] if n + 1 < len(turns) else len(text)
        key = speaker.lower().rstrip(".")
        display = speaker.title() if speaker.isupper() and len(speaker) > 1 else speaker
        if key in _QUESTION_LABELS:
            entity, kind = "journalist", "non-official"
        elif display in typed:
            entity, kind = typed[display]
        else:
            entity, kind, _ = book.classify(display)
            # A bare name inherits the office of its first, titled label in this transcript.
            inherited = next((v for name, v in titled.items() if name.endswith(display)), None)
            if kind != "official" and inherited:
                entity, kind = inherited
            elif kind != "official" and _introduced_with_office(text, display):
                kind = "official"
                titled[display] = (entity or display, kind)
            elif kind == "official":
                titled[display] = (entity or display, kind)
            entity = entity or display
            typed[display] = (entity, kind)
        voice = "official" if kind == "official" else "quoted_other"
        layers.append((start, end, 1, voice, entity, kind, "speaker_turn", speaker))
    return layers


_RELATION_KINDS = {"direct": "direct_quote", "indirect": "indirect_report",
                   "mixed": "mixed_report", "according_to": "according_to", "label": "direct_quote"}


def _relation_layers(relations: pd.DataFrame) -> dict:
    """The top layer of every document: the content spans of its attribution relations.

    Parameters
    ----------
    relations : the relations table.

    Returns
    -------
    dict doc_id -> list of layer tuples, in the order of the relations table.
    """
    by_doc: dict = {}
    # Plain column lists: iterating DataFrame rows costs more than the rest of this stage.
    columns = [relations[c].tolist() for c in ("doc_id", "kind", "source", "source_norm",
                                               "source_type", "content_start", "content_end",
                                               "cue")]
    for doc_id, kind, source, norm, source_type, start, end, cue in zip(*columns):
        if source_type == "unknown" and kind not in ("direct", "label"):
            continue
        voice = "official" if source_type == "official" else "quoted_other"
        layer = (int(start), int(end), 2, voice, norm if isinstance(norm, str) else source,
                 source_type, _RELATION_KINDS[kind], cue)
        by_doc.setdefault(doc_id, []).append(layer)
    return by_doc


def _flatten(n: int, base: tuple, layers: list[tuple]) -> list[tuple]:
    """Non-overlapping segments covering [0, n): the highest layer wins, then the innermost."""
    if _native_attrscan is not None:
        return _native_attrscan.flatten(n, base, layers)
    points = sorted({0, n, *(max(0, min(n, p)) for lay in layers for p in lay[:2])})
    index = {p: i for i, p in enumerate(points)}
    owner: list = [base] * max(len(points) - 1, 0)
    # Paint each elementary interval with the winning layer: higher level, then shorter span.
    for lay in sorted(layers, key=lambda l: (l[2], -(l[1] - l[0]))):
        lo, hi = index[max(0, min(n, lay[0]))], index[max(0, min(n, lay[1]))]
        owner[lo:hi] = [lay] * (hi - lo)
    out: list[list] = []
    for k, (a, b) in enumerate(zip(points, points[1:])):
        if a == b:
            continue
        top = owner[k]
        if out and out[-1][2] is top:
            out[-1][1] = b
        else:
            out.append([a, b, top, top[3:]])
    if not out:  # empty document: one empty segment keeps it in every table
        return [(0, 0, *base[3:])]
    return [(a, b, *fields) for a, b, _, fields in out]


def _metadata_sources(docs: pd.DataFrame) -> list:
    """Who speaks a whole document, from metadata: speaker, author, source, then outlet."""
    cols = [c for c in ("speaker", "author", "source", "outlet") if c in docs.columns]
    out = [None] * len(docs)
    # Fill from the least to the most preferred column: the first non-blank one in order wins.
    for col in reversed(cols):
        for k, value in enumerate(docs[col].tolist()):
            if isinstance(value, str) and value.strip():
                out[k] = str(value)
    return out


def segment_documents(docs: pd.DataFrame, relations: pd.DataFrame | None = None, *,
                      sources: SourceBook | None = None) -> pd.DataFrame:
    """Segments of every document, covering every character exactly once.

    Parameters
    ----------
    docs : the docs table (a ``comments_marker`` column marks comment sections).
    relations : attribution relations; default :func:`analysis.attribution.extract_attributions`.
    sources : the source book used to type speakers; default the bundled one.

    Returns
    -------
    DataFrame :data:`SEGMENT_COLUMNS`; ``seg_id`` counts from 0 per document in text order.
    """
    book = sources or bundled_sources()
    if relations is None:
        relations = extract_attributions(docs, sources=book)
    doc_voice = document_voices(docs)
    rel_layers = _relation_layers(relations)
    markers = docs["comments_marker"] if "comments_marker" in docs.columns else \
        pd.Series([None] * len(docs), index=docs.index)
    rows = []
    for (doc_id, text, marker), meta in zip(zip(docs["doc_id"], docs["text"], markers),
                                            _metadata_sources(docs)):
        voice = doc_voice[doc_id]
        base_type = "official" if voice == "official" else "non-official"
        base_source = meta
        if voice == "official" and meta:
            entity, kind, _ = book.classify(meta)
            base_source = entity or meta
        base = (0, len(text), 0, voice, base_source, base_type,
                "document" if voice in ("official", "commentary") else "narration", None)
        layers = _speaker_layer(text, book)
        comments = find_comments(text, marker)
        if comments:
            (_, m_end), blocks = comments[0], comments[1:]
            layers.append((m_end, len(text), 1, voice, None, base[5], "page", None))
            for k, (a, b) in enumerate(blocks, start=1):
                layers.append((a, b, 1, "commentary", f"reader comment {k}", "non-official",
                               "comment", None))
        layers.extend(rel_layers.get(doc_id, ()))
        for seg_id, (a, b, *fields) in enumerate(_flatten(len(text), base, layers)):
            rows.append((doc_id, seg_id, a, b, *fields))
    frame = pd.DataFrame(rows, columns=SEGMENT_COLUMNS)
    return frame.astype({"seg_id": np.int64, "start": np.int64, "end": np.int64})
