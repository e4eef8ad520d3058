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

from .attribution import extract_attributions
from .measures import document_voices
from .sources import SourceBook, bundled_sources

__all__ = ["segment_documents", "find_speaker_turns", "find_comments", "SEGMENT_COLUMNS", "VOICES"]

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


def find_speaker_turns(text: str, *, minimum: int = 2) -> list[tuple[int, int, str]]:
    """Speaker labels as (label start, label end, speaker); none unless ``minimum`` are found.

    A single "Name:" is more often a list heading than a transcript, hence the minimum.
    """
    found = []
    for m in _LABEL_RE.finditer(text):
        speaker = m.group("wh") or m.group("q") or m.group("name")
        start = m.start("wh") if m.group("wh") else m.start("q") if m.group("q") else m.start("name")
        found.append((start, m.end(), speaker.strip()))
    return found if len(found) >= minimum else []


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


def _introduced_with_office(text: str, name: str) -> bool:
    """True when the document names the speaker with an office ("President of Belarus Alexander
    Lukashenko"), as Kremlin transcripts do in their summary but not in later labels."""
    if len(name.split()) < 2:
        return False
    return re.search(rf"\b{_OFFICE}\b[\w\s\-]{{0,40}}?\b{re.escape(name)}\b", text) is not None


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


def _relation_layer(relations: pd.DataFrame) -> list[tuple]:
    layers = []
    kinds = {"direct": "direct_quote", "indirect": "indirect_report", "mixed": "mixed_report",
             "according_to": "according_to", "label": "direct_quote"}
    for rel in relations.itertuples(index=False):
        if rel.source_type == "unknown" and rel.kind not in ("direct", "label"):
            continue
        voice = "official" if rel.source_type == "official" else "quoted_other"
        source = rel.source_norm if isinstance(rel.source_norm, str) else rel.source
        layers.append((int(rel.content_start), int(rel.content_end), 2, voice, source,
                       rel.source_type, kinds[rel.kind], rel.cue))
    return layers


def _flatten(n: int, base: tuple, layers: list[tuple]) -> list[tuple]:
    """Non-overlapping segments covering [0, n): the highest layer wins, then the innermost."""
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
    out = []
    cols = [c for c in ("speaker", "author", "source", "outlet") if c in docs.columns]
    for _, row in docs[cols].iterrows() if cols else ((None, {}) for _ in range(len(docs))):
        value = next((str(row[c]) for c in cols if isinstance(row[c], str) and row[c].strip()),
                     None)
        out.append(value)
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
    rel_by_doc = {d: g for d, g in relations.groupby("doc_id", sort=False)}
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
        if doc_id in rel_by_doc:
            layers.extend(_relation_layer(rel_by_doc[doc_id]))
        for seg_id, (a, b, *fields) in enumerate(_flatten(len(text), base, layers)):
            rows.append((doc_id, seg_id, a, b, *fields))
    frame = pd.DataFrame(rows, columns=SEGMENT_COLUMNS)
    return frame.astype({"seg_id": np.int64, "start": np.int64, "end": np.int64})
