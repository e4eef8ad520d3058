"""HTML views of one document: every hit coloured by measure, voices as tinted backgrounds.

All corpus text is escaped (reader comments are untrusted): a ``<script>`` in a comment shows
as text. Colours come from the Okabe-Ito colour-blind-safe palette.

References
----------
Okabe, M., & Ito, K. (2008). Color Universal Design (CUD): How to make figures and presentations
that are friendly to colorblind people. https://jfly.uni-koeln.de/color/
"""
from __future__ import annotations

import html

import pandas as pd

from .errors import ParameterError

__all__ = ["highlight_document", "HighlightedDocument", "MEASURE_COLOURS", "VOICE_COLOURS"]

MEASURE_COLOURS = {"frame": "#E69F00", "hedge": "#56B4E9", "booster": "#D55E00",
                   "reporting_verb": "#009E73", "term": "#CC79A7"}
VOICE_COLOURS = {"official": "#fdf1d6", "commentary": "#e3f0fb", "reporting": "#ffffff",
                 "quoted_other": "#eef7ec"}
_FALLBACK = "#999999"


class HighlightedDocument:
    """An HTML fragment that Jupyter renders; ``str()`` gives the markup."""

    def __init__(self, markup: str) -> None:
        self.markup = markup

    def _repr_html_(self) -> str:
        return self.markup

    def __str__(self) -> str:
        return self.markup

    def __repr__(self) -> str:  # stable text/plain output: no memory address in notebooks
        return "HighlightedDocument"


def _boundaries(n: int, spans) -> list[int]:
    points = {0, n}
    for a, b in spans:
        points.add(max(0, min(n, a)))
        points.add(max(0, min(n, b)))
    return sorted(points)


def highlight_document(docs: pd.DataFrame, doc_id: str, matches: pd.DataFrame | None = None, *,
                       segments: pd.DataFrame | None = None,
                       measures: list[str] | None = None) -> HighlightedDocument:
    """Render one document with its hits underlined in the measure's colour and a legend.

    Parameters
    ----------
    docs : the docs table.
    doc_id : which document.
    matches : the matches table (any measures); hits of other documents are ignored.
    segments : optional segments table with ``voice``: each segment gets its voice's background.
    measures : restrict to these measures.

    Returns
    -------
    :class:`HighlightedDocument`; each hit carries a tooltip ``measure/category: term``.
    """
    row = docs.loc[docs["doc_id"] == doc_id]
    if row.empty:
        raise ParameterError("no document with that doc_id", value=doc_id,
                             allowed=f"one of {len(docs)} doc_ids, e.g. {docs['doc_id'].iloc[0]!r}"
                             if len(docs) else "none (empty corpus)")
    text = row["text"].iloc[0]
    hits = []
    if matches is not None and len(matches):
        mine = matches[matches["doc_id"] == doc_id]
        if measures is not None:
            mine = mine[mine["measure"].isin(measures)]
        hits = list(zip(mine["start"], mine["end"], mine["measure"], mine["category"], mine["term"]))
    segs = []
    if segments is not None and len(segments):
        mine = segments[segments["doc_id"] == doc_id]
        cols = [mine["start"], mine["end"], mine["voice"]]
        cols.append(mine["source"] if "source" in mine.columns else [None] * len(mine))
        segs = list(zip(*cols))
    points = _boundaries(len(text), [(a, b) for a, b, *_ in hits] + [(a, b) for a, b, *_ in segs])
    pieces = []
    for a, b in zip(points, points[1:]):
        if a == b:
            continue
        chunk = html.escape(text[a:b]).replace("\n", "<br>\n")
        active = [h for h in hits if h[0] <= a and b <= h[1]]
        voice = next((s for s in segs if s[0] <= a and b <= s[1]), None)
        if active:
            measure = active[0][2]
            colour = MEASURE_COLOURS.get(measure, _FALLBACK)
            tip = "; ".join(f"{m}/{c}: {t}" for _, _, m, c, t in active)
            width = 2 + len(active)
            chunk = (f"<span class='dk-hit dk-{html.escape(measure)}' title='{html.escape(tip)}' "
                     f"style='border-bottom:{width}px solid {colour}'>{chunk}</span>")
        if voice is not None:
            bg = VOICE_COLOURS.get(voice[2], "#f0f0f0")
            label = voice[2] if not voice[3] or pd.isna(voice[3]) else f"{voice[2]}: {voice[3]}"
            chunk = (f"<span class='dk-voice' style='background:{bg}' "
                     f"title='{html.escape(str(label))}'>{chunk}</span>")
        pieces.append(chunk)
    used = sorted({h[2] for h in hits})
    legend = "".join(
        f"<span style='border-bottom:3px solid {MEASURE_COLOURS.get(m, _FALLBACK)};"
        f"margin-right:1em'>{html.escape(m)}</span>" for m in used)
    used_voices = sorted({s[2] for s in segs})
    legend += "".join(
        f"<span style='background:{VOICE_COLOURS.get(v, '#f0f0f0')};margin-right:1em;"
        f"padding:0 .3em'>{html.escape(str(v))}</span>" for v in used_voices)
    title = html.escape(str(doc_id))
    markup = (f"<div class='dk-document'><div class='dk-legend'><b>{title}</b> &mdash; {legend}</div>"
              f"<div class='dk-text' style='line-height:1.8;font-family:serif'>{''.join(pieces)}"
              "</div></div>")
    return HighlightedDocument(markup)
