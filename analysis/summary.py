"""Corpus overview: documents, sentences and tokens, broken down by metadata facets and dates."""
from __future__ import annotations

import pandas as pd

from .errors import ParameterError

__all__ = ["summarize_corpus", "DEFAULT_FACETS"]

#: Metadata columns used for the breakdown when present, in this order.
DEFAULT_FACETS = ("genre", "kind", "voice", "outlet", "source")


def summarize_corpus(docs: pd.DataFrame, sentences: pd.DataFrame, tokens: pd.DataFrame, *,
                     by: tuple[str, ...] | list[str] | None = None,
                     date_column: str = "date") -> pd.DataFrame:
    """Count documents, sentences and tokens overall and per value of each facet column.

    Parameters
    ----------
    docs, sentences, tokens : the docs, sentences and tokens tables of one corpus.
    by : facet columns; default the columns of ``DEFAULT_FACETS`` that ``docs`` has.
    date_column : column with ISO dates for the first/last date; ignored when absent.

    Returns
    -------
    DataFrame ``facet, value, documents, sentences, tokens, first_date, last_date``; the first
    row is the whole corpus (facet ``all``). Missing facet values appear as ``(missing)``.
    """
    if by is None:
        by = [c for c in DEFAULT_FACETS if c in docs.columns]
    unknown = [c for c in by if c not in docs.columns]
    if unknown:
        raise ParameterError("unknown facet column(s) for the breakdown", value=unknown,
                             allowed=sorted(c for c in docs.columns if c not in ("text", "sha256")))
    per_doc = pd.DataFrame({"doc_id": docs["doc_id"]})
    per_doc["sentences"] = per_doc["doc_id"].map(sentences.groupby("doc_id").size()).fillna(0)
    per_doc["tokens"] = per_doc["doc_id"].map(tokens.groupby("doc_id").size()).fillna(0)
    dates = (pd.to_datetime(docs[date_column], errors="coerce", format="mixed")
             if date_column in docs.columns else pd.Series(pd.NaT, index=docs.index))
    per_doc["date"] = dates.to_numpy()

    def row(facet: str, value: str, mask) -> dict:
        part = per_doc[mask]
        valid = part["date"].dropna()
        return {"facet": facet, "value": value, "documents": len(part),
                "sentences": int(part["sentences"].sum()), "tokens": int(part["tokens"].sum()),
                "first_date": valid.min().date().isoformat() if len(valid) else "",
                "last_date": valid.max().date().isoformat() if len(valid) else ""}

    rows = [row("all", "all", slice(None))]
    for facet in by:
        values = docs[facet].astype(object).where(docs[facet].notna(), "(missing)").astype(str)
        for value in sorted(values.unique()):
            rows.append(row(facet, value, (values == value).to_numpy()))
    return pd.DataFrame(rows)
