"""Term keyness between two groups: log-likelihood G2, Log Ratio, and log-odds with a Dirichlet prior.

References
----------
Dunning, T. (1993). Accurate methods for the statistics of surprise and coincidence.
Computational Linguistics, 19(1), 61-74.
Rayson, P., & Garside, R. (2000). Comparing corpora using frequency profiling. Proceedings of the
Workshop on Comparing Corpora, ACL 2000, 1-6.
Hardie, A. (2014). Log Ratio: an informal introduction. ESRC Centre for Corpus Approaches to
Social Science (CASS), Lancaster University.
Monroe, B. L., Colaresi, M. P., & Quinn, K. M. (2008). Fightin' words: Lexical feature selection
and evaluation for identifying the content of political conflict. Political Analysis, 16(4),
372-403.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats as sps

from .errors import ParameterError
from .groups import _as_list, label_units
from .stats import benjamini_hochberg, group_label

__all__ = ["log_likelihood_g2", "log_ratio", "log_odds_dirichlet", "keyness", "keyness_by_group"]


def log_likelihood_g2(a, b, c, d) -> np.ndarray:
    """Rayson & Garside's G2 for a term with frequency a in a corpus of c tokens and b in d.

    G2 = 2 * (a ln(a/E1) + b ln(b/E2)), E1 = c(a+b)/(c+d), E2 = d(a+b)/(c+d); 0 ln 0 = 0.
    """
    a, b, c, d = (np.asarray(v, dtype=float) for v in (a, b, c, d))
    e1 = c * (a + b) / (c + d)
    e2 = d * (a + b) / (c + d)
    with np.errstate(divide="ignore", invalid="ignore"):
        t1 = np.where(a > 0, a * np.log(a / e1), 0.0)
        t2 = np.where(b > 0, b * np.log(b / e2), 0.0)
    return 2.0 * (t1 + t2)


def log_ratio(a, b, c, d) -> np.ndarray:
    """Hardie's Log Ratio: log2 of the ratio of relative frequencies, 0.5 for a zero count."""
    a, b, c, d = (np.asarray(v, dtype=float) for v in (a, b, c, d))
    a = np.where(a == 0, 0.5, a)
    b = np.where(b == 0, 0.5, b)
    return np.log2((a / c) / (b / d))


