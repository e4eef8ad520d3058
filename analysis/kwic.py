"""Keyword in context: from any row of the matches table (or a term) back to the words around it."""
from __future__ import annotations

import html

import numpy as np
import pandas as pd

from .errors import ParameterError
from .lexicon import Entry, Lexicon
from .measures import match_lexicon
from .tokens import normalise_token

__all__ = ["kwic", "kwic_for_hits", "KwicTable", "KWIC_COLUMNS"]

KWIC_COLUMNS = ["doc_id", "sent_id", "start", "end", "left", "match", "right", "voice", "measure",
                "category", "term"]


class KwicTable(pd.DataFrame):
    """A KWIC DataFrame that renders as an HTML concordance (corpus text escaped) in Jupyter."""

    @property
    def _constructor(self):
        return KwicTable

    def _repr_html_(self) -> str:
        rows = []
        for row in self.head(500).itertuples(index=False):
            voice = "" if row.voice is None or (isinstance(row.voice, float) and np.isnan(row.voice)) \
                else str(row.voice)
            rows.append(
                "<tr>"
                f"<td class='dk-id'>{html.escape(str(row.doc_id))}:{int(row.start)}</td>"
                f"<td class='dk-voice'>{html.escape(voice)}</td>"
                f"<td class='dk-left' style='text-align:right'>{html.escape(row.left)}</td>"
                f"<td class='dk-match'><mark title='{html.escape(str(row.measure))}/"
                f"{html.escape(str(row.category))}'>{html.escape(row.match)}</mark></td>"
                f"<td class='dk-right'>{html.escape(row.right)}</td>"
                "</tr>")
        more = f"<p>showing 500 of {len(self)} lines</p>" if len(self) > 500 else ""
        return ("<table class='dk-kwic'><thead><tr><th>doc:offset</th><th>voice</th>"
                "<th>left</th><th>match</th><th>right</th></tr></thead><tbody>"
                + "".join(rows) + "</tbody></table>" + more)


def _term_lexicon(term: str) -> Lexicon:
    words = tuple(normalise_token(term).split())
    entry = Entry(term=" ".join(words), category="term", forms=(words,))
    return Lexicon(name="kwic", measure="term", version="0", provenance={}, categories={"term": None},
                   entries=(entry,), path="", sha256="")


def kwic(docs: pd.DataFrame, tokens: pd.DataFrame, matches: pd.DataFrame | None = None, *,
         term: str | None = None, measure: str | None = None, category: str | None = None,
         window: int = 8, sentence_bounded: bool = False, sentences: pd.DataFrame | None = None,
         segments: pd.DataFrame | None = None) -> KwicTable:
    """Concordance lines for a term, a measure or a category.

    Parameters
    ----------
    docs, tokens : the docs and tokens tables.
    matches : the matches table; required for ``measure``/``category``; with ``term`` it filters
        on the ``term`` column, without it the term is searched in the tokens (words separated
        by spaces; a trailing ``*`` is a prefix wildcard).
    term, measure, category : what to show; at least one.
    window : context size in word tokens on each side.
    sentence_bounded : stop the context at the sentence boundary.
    sentences, segments : needed only to search a term without ``matches`` (voices from segments).

    Returns
    -------
    :class:`KwicTable` with :data:`KWIC_COLUMNS`; ``left``/``right`` are raw text (punctuation
    kept), ``match`` is the text exactly as written.
    """
    if term is None and measure is None and category is None:
        raise ParameterError("kwic needs term=, measure= or category=")
    if term is not None and (not isinstance(term, str) or not term.strip()):
        raise ParameterError("term must be a non-empty word or phrase", value=term)
    if not isinstance(window, (int, np.integer)) or window < 0:
        raise ParameterError("window must be a non-negative integer", value=window)
    # Lexicon terms are written as token norms: "Possibly" looks for the term "possibly".
    key = None if term is None else normalise_token(term)
    if matches is None or (key is not None and measure is None and category is None
                           and not (matches["term"] == key).any()):
        if term is None:
            raise ParameterError("measure= and category= need the matches table")
        if sentences is None:
            sentences = tokens.groupby(["doc_id", "sent_id"], sort=False).agg(
                start=("start", "min"), end=("end", "max")).reset_index()
            sentences["seg_id"] = 0
        hits = match_lexicon(docs, sentences, tokens, lexicon=_term_lexicon(term), segments=segments)
    else:
        mask = np.ones(len(matches), dtype=bool)
        for col, value in (("term", key), ("measure", measure), ("category", category)):
            if value is not None:
                mask &= (matches[col] == value).to_numpy()
        hits = matches[mask]
    return KwicTable(_contexts(docs, tokens, hits, window, sentence_bounded))


def kwic_for_hits(docs: pd.DataFrame, tokens: pd.DataFrame, hits: pd.DataFrame, *,
                  window: int = 8, sentence_bounded: bool = False) -> KwicTable:
    """Concordance lines for given rows of the matches table (e.g. one finding's evidence)."""
    return KwicTable(_contexts(docs, tokens, hits, window, sentence_bounded))


def _contexts(docs, tokens, hits, window, sentence_bounded) -> pd.DataFrame:
    texts = dict(zip(docs["doc_id"], docs["text"]))
    by_doc = {d: g for d, g in tokens.groupby("doc_id", sort=False)}
    rows = []
    for hit in hits.itertuples(index=False):
        text = texts[hit.doc_id]
        group = by_doc.get(hit.doc_id)
        starts = group["start"].to_numpy()
        ends = group["end"].to_numpy()
        sent = group["sent_id"].to_numpy()
        first = int(np.searchsorted(starts, hit.start, side="left"))
        last = int(np.searchsorted(starts, hit.end, side="left"))  # first token after the hit
        lo = max(first - window, 0)
        hi = min(last + window, len(starts))
        if sentence_bounded:
            while lo < first and sent[lo] != hit.sent_id:
                lo += 1
            while hi > last and sent[hi - 1] != hit.sent_id:
                hi -= 1
        left = text[int(starts[lo]):hit.start] if lo < first else ""
        right = text[hit.end:int(ends[hi - 1])] if hi > last else ""
        rows.append((hit.doc_id, hit.sent_id, hit.start, hit.end, " ".join(left.split()),
                     text[hit.start:hit.end], " ".join(right.split()), hit.voice, hit.measure,
                     hit.category, hit.term))
    return pd.DataFrame(rows, columns=KWIC_COLUMNS)
