"""Measures and sentiment aggregated by any grouping: voice, source, source type, or metadata.

Group columns come from the segments table (``voice``, ``source``, ``source_type``, ``cue``,
``segment_kind``) or from the docs table (any metadata column: ``genre``, ``outlet``, ``kind``,
``date``, ...). Every token, hit and sentence is labelled through its segment, so a quote of the
Kremlin inside a news article counts for the ``official`` voice and the ``Russian government``
source, and the journalist's narration around it for ``reporting``.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .errors import ParameterError

__all__ = ["label_units", "rates_by_group", "sentiment_by_group", "profile_groups",
           "token_counts", "SEGMENT_GROUPS"]

SEGMENT_GROUPS = ("voice", "source", "source_type", "cue", "segment_kind")


def _as_list(by) -> list[str]:
    if isinstance(by, str):
        return [by]
    by = list(by)
    if not by:
        raise ParameterError("by= needs at least one column")
    return by


def token_counts(tokens: pd.DataFrame) -> pd.DataFrame:
    """Tokens per sentence: ``doc_id, sent_id, seg_id, n_tokens``.

    Accepts the tokens table, or such a counts table already (what streaming runs keep instead of
    every token), so that rates and statistics work on both.
    """
    if "n_tokens" in tokens.columns:
        return tokens
    counts = tokens.groupby(["doc_id", "sent_id", "seg_id"], sort=False).size()
    return counts.rename("n_tokens").reset_index()


def label_units(units: pd.DataFrame, docs: pd.DataFrame, segments: pd.DataFrame | None,
                by, *, sentences: pd.DataFrame | None = None) -> pd.DataFrame:
    """Attach group columns to tokens, sentences or matches (through ``seg_id`` or ``sent_id``).

    Missing values become the string ``(none)`` so that groups never silently vanish.
    """
    by = _as_list(by)
    out = units
    seg_cols = [c for c in by if c in SEGMENT_GROUPS]
    doc_cols = [c for c in by if c not in SEGMENT_GROUPS]
    unknown = [c for c in doc_cols if c not in docs.columns or c in ("text", "sha256")]
    if unknown:
        allowed = list(SEGMENT_GROUPS) + [c for c in docs.columns if c not in ("text", "sha256")]
        raise ParameterError("unknown group column(s)", value=unknown, allowed=allowed)
    if seg_cols:
        if segments is None:
            raise ParameterError("grouping by a segment column needs segments (voices)",
                                 value=seg_cols)
        if "seg_id" not in out.columns:
            if sentences is None:
                raise ParameterError("matches need the sentences table to find their segment")
            out = out.merge(sentences[["doc_id", "sent_id", "seg_id"]], on=["doc_id", "sent_id"],
                            how="left")
        seg = segments.rename(columns={"kind": "segment_kind"})[["doc_id", "seg_id", *seg_cols]]
        out = out.drop(columns=[c for c in seg_cols if c in out.columns])
        out = out.merge(seg, on=["doc_id", "seg_id"], how="left")
    if doc_cols:
        out = out.drop(columns=[c for c in doc_cols if c in out.columns])
        out = out.merge(docs[["doc_id", *doc_cols]], on="doc_id", how="left")
    for col in by:
        out[col] = out[col].astype(object).where(out[col].notna(), "(none)").astype(str)
    return out


def rates_by_group(docs: pd.DataFrame, segments: pd.DataFrame | None, sentences: pd.DataFrame,
                   tokens: pd.DataFrame, matches: pd.DataFrame, *, by=("voice",),
                   level: str = "measure") -> pd.DataFrame:
    """Hits per 1,000 tokens for every group (more than two allowed), zeros included.

    Parameters
    ----------
    by : group column(s), see the module docstring.
    level : ``measure`` or ``category``.

    Returns
    -------
    DataFrame ``<by...>, measure, [category,] hits, tokens, per_1k, n_docs``; ``n_docs`` counts
    the documents that contribute tokens to the group.
    """
    by = _as_list(by)
    if level not in ("measure", "category"):
        raise ParameterError("unknown level", value=level, allowed="measure, category")
    keys = ["measure"] if level == "measure" else ["measure", "category"]
    toks = label_units(token_counts(tokens), docs, segments, by)
    size = toks.groupby(by, sort=True).agg(tokens=("n_tokens", "sum"), n_docs=("doc_id", "nunique"))
    hits = label_units(matches[["doc_id", "sent_id", *keys]], docs, segments, by,
                       sentences=sentences)
    counts = hits.groupby([*by, *keys]).size().rename("hits")
    from .measures import _known_categories
    known = _known_categories()[keys].drop_duplicates()
    if len(matches):
        known = pd.concat([known, matches[keys].drop_duplicates()]).drop_duplicates()
    grid = size.reset_index().merge(known, how="cross")
    out = grid.merge(counts.reset_index(), on=[*by, *keys], how="left")
    out["hits"] = out["hits"].fillna(0).astype(np.int64)
    out["per_1k"] = 1000.0 * out["hits"] / out["tokens"]
    out = out[[*by, *keys, "hits", "tokens", "per_1k", "n_docs"]]
    return out.sort_values([*by, *keys], kind="stable").reset_index(drop=True)


def sentiment_by_group(docs: pd.DataFrame, segments: pd.DataFrame | None,
                       sentences: pd.DataFrame, scores: pd.DataFrame, *,
                       by=("voice",)) -> pd.DataFrame:
    """Mean and spread of sentence compounds per group.

    Returns
    -------
    DataFrame ``<by...>, n_sentences, n_docs, mean_compound, sd_compound, share_positive,
    share_negative`` (VADER thresholds +-0.05).
    """
    by = _as_list(by)
    scored = sentences[["doc_id", "sent_id", "seg_id"]].merge(
        scores[["doc_id", "sent_id", "compound"]], on=["doc_id", "sent_id"], how="inner")
    labelled = label_units(scored, docs, segments, by)
    grouped = labelled.groupby(by, sort=True)
    out = grouped.agg(n_sentences=("compound", "size"), n_docs=("doc_id", "nunique"),
                      mean_compound=("compound", "mean"), sd_compound=("compound", "std"))
    out["share_positive"] = grouped["compound"].apply(lambda c: float((c >= 0.05).mean()))
    out["share_negative"] = grouped["compound"].apply(lambda c: float((c <= -0.05).mean()))
    return out.reset_index()


def profile_groups(docs, segments, sentences, tokens, matches, scores, *,
                   by=("voice",)) -> pd.DataFrame:
    """One row per group: tokens, documents, per-1k rate of every measure, sentiment.

    Returns
    -------
    Wide DataFrame ``<by...>, tokens, n_docs, <measure>_per_1k..., n_sentences, mean_compound``.
    """
    by = _as_list(by)
    rates = rates_by_group(docs, segments, sentences, tokens, matches, by=by, level="measure")
    wide = rates.pivot_table(index=by, columns="measure", values="per_1k", aggfunc="first")
    wide.columns = [f"{m}_per_1k" for m in wide.columns]
    base = rates.groupby(by)[["tokens", "n_docs"]].first()
    senti = sentiment_by_group(docs, segments, sentences, scores, by=by).set_index(by)
    out = base.join(wide).join(senti[["n_sentences", "mean_compound"]], how="left")
    out["n_sentences"] = out["n_sentences"].fillna(0).astype(np.int64)
    return out.reset_index()
