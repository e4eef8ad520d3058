"""Rates with confidence intervals and group comparisons with effect sizes, for any number of groups.

Uncertainty comes from a seeded bootstrap over documents (the clusters a corpus is sampled in):
each group's documents are resampled with replacement and its rate is recomputed as total hits
over total tokens. A group with fewer than ``min_docs`` documents (the voices of one article)
is resampled by sentences instead; the table says so (``resampling``) and a
:class:`SmallSampleWarning` is issued. Seeds are derived from the seed and the group's name, so a
group's interval does not change when other groups are added.

References
----------
Efron, B., & Tibshirani, R. J. (1993). An Introduction to the Bootstrap. Chapman & Hall.
Lijffijt, J., Nevalainen, T., Säily, T., Papapetrou, P., Puolamäki, K., & Mannila, H. (2016).
Significance testing of word frequencies in corpora. Digital Scholarship in the Humanities,
31(2), 374-397.
Cliff, N. (1993). Dominance statistics: Ordinal analyses to answer ordinal questions.
Psychological Bulletin, 114(3), 494-509.
Benjamini, Y., & Hochberg, Y. (1995). Controlling the false discovery rate. JRSS B, 57(1), 289-300.
Holm, S. (1979). A simple sequentially rejective multiple test procedure. Scandinavian Journal
of Statistics, 6(2), 65-70.
"""
from __future__ import annotations

import hashlib
import itertools
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats as sps

from .errors import ParameterError
from .groups import _as_list, label_units, token_counts

__all__ = ["SmallSampleWarning", "rates_with_ci", "sentiment_with_ci", "compare_rates",
           "compare_sentiment", "holm", "benjamini_hochberg", "cliffs_delta", "group_label"]

_BLOCK = 250  # bootstrap replicates per matrix product, to bound memory


class SmallSampleWarning(UserWarning):
    """A group has too few documents for a document-level bootstrap."""


def _check(n_resamples: int, confidence: float, min_docs: int) -> None:
    if not isinstance(n_resamples, (int, np.integer)) or n_resamples < 100:
        raise ParameterError("n_resamples must be an integer >= 100", value=n_resamples)
    if not 0.5 < confidence < 1:
        raise ParameterError("confidence must be between 0.5 and 1", value=confidence)
    if not isinstance(min_docs, (int, np.integer)) or min_docs < 2:
        raise ParameterError("min_docs must be an integer >= 2", value=min_docs)


def _rng(seed: int, *parts) -> np.random.Generator:
    # The seed's value, not its Python type, decides the stream: 5, 5.0 and np.int64(5) agree.
    seed = _as_seed(seed)
    digest = hashlib.sha256(repr((seed, *parts)).encode()).digest()
    return np.random.default_rng(int.from_bytes(digest[:8], "little"))


def _as_seed(seed) -> int:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer, float, np.floating)) \
            or int(seed) != seed:
        raise ParameterError("seed must be an integer", value=seed)
    return int(seed)


def group_label(values) -> str:
    """One string for a (possibly multi-column) group key."""
    return " | ".join(map(str, values)) if isinstance(values, tuple) else str(values)


@dataclass
class _Units:
    """One group's resampling units: token counts T (n,), hit counts H (n, m)."""

    label: str
    resampling: str
    tokens: np.ndarray
    hits: np.ndarray
    n_docs: int
    values: tuple = ()


def _weight_blocks(n: int, n_resamples: int, rng: np.random.Generator):
    """Bootstrap resampling weights (how often each unit is drawn), in bounded blocks."""
    done = 0
    while done < n_resamples:
        b = min(_BLOCK, n_resamples - done)
        yield done, rng.multinomial(n, np.full(n, 1.0 / n), size=b).astype(float)
        done += b


def _bootstrap_sums(units: _Units, n_resamples: int, rng: np.random.Generator):
    """Bootstrap totals: (B, m) hits and (B,) tokens."""
    out_h = np.empty((n_resamples, units.hits.shape[1]))
    out_t = np.empty(n_resamples)
    for start, weights in _weight_blocks(len(units.tokens), n_resamples, rng):
        out_h[start:start + len(weights)] = weights @ units.hits
        out_t[start:start + len(weights)] = weights @ units.tokens
    return out_h, out_t


