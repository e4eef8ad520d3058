"""Figures as functions of the tables: print-ready, colour-blind safe, byte-reproducible.

Every function takes a tidy table (rates with CIs, comparisons, sentiment) and a width in inches,
and returns a matplotlib Figure; :mod:`analysis.export` saves it as PNG (300 dpi), PDF and SVG.
Journal widths: single column 3.5 in (89 mm), double column 7.2 in (183 mm).
"""
from __future__ import annotations

import contextlib

import matplotlib

matplotlib.use("Agg")  # no display needed; the same backend everywhere keeps bytes identical
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402

__all__ = ["WIDTHS", "figure_style", "plot_rates", "plot_sentiment", "plot_comparison",
           "plot_category_heatmap", "plot_sources"]

WIDTHS = {"single": 3.5, "double": 7.2}
_RC = {
    "font.family": "DejaVu Sans", "font.size": 8, "axes.titlesize": 9, "axes.labelsize": 8,
    "xtick.labelsize": 7, "ytick.labelsize": 7, "legend.fontsize": 7, "legend.title_fontsize": 7,
    "axes.spines.top": False, "axes.spines.right": False, "axes.linewidth": 0.6,
    "xtick.major.width": 0.6, "ytick.major.width": 0.6, "lines.linewidth": 1.0,
    "pdf.fonttype": 42, "ps.fonttype": 42,        # TrueType fonts embedded in PDF/PS
    "svg.fonttype": "path", "svg.hashsalt": "discourse-kit",  # text as paths, stable ids
    "figure.dpi": 100, "savefig.dpi": 300, "path.simplify": True,
}


@contextlib.contextmanager
def figure_style():
    """Matplotlib settings of every kit figure (fonts, sizes, TrueType, fixed SVG ids)."""
    with plt.rc_context(_RC), sns.axes_style("ticks", rc={k: v for k, v in _RC.items()
                                                          if k.startswith("axes")}):
        yield sns.color_palette("colorblind")


def _palette(n: int):
    return sns.color_palette("colorblind", n_colors=max(n, 1))


def _group_column(table: pd.DataFrame) -> str:
    skip = {"measure", "category", "hits", "tokens", "per_1k", "ci_low", "ci_high", "n_docs",
            "n_units", "resampling", "small_sample", "n_sentences", "mean_compound"}
    return next(c for c in table.columns if c not in skip)


def _point_with_ci(ax, x: float, y: float, low: float, high: float, colour, *, small: bool,
                   marker: str = "o") -> None:
    """One estimate with its interval; a hollow marker flags a small sample."""
    ax.errorbar(x, y, xerr=[[x - low], [high - x]], fmt=marker, color=colour,
                mfc="white" if small else colour, ms=4, capsize=2, elinewidth=0.8)


def _finish_forest(fig, ax, labels, xlabel: str, title: str | None) -> None:
    """Zero line, one row per label from the top, axis label and title."""
    ax.axvline(0, color="0.5", lw=0.6, ls="--")
    ax.set_yticks(np.arange(len(labels)), list(labels))
    ax.invert_yaxis()
    ax.set_xlabel(xlabel)
    if title:
        ax.set_title(title)
    fig.tight_layout()


def plot_rates(rates: pd.DataFrame, *, width: float = WIDTHS["double"],
               title: str | None = None) -> plt.Figure:
    """Rate per 1,000 tokens with its CI, one panel per measure, one colour per group.

    Hollow markers flag small samples (resampled by sentences or fewer than 5 hits).
    """
    group = _group_column(rates)
    measures = list(dict.fromkeys(rates["measure"]))
    groups = sorted(rates[group].unique())
    with figure_style():
        colours = dict(zip(groups, _palette(len(groups))))
        ncols = min(len(measures), 4 if width > 5 else 2)
        nrows = int(np.ceil(len(measures) / ncols))
        fig, axes = plt.subplots(nrows, ncols, figsize=(width, 1.6 * nrows + 0.5), squeeze=False)
        for ax, measure in zip(axes.flat, measures):
            sub = rates[rates["measure"] == measure].set_index(group).reindex(groups)
            y = np.arange(len(groups))
            for yi, g in zip(y, groups):
                row = sub.loc[g]
                _point_with_ci(ax, row["per_1k"], yi, row["ci_low"], row["ci_high"], colours[g],
                               small=bool(row["small_sample"]))
            ax.set_yticks(y, groups)
            ax.set_title(measure.replace("_", " "))
            ax.set_xlabel("per 1,000 tokens")
            ax.set_xlim(left=0)
            ax.invert_yaxis()
        for ax in list(axes.flat)[len(measures):]:
            ax.set_visible(False)
        if title:
            fig.suptitle(title, fontsize=9)
        fig.tight_layout()
    return fig


