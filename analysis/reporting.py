"""Building blocks the report notebooks call, so that notebooks stay a list of calls.

Each function takes the analysed corpus (:class:`analysis.pipeline.Analysis`) or a table and
returns a table, a figure or an HTML view; nothing here prints.
"""
from __future__ import annotations

import html
from pathlib import Path

import pandas as pd

from . import __version__
from .export import ReportOutputs, corpus_fingerprint
from .groups import label_units, token_counts
from .kwic import kwic_for_hits
from .figures import (plot_category_heatmap, plot_comparison, plot_rates, plot_sentiment,
                      plot_sources)
from .pipeline import Analysis, analyze
from .sentiment import sentiment_model
from .summary import summarize_corpus

__all__ = ["open_report", "heading", "parameter_table", "keyness_pair", "headline_findings", "evidence_for_findings",
           "methods_note", "document_list", "plot_rates", "plot_comparison", "plot_sentiment",
           "plot_category_heatmap", "plot_sources", "summarize_corpus"]


def open_report(corpus: str | Path, *, parameters: dict, run_label: str = "",
                folder: str | Path = ".", cache: str = "", engine: str = "local",
                scheduler: str = "") -> tuple[Analysis, ReportOutputs]:
    """Analyse the corpus (through the result cache when given) and prepare the output folder
    of a report run."""
    # Reports show whole tables (the CSV files hold them too), not pandas' truncated view.
    pd.set_option("display.max_columns", 60)
    pd.set_option("display.width", 250)
    result = analyze(corpus, cache=cache or None, engine=engine, scheduler=scheduler or None)
    context = {"corpus_name": Path(str(corpus)).name or str(corpus),
               "corpus_sha256": corpus_fingerprint(result.docs),
               "run_label": run_label or "report", "parameters": dict(parameters)}
    return result, ReportOutputs(folder, context=context)


class _Html:
    def __init__(self, markup: str) -> None:
        self.markup = markup

    def _repr_html_(self) -> str:
        return self.markup

    def __repr__(self) -> str:  # stable text/plain output: no memory address in notebooks
        return "HTML view"


def heading(text: str, level: int = 4) -> _Html:
    """An escaped HTML heading (titles may contain corpus text)."""
    return _Html(f"<h{level}>{html.escape(text)}</h{level}>")


def parameter_table(parameters: dict) -> _Html:
    """The run's parameters as an HTML table (shown in the report; code cells are hidden)."""
    rows = "".join(f"<tr><td><code>{html.escape(str(k))}</code></td>"
                   f"<td><code>{html.escape(repr(v))}</code></td></tr>"
                   for k, v in parameters.items())
    return _Html(f"<table class='dk-parameters'><thead><tr><th>parameter</th><th>value</th></tr>"
                 f"</thead><tbody>{rows}</tbody></table>")


def keyness_pair(result: Analysis, *, by: str, target: str = "",
                 reference: str = "") -> tuple[str, str | None]:
    """The groups to compare in the keyness table: the given ones, or by default the group with
    the most tokens against all others (so any ``group_by`` works without extra parameters)."""
    if target:
        return target, reference or None
    labelled = label_units(token_counts(result.tokens), result.docs, result.segments, [by])
    # Groups in sorted order first, so that a tie goes to the first label.
    sizes = labelled.groupby(by)["n_tokens"].sum().sort_values(ascending=False, kind="stable")
    return str(sizes.index[0]), reference or None


def headline_findings(comparisons: pd.DataFrame, *, top: int = 3) -> pd.DataFrame:
    """The strongest pairwise differences: smallest q, then largest |log2 ratio|; pairs only."""
    pairs = comparisons[comparisons["group_b"] != "rest"].copy()
    pairs = pairs[(pairs["hits_a"] + pairs["hits_b"]) > 0]
    pairs["_abs"] = pairs["log2_ratio"].abs()
    ranked = pairs.sort_values(["q_bh", "_abs", "comparison", "measure"],
                               ascending=[True, False, True, True], kind="stable")
    return ranked.drop(columns="_abs").head(top).reset_index(drop=True)


def evidence_for_findings(result: Analysis, findings: pd.DataFrame, *, by: str,
                          lines: int = 10, window: int = 8) -> list[tuple[str, pd.DataFrame]]:
    """KWIC lines behind each finding: hits of the measure in group A, then in group B."""
    labelled = label_units(result.matches, result.docs, result.segments, [by],
                           sentences=result.sentences)
    out = []
    for row in findings.itertuples(index=False):
        for group in (row.group_a, row.group_b):
            mask = (labelled["measure"] == row.measure) & (labelled[by] == group)
            hits = result.matches[mask.to_numpy()].head(lines)
            table = kwic_for_hits(result.docs, result.tokens, hits, window=window)
            title = f"{row.measure.replace('_', ' ')} in {group} ({row.comparison})"
            out.append((title, table))
    return out


def methods_note(result: Analysis) -> _Html:
    """Versions of the lexicons and the sentiment model that produced ``result``, for the methods
    section: a replacement lexicon given to ``analyze(lexicons=...)`` is named with its own
    version and sha256, and measures left out by ``measures=`` are not listed."""
    from .lexicon import Lexicon, load_lexicon
    from .measures import MEASURES, _bundled_lexicon_of
    options = result.options
    names = list(MEASURES) if options.get("measures") is None else list(options["measures"])
    replaced = options.get("lexicons") or {}
    items = []
    for name in names:
        source = replaced.get(name, _bundled_lexicon_of(MEASURES[name]))
        if source is None:
            items.append(f"<li>{html.escape(name)}: the measure's own function</li>")
            continue
        lex = source if isinstance(source, Lexicon) else load_lexicon(source)
        items.append(f"<li>{html.escape(name)}: {html.escape(lex.name)} {html.escape(lex.version)} "
                     f"(sha256 {lex.sha256[:12]}): {html.escape(str(lex.provenance['citation']))}</li>")
    if options.get("sources"):
        items.append(f"<li>sources: {html.escape(Path(options['sources']).name)}</li>")
    model = sentiment_model()
    items.append(f"<li>sentiment: {html.escape(model['implementation'])} (nltk {model['nltk']}), "
                 f"{html.escape(model['lexicon'])}, sentence by sentence</li>")
    items.append(f"<li>discourse kit {__version__}</li>")
    return _Html("<ul class='dk-methods'>" + "".join(items) + "</ul>")


def document_list(result: Analysis) -> pd.DataFrame:
    """One row per document: id, the main metadata, tokens and sentences."""
    docs = result.docs
    cols = [c for c in ("doc_id", "title", "date", "genre", "kind", "outlet", "source")
            if c in docs.columns]
    out = docs[cols].copy()
    out["sentences"] = out["doc_id"].map(result.sentences.groupby("doc_id").size()).fillna(0) \
        .astype(int)
    out["tokens"] = out["doc_id"].map(result.tokens.groupby("doc_id").size()).fillna(0).astype(int)
    return out