def _keys(matches: pd.DataFrame, level: str) -> list[tuple]:
    from .measures import _known_categories
    cols = ["measure"] if level == "measure" else ["measure", "category"]
    known = _known_categories()[cols].drop_duplicates()
    if len(matches):
        known = pd.concat([known, matches[cols].drop_duplicates()]).drop_duplicates()
    return sorted(map(tuple, known.to_numpy().tolist()))


def _label_counts(docs, segments, sentences, tokens, matches, by, level) -> tuple:
    """Token counts and hits labelled with their group, and the measure keys in column order."""
    cols = ["measure"] if level == "measure" else ["measure", "category"]
    keys = _keys(matches, level)
    key_index = {k: i for i, k in enumerate(keys)}
    toks = label_units(token_counts(tokens), docs, segments, by)
    hits = label_units(matches[["doc_id", "sent_id", *cols]], docs, segments, by,
                       sentences=sentences)
    hits["_k"] = [key_index[tuple(r)] for r in hits[cols].to_numpy().tolist()]
    return toks, hits, keys


def _units_by_group(labelled: tuple, by, min_docs, force_sentences=False) -> dict:
    """Per group: counts per document (or per sentence when the group has few documents).

    ``labelled`` is what :func:`_label_counts` returns.
    """
    toks, hits, keys = labelled
    out = {}
    for group, g_toks in toks.groupby(by, sort=True):
        group = group if len(by) > 1 else (group[0] if isinstance(group, tuple) else group)
        label = group_label(group)
        n_docs = g_toks["doc_id"].nunique()
        mask = np.ones(len(hits), dtype=bool)
        for col, value in zip(by, group if isinstance(group, tuple) else (group,)):
            mask &= (hits[col] == value).to_numpy()
        g_hits = hits[mask]
        unit_cols = ["doc_id"] if (n_docs >= min_docs and not force_sentences) else \
            ["doc_id", "sent_id"]
        t = g_toks.groupby(unit_cols)["n_tokens"].sum()
        index = {u: i for i, u in enumerate(t.index)}
        H = np.zeros((len(t), len(keys)))
        if len(g_hits):
            counts = g_hits.groupby([*unit_cols, "_k"]).size()
            for (key, n) in counts.items():
                unit = key[:-1] if len(unit_cols) > 1 else key[0]
                H[index[unit], key[-1]] += n
        out[label] = _Units(label, "documents" if len(unit_cols) == 1 else "sentences",
                            t.to_numpy().astype(float), H, n_docs,
                            group if isinstance(group, tuple) else (group,))
    return out


def _warn_small(units: dict, min_docs: int) -> None:
    small = sorted(u.label for u in units.values() if u.resampling == "sentences")
    if small:
        warnings.warn(f"groups with fewer than {min_docs} documents are resampled by sentences, "
                      f"which ignores that sentences of one document are not independent: "
                      f"{', '.join(small)}", SmallSampleWarning, stacklevel=3)