def plot_comparison(comparisons: pd.DataFrame, *, width: float = WIDTHS["single"],
                    title: str | None = None) -> plt.Figure:
    """Forest plot of log2 rate ratios with CIs for every comparison of one measure."""
    with figure_style():
        fig, ax = plt.subplots(figsize=(width, 0.35 * len(comparisons) + 0.9))
        lr = comparisons["log2_ratio"].to_numpy()
        lo = np.log2(comparisons["ratio_ci_low"].clip(lower=1e-9).to_numpy())
        hi = np.log2(comparisons["ratio_ci_high"].clip(lower=1e-9).to_numpy())
        colour = _palette(1)[0]
        for yi, (point, low, high, small) in enumerate(zip(lr, lo, hi, comparisons["small_sample"])):
            _point_with_ci(ax, point, yi, low, high, colour, small=bool(small), marker="s")
        _finish_forest(fig, ax, comparisons["comparison"], "log2 rate ratio (A / B), 95% CI", title)
    return fig


def plot_sentiment(sentiment: pd.DataFrame, *, width: float = WIDTHS["single"],
                   title: str | None = None) -> plt.Figure:
    """Mean sentence compound per group with its CI."""
    group = _group_column(sentiment)
    with figure_style():
        data = sentiment.sort_values(group)
        fig, ax = plt.subplots(figsize=(width, 0.35 * len(data) + 0.9))
        colours = _palette(len(data))
        for yi, (row, colour) in enumerate(zip(data.itertuples(index=False), colours)):
            _point_with_ci(ax, row.mean_compound, yi, row.ci_low, row.ci_high, colour,
                           small=bool(row.small_sample))
        _finish_forest(fig, ax, data[group], "mean sentence compound (VADER), 95% CI", title)
    return fig


def plot_category_heatmap(rates: pd.DataFrame, *, measure: str, width: float = WIDTHS["double"],
                          title: str | None = None) -> plt.Figure:
    """Heatmap of per-1k rates of one measure's categories (rows) by group (columns)."""
    group = _group_column(rates)
    sub = rates[rates["measure"] == measure]
    table = sub.pivot_table(index="category", columns=group, values="per_1k", aggfunc="first")
    table = table.sort_index()
    with figure_style():
        fig, ax = plt.subplots(figsize=(width, 0.22 * len(table) + 1.2))
        sns.heatmap(table, ax=ax, cmap="cividis", annot=True, fmt=".1f", linewidths=0.3,
                    annot_kws={"fontsize": 6}, cbar_kws={"label": "per 1,000 tokens"})
        ax.set_xlabel("")
        ax.set_ylabel("")
        ax.set_yticklabels([t.get_text().replace("_", " ") for t in ax.get_yticklabels()],
                           rotation=0)
        if title:
            ax.set_title(title)
        fig.tight_layout()
    return fig


def plot_sources(profile: pd.DataFrame, *, top: int = 12, width: float = WIDTHS["single"],
                 title: str | None = None) -> plt.Figure:
    """Who is quoted: tokens attributed to each source (top sources), coloured by source type."""
    data = profile.sort_values(["tokens", "source"], ascending=[False, True]).head(top)
    with figure_style():
        types = sorted(data["source_type"].unique()) if "source_type" in data else ["all"]
        colours = dict(zip(types, _palette(len(types))))
        fig, ax = plt.subplots(figsize=(width, 0.25 * len(data) + 0.9))
        bar_colours = [colours[t] for t in data.get("source_type", ["all"] * len(data))]
        ax.barh(np.arange(len(data)), data["tokens"], color=bar_colours)
        ax.set_yticks(np.arange(len(data)), [str(s)[:40] for s in data["source"]])
        ax.invert_yaxis()
        ax.set_xlabel("tokens attributed")
        handles = [plt.Rectangle((0, 0), 1, 1, color=colours[t]) for t in types]
        ax.legend(handles, types, frameon=False, loc="lower right")
        if title:
            ax.set_title(title)
        fig.tight_layout()
    return fig