def log_odds_dirichlet(y_i, y_j, prior) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Log-odds ratio with an informative Dirichlet prior (Monroe et al. 2008, eqs. 16-22).

    Parameters
    ----------
    y_i, y_j : counts of each term in the two groups (vectors over the same vocabulary).
    prior : Dirichlet pseudo-counts alpha_w per term (e.g. background-corpus counts).

    Returns
    -------
    (delta, variance, z) with delta = log((y_i+a)/(n_i+a0-y_i-a)) - log((y_j+a)/(n_j+a0-y_j-a)),
    variance ~ 1/(y_i+a) + 1/(y_j+a), z = delta / sqrt(variance).
    """
    y_i, y_j, alpha = (np.asarray(v, dtype=float) for v in (y_i, y_j, prior))
    n_i, n_j, a0 = y_i.sum(), y_j.sum(), alpha.sum()
    delta = (np.log((y_i + alpha) / (n_i + a0 - y_i - alpha))
             - np.log((y_j + alpha) / (n_j + a0 - y_j - alpha)))
    variance = 1.0 / (y_i + alpha) + 1.0 / (y_j + alpha)
    return delta, variance, delta / np.sqrt(variance)


def keyness(target_terms, reference_terms, *, min_freq: int = 5, prior_scale: float = 1.0,
            background=None) -> pd.DataFrame:
    """Keyness of every term of two token lists (or count Series indexed by term).

    Parameters
    ----------
    target_terms, reference_terms : iterables of normalised tokens, or pandas Series of counts.
    min_freq : keep terms seen at least this often in both groups together.
    prior_scale : multiplies the Dirichlet prior; the prior is the background counts (default
        the pooled counts of both groups), as in Monroe et al.'s informative prior.
    background : optional counts Series for the prior (e.g. the whole corpus).

    Returns
    -------
    DataFrame ``term, freq_target, freq_reference, per_1k_target, per_1k_reference, g2, p_g2,
    q_g2, log_ratio, log_odds, log_odds_z``, sorted by G2 (signed by direction) descending.
    """
    if min_freq < 1:
        raise ParameterError("min_freq must be >= 1", value=min_freq)
    if not prior_scale > 0:
        raise ParameterError("prior_scale must be positive", value=prior_scale)
    t = target_terms if isinstance(target_terms, pd.Series) else pd.Series(list(target_terms)).value_counts()
    r = reference_terms if isinstance(reference_terms, pd.Series) else pd.Series(list(reference_terms)).value_counts()
    vocab = sorted(set(t.index) | set(r.index))
    ft = t.reindex(vocab, fill_value=0).to_numpy(dtype=float)
    fr = r.reindex(vocab, fill_value=0).to_numpy(dtype=float)
    c, d = ft.sum(), fr.sum()
    if c == 0 or d == 0:
        raise ParameterError("both groups need tokens for keyness", value=(int(c), int(d)))
    bg = (ft + fr) if background is None else \
        background.reindex(vocab, fill_value=0).to_numpy(dtype=float)
    delta, _, z = log_odds_dirichlet(ft, fr, prior_scale * bg + 0.01)
    g2 = log_likelihood_g2(ft, fr, c, d)
    out = pd.DataFrame({"term": vocab, "freq_target": ft.astype(np.int64),
                        "freq_reference": fr.astype(np.int64),
                        "per_1k_target": 1000 * ft / c, "per_1k_reference": 1000 * fr / d,
                        "g2": g2, "p_g2": sps.chi2.sf(g2, 1),
                        "log_ratio": log_ratio(ft, fr, c, d), "log_odds": delta, "log_odds_z": z})
    out = out[(out["freq_target"] + out["freq_reference"]) >= min_freq].copy()
    out.insert(out.columns.get_loc("p_g2") + 1, "q_g2", benjamini_hochberg(out["p_g2"]))
    signed = np.where(out["log_ratio"] >= 0, out["g2"], -out["g2"])
    out = out.assign(_s=signed).sort_values(["_s", "term"], ascending=[False, True], kind="stable")
    out = out.drop(columns="_s").reset_index(drop=True)
    for col in ("per_1k_target", "per_1k_reference", "g2", "log_ratio", "log_odds", "log_odds_z"):
        out[col] = out[col].round(4)
    out["p_g2"] = out["p_g2"].map(lambda v: float(f"{v:.6g}"))
    out["q_g2"] = out["q_g2"].map(lambda v: float(f"{v:.6g}"))
    return out


def keyness_by_group(docs, segments, tokens, *, by=("voice",), target: str,
                     reference: str | None = None, min_freq: int = 5,
                     prior_scale: float = 1.0) -> pd.DataFrame:
    """Keyness of the terms of one group against another (or against all other groups).

    ``target``/``reference`` are group labels as in the rates tables (multi-column groups are
    joined with " | "). Every term is a normalised token, reachable with ``kwic(term=...)``.
    """
    by = _as_list(by)
    labelled = label_units(tokens[["doc_id", "seg_id", "norm"]], docs, segments, by)
    labels = labelled[by].astype(str).agg(" | ".join, axis=1) if len(by) > 1 else labelled[by[0]]
    known = sorted(set(labels))
    if reference is not None and reference == target:
        raise ParameterError("target and reference must differ", value=target)
    for name, value in (("target", target), ("reference", reference)):
        if value is not None and value not in known:
            raise ParameterError(f"unknown {name} group", value=value, allowed=known)
    in_target = (labels == target).to_numpy()
    in_ref = (labels == reference).to_numpy() if reference is not None else ~in_target
    background = labelled["norm"].value_counts()
    table = keyness(labelled.loc[in_target, "norm"].value_counts(),
                    labelled.loc[in_ref, "norm"].value_counts(), min_freq=min_freq,
                    prior_scale=prior_scale, background=background)
    table.insert(0, "target", group_label(target))
    table.insert(1, "reference", group_label(reference) if reference else "rest")
    return table