def rates_with_ci(docs, segments, sentences, tokens, matches, *, by=("voice",),
                  level: str = "measure", n_resamples: int = 2000, seed: int = 12345,
                  confidence: float = 0.95, min_docs: int = 5) -> pd.DataFrame:
    """Per-group rates per 1,000 tokens with percentile bootstrap confidence intervals.

    Parameters
    ----------
    by : group column(s) (voice, source, source_type, or any docs metadata column).
    level : ``measure`` or ``category``.
    n_resamples, seed, confidence : the bootstrap.
    min_docs : groups with fewer documents are resampled by sentences (and flagged).

    Returns
    -------
    DataFrame ``<by>, measure, [category,] hits, tokens, per_1k, ci_low, ci_high, n_docs,
    n_units, resampling, small_sample``.
    """
    by = _as_list(by)
    _check(n_resamples, confidence, min_docs)
    labelled = _label_counts(docs, segments, sentences, tokens, matches, by, level)
    units, keys = _units_by_group(labelled, by, min_docs), labelled[2]
    _warn_small(units, min_docs)
    alpha = (1 - confidence) / 2
    rows = []
    for label, u in units.items():
        boot_h, boot_t = _bootstrap_sums(u, n_resamples, _rng(seed, "rate", label, level))
        boot = 1000.0 * boot_h / boot_t[:, None]
        low, high = np.quantile(boot, [alpha, 1 - alpha], axis=0)
        total_t = u.tokens.sum()
        for k, key in enumerate(keys):
            hits = int(u.hits[:, k].sum())
            rows.append((*u.values, *key, hits, int(total_t), 1000.0 * hits / total_t,
                         low[k], high[k], u.n_docs, len(u.tokens), u.resampling,
                         u.resampling == "sentences" or hits < 5))
    cols = ["measure"] if level == "measure" else ["measure", "category"]
    frame = pd.DataFrame(rows, columns=[*by, *cols, "hits", "tokens", "per_1k", "ci_low",
                                        "ci_high", "n_docs", "n_units", "resampling",
                                        "small_sample"])
    return _round(frame)


def _round(frame: pd.DataFrame) -> pd.DataFrame:
    """Rounding fit for export: rates and effects to 4 decimals, p-values to 6 significant."""
    for col in frame.columns:
        if frame[col].dtype.kind == "f":
            if col.startswith(("p_", "q_")) or col == "p_value":
                frame[col] = frame[col].map(lambda v: float(f"{v:.6g}") if pd.notna(v) else v)
            else:
                frame[col] = frame[col].round(4)
    return frame


def _pairs(labels: list[str], versus_rest: bool):
    for a, b in itertools.combinations(labels, 2):
        yield a, b
    if versus_rest and len(labels) > 2:
        for a in labels:
            yield a, None


def _merge(units: list[_Units], label: str) -> _Units:
    return _Units(label, "sentences" if any(u.resampling == "sentences" for u in units)
                  else "documents", np.concatenate([u.tokens for u in units]),
                  np.vstack([u.hits for u in units]), sum(u.n_docs for u in units))


def _permutation_ratio_p(numerators: np.ndarray, denominators: np.ndarray, n_a: int,
                         n_permutations: int, rng) -> np.ndarray:
    """Two-sided permutation p of a difference of ratios of sums (rates, or means of
    clustered values), per column of ``numerators``, by relabelling the units.

    The first ``n_a`` units form group A; p = (1 + #(|T*| >= |T|)) / (1 + permutations).
    """
    numerators = numerators.reshape(len(denominators), -1)
    total_num, total_den = numerators.sum(0), denominators.sum()
    observed = np.abs(numerators[:n_a].sum(0) / denominators[:n_a].sum()
                      - numerators[n_a:].sum(0) / denominators[n_a:].sum())
    exceed = np.zeros(numerators.shape[1])
    n, done = len(denominators), 0
    while done < n_permutations:
        m = min(_BLOCK, n_permutations - done)
        order = np.argsort(rng.random((m, n)), axis=1)
        in_a = np.zeros((m, n))
        np.put_along_axis(in_a, order[:, :n_a], 1.0, axis=1)
        num_a, den_a = in_a @ numerators, in_a @ denominators
        stat = np.abs(num_a / den_a[:, None] - (total_num - num_a) / (total_den - den_a)[:, None])
        exceed += (stat >= observed - 1e-12).sum(0)
        done += m
    return (exceed + 1) / (n_permutations + 1)


def compare_rates(docs, segments, sentences, tokens, matches, *, by=("voice",),
                  level: str = "measure", versus_rest: bool = True, n_resamples: int = 2000,
                  n_permutations: int = 2000, seed: int = 12345, confidence: float = 0.95,
                  min_docs: int = 5) -> pd.DataFrame:
    """Every pair of groups (and each group against the rest) for every measure/category.

    Effect sizes: the difference of rates per 1,000 tokens and the rate ratio, each with a
    percentile bootstrap CI (groups resampled independently, by documents or sentences as in
    :func:`rates_with_ci`); ``log2_ratio`` is the log of the ratio. The ratio adds 0.5 to both hit
    counts (Haldane-Anscombe) so that a zero count gives a finite value. The p-value is a seeded
    two-sided permutation test of the rate difference (unit labels shuffled), with
    Benjamini-Hochberg q and Holm-adjusted p over all rows of the table.

    Returns
    -------
    DataFrame ``comparison, group_a, group_b, measure, [category,] hits_a, tokens_a, per_1k_a,
    hits_b, tokens_b, per_1k_b, difference, difference_ci_low, difference_ci_high, rate_ratio,
    ratio_ci_low, ratio_ci_high, log2_ratio, p_value, q_bh, p_holm, n_units_a, n_units_b,
    resampling, small_sample``.
    """
    by = _as_list(by)
    _check(n_resamples, confidence, min_docs)
    if not isinstance(n_permutations, (int, np.integer)) or n_permutations < 100:
        raise ParameterError("n_permutations must be an integer >= 100", value=n_permutations)
    labelled = _label_counts(docs, segments, sentences, tokens, matches, by, level)
    by_doc, keys = _units_by_group(labelled, by, min_docs), labelled[2]
    labels = sorted(by_doc)
    if len(labels) < 2:
        raise ParameterError("comparisons need at least two groups", value=labels)
    by_sentence = None
    if any(u.resampling == "sentences" for u in by_doc.values()):
        _warn_small(by_doc, min_docs)
        by_sentence = _units_by_group(labelled, by, min_docs, force_sentences=True)
    alpha = (1 - confidence) / 2
    rows = []
    for a_label, b_label in _pairs(labels, versus_rest):
        members = [a_label, b_label] if b_label else labels
        # Units must be alike on both sides of a permutation test: documents where every group
        # involved has enough of them, else sentences on both sides.
        units = by_doc if all(by_doc[x].resampling == "documents" for x in members) else by_sentence
        small = units is by_sentence
        a = units[a_label]
        b = units[b_label] if b_label else _merge([units[x] for x in labels if x != a_label],
                                                  "rest")
        name = f"{a_label} vs {b_label or 'rest'}"
        ha, ta = _bootstrap_sums(a, n_resamples, _rng(seed, "cmp-a", name, level))
        hb, tb = _bootstrap_sums(b, n_resamples, _rng(seed, "cmp-b", name, level))
        ra, rb = 1000.0 * ha / ta[:, None], 1000.0 * hb / tb[:, None]
        diff = ra - rb
        ratio = ((ha + 0.5) / ta[:, None]) / ((hb + 0.5) / tb[:, None])
        d_lo, d_hi = np.quantile(diff, [alpha, 1 - alpha], axis=0)
        r_lo, r_hi = np.quantile(ratio, [alpha, 1 - alpha], axis=0)
        p = _permutation_ratio_p(np.vstack([a.hits, b.hits]), np.concatenate([a.tokens, b.tokens]),
                                 len(a.tokens), n_permutations, _rng(seed, "perm", name, level))
        sum_a, sum_b = a.hits.sum(0), b.hits.sum(0)
        tok_a, tok_b = a.tokens.sum(), b.tokens.sum()
        for k, key in enumerate(keys):
            rate_a, rate_b = 1000 * sum_a[k] / tok_a, 1000 * sum_b[k] / tok_b
            point_ratio = ((sum_a[k] + 0.5) / tok_a) / ((sum_b[k] + 0.5) / tok_b)
            rows.append((name, a_label, b_label or "rest", *key, int(sum_a[k]), int(tok_a), rate_a,
                         int(sum_b[k]), int(tok_b), rate_b, rate_a - rate_b, d_lo[k], d_hi[k],
                         point_ratio, r_lo[k], r_hi[k], float(np.log2(point_ratio)), p[k],
                         len(a.tokens), len(b.tokens), a.resampling,
                         small or min(sum_a[k], sum_b[k]) < 5 or min(a.n_docs, b.n_docs) < min_docs))
    cols = ["measure"] if level == "measure" else ["measure", "category"]
    frame = pd.DataFrame(rows, columns=[
        "comparison", "group_a", "group_b", *cols, "hits_a", "tokens_a", "per_1k_a", "hits_b",
        "tokens_b", "per_1k_b", "difference", "difference_ci_low", "difference_ci_high",
        "rate_ratio", "ratio_ci_low", "ratio_ci_high", "log2_ratio", "p_value", "n_units_a",
        "n_units_b", "resampling", "small_sample"])
    frame.insert(frame.columns.get_loc("p_value") + 1, "q_bh", benjamini_hochberg(frame["p_value"]))
    frame.insert(frame.columns.get_loc("q_bh") + 1, "p_holm", holm(frame["p_value"]))
    return _round(frame)


def benjamini_hochberg(p_values) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (q); NaNs stay NaN."""
    p = np.asarray(p_values, dtype=float)
    out = np.full_like(p, np.nan)
    ok = ~np.isnan(p)
    if ok.any():
        out[ok] = sps.false_discovery_control(p[ok], method="bh")
    return out


def holm(p_values) -> np.ndarray:
    """Holm's step-down adjusted p-values; NaNs stay NaN."""
    p = np.asarray(p_values, dtype=float)
    out = np.full_like(p, np.nan)
    ok = np.flatnonzero(~np.isnan(p))
    m = len(ok)
    order = ok[np.argsort(p[ok], kind="stable")]
    running = 0.0
    for rank, idx in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p[idx]))
        out[idx] = running
    return out


def cliffs_delta(x, y) -> float:
    """Cliff's delta = P(X > Y) - P(X < Y), from the Mann-Whitney U statistic."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if len(x) == 0 or len(y) == 0:
        return float("nan")
    u = sps.mannwhitneyu(x, y, alternative="two-sided").statistic
    return float((2 * u - len(x) * len(y)) / (len(x) * len(y)))


def _sentence_units(docs, segments, sentences, scores, by, min_docs, force_sentences=False):
    scored = sentences[["doc_id", "sent_id", "seg_id"]].merge(
        scores[["doc_id", "sent_id", "compound"]], on=["doc_id", "sent_id"])
    labelled = label_units(scored, docs, segments, by)
    out = {}
    for group, g in labelled.groupby(by, sort=True):
        group = group if len(by) > 1 else (group[0] if isinstance(group, tuple) else group)
        n_docs = g["doc_id"].nunique()
        by_doc = n_docs >= min_docs and not force_sentences
        clusters = [c["compound"].to_numpy() for _, c in g.groupby("doc_id")] if by_doc else \
            [np.array([v]) for v in g["compound"].to_numpy()]
        out[group_label(group)] = (clusters, g["compound"].to_numpy(), n_docs,
                                   "documents" if by_doc else "sentences",
                                   group if isinstance(group, tuple) else (group,))
    return out


def _boot_mean(clusters, n_resamples, rng) -> np.ndarray:
    sums = np.array([c.sum() for c in clusters])
    counts = np.array([len(c) for c in clusters], dtype=float)
    out = np.empty(n_resamples)
    for start, weights in _weight_blocks(len(clusters), n_resamples, rng):
        out[start:start + len(weights)] = (weights @ sums) / (weights @ counts)
    return out


def sentiment_with_ci(docs, segments, sentences, scores, *, by=("voice",), n_resamples=2000,
                      seed=12345, confidence=0.95, min_docs=5) -> pd.DataFrame:
    """Mean sentence compound per group with a cluster-bootstrap CI.

    Returns
    -------
    DataFrame ``<by>, n_sentences, n_docs, mean_compound, ci_low, ci_high, resampling,
    small_sample``.
    """
    by = _as_list(by)
    _check(n_resamples, confidence, min_docs)
    units = _sentence_units(docs, segments, sentences, scores, by, min_docs)
    small = sorted(k for k, v in units.items() if v[3] == "sentences")
    if small:
        warnings.warn(f"groups with fewer than {min_docs} documents are resampled by sentences: "
                      f"{', '.join(small)}", SmallSampleWarning, stacklevel=2)
    alpha = (1 - confidence) / 2
    rows = []
    for label, (clusters, values, n_docs, resampling, group_values) in units.items():
        boot = _boot_mean(clusters, n_resamples, _rng(seed, "sentiment", label))
        low, high = np.quantile(boot, [alpha, 1 - alpha])
        rows.append((*group_values, len(values), n_docs, float(values.mean()), low, high,
                     resampling, resampling == "sentences" or len(values) < 20))
    return _round(pd.DataFrame(rows, columns=[*by, "n_sentences", "n_docs", "mean_compound",
                                              "ci_low", "ci_high", "resampling", "small_sample"]))


def compare_sentiment(docs, segments, sentences, scores, *, by=("voice",), versus_rest=True,
                      n_resamples=2000, n_permutations=2000, seed=12345, confidence=0.95,
                      min_docs=5) -> pd.DataFrame:
    """Differences of mean sentence compounds between groups, with CI, Cliff's delta and p.

    The difference has a cluster-bootstrap CI; Cliff's delta is computed over sentences; p is a
    seeded two-sided permutation test of the difference of means with clusters (documents, or
    sentences for small groups) as the exchangeable units; q (BH) and Holm over all rows.
    """
    by = _as_list(by)
    _check(n_resamples, confidence, min_docs)
    by_doc = _sentence_units(docs, segments, sentences, scores, by, min_docs)
    by_sentence = None
    if any(v[3] == "sentences" for v in by_doc.values()):
        by_sentence = _sentence_units(docs, segments, sentences, scores, by, min_docs,
                                      force_sentences=True)
        small = sorted(k for k, v in by_doc.items() if v[3] == "sentences")
        warnings.warn(f"groups with fewer than {min_docs} documents are compared by resampling "
                      f"sentences: {', '.join(small)}", SmallSampleWarning, stacklevel=2)
    labels = sorted(by_doc)
    if len(labels) < 2:
        raise ParameterError("comparisons need at least two groups", value=labels)
    alpha = (1 - confidence) / 2
    rows = []
    for a_label, b_label in _pairs(labels, versus_rest):
        members = [a_label, b_label] if b_label else labels
        units = by_doc if all(by_doc[x][3] == "documents" for x in members) else by_sentence
        a = units[a_label]
        if b_label:
            b = units[b_label]
        else:
            rest = [units[x] for x in labels if x != a_label]
            b = ([c for r in rest for c in r[0]], np.concatenate([r[1] for r in rest]),
                 sum(r[2] for r in rest), rest[0][3], ())
        name = f"{a_label} vs {b_label or 'rest'}"
        diff = (_boot_mean(a[0], n_resamples, _rng(seed, "s-a", name))
                - _boot_mean(b[0], n_resamples, _rng(seed, "s-b", name)))
        low, high = np.quantile(diff, [alpha, 1 - alpha])
        p = _permutation_mean_p(a[0], b[0], n_permutations, _rng(seed, "s-perm", name))
        mean_a, mean_b = float(a[1].mean()), float(b[1].mean())
        rows.append((name, a_label, b_label or "rest", len(a[1]), len(b[1]), mean_a, mean_b,
                     mean_a - mean_b, low, high, cliffs_delta(a[1], b[1]), p, a[3],
                     a[3] == "sentences" or min(len(a[1]), len(b[1])) < 20))
    frame = pd.DataFrame(rows, columns=["comparison", "group_a", "group_b", "n_a", "n_b",
                                        "mean_a", "mean_b", "difference", "ci_low", "ci_high",
                                        "cliffs_delta", "p_value", "resampling", "small_sample"])
    frame.insert(frame.columns.get_loc("p_value") + 1, "q_bh", benjamini_hochberg(frame["p_value"]))
    frame.insert(frame.columns.get_loc("q_bh") + 1, "p_holm", holm(frame["p_value"]))
    return _round(frame)


def _permutation_mean_p(a_clusters, b_clusters, n_permutations, rng) -> float:
    clusters = list(a_clusters) + list(b_clusters)
    sums = np.array([c.sum() for c in clusters])
    counts = np.array([len(c) for c in clusters], dtype=float)
    return float(_permutation_ratio_p(sums, counts, len(a_clusters), n_permutations, rng)[0])
