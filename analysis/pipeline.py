"""One-call entry points that chain the stages: corpus -> sentences -> tokens -> matches/scores."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .corpus import load_corpus
from .errors import ParameterError
from .groups import profile_groups, rates_by_group, sentiment_by_group
from .keyness import keyness_by_group
from .kwic import KwicTable, kwic
from .measures import rates_by_document
from .sentiment import sentiment_by_document
from .stats import compare_rates, compare_sentiment, rates_with_ci, sentiment_with_ci
from .summary import summarize_corpus
from .tokens import sentences_table, tokens_table
from .views import HighlightedDocument, highlight_document

__all__ = ["Analysis", "analyze", "summarize_path"]


@dataclass
class Analysis:
    """The tables of one analysed corpus, with shortcuts to the evidence views."""

    docs: pd.DataFrame
    relations: pd.DataFrame | None
    segments: pd.DataFrame | None
    sentences: pd.DataFrame
    tokens: pd.DataFrame
    matches: pd.DataFrame
    scores: pd.DataFrame
    #: What the tables were computed with: ``measures``, ``lexicons`` (replacements by measure),
    #: ``voices``, ``sources``; methods notes and manifests describe the run from it.
    options: dict = field(default_factory=dict)

    @property
    def sentences_with_scores(self) -> pd.DataFrame:
        """Sentences joined with their VADER scores."""
        return self.sentences.merge(self.scores, on=["doc_id", "sent_id"], how="left")

    def kwic(self, **options) -> KwicTable:
        """:func:`analysis.kwic.kwic` over this corpus (term=, measure=, category=, window=...)."""
        return kwic(self.docs, self.tokens, self.matches, sentences=self.sentences,
                    segments=self.segments, **options)

    def highlight(self, doc_id: str, **options) -> HighlightedDocument:
        """:func:`analysis.views.highlight_document` for one document of this corpus."""
        return highlight_document(self.docs, doc_id, self.matches, segments=self.segments,
                                  **options)

    def rates_by_document(self, *, level: str = "category") -> pd.DataFrame:
        """Per-document hits per 1,000 tokens, zeros included."""
        return rates_by_document(self.docs, self.tokens, self.matches, level=level)

    def sentiment_by_document(self) -> pd.DataFrame:
        """Mean sentence compound per document with its n."""
        return sentiment_by_document(self.docs, self.scores)

    def rates(self, *, by=("voice",), level: str = "measure") -> pd.DataFrame:
        """:func:`analysis.groups.rates_by_group`: hits per 1,000 tokens per group."""
        return rates_by_group(self.docs, self.segments, self.sentences, self.tokens, self.matches,
                              by=by, level=level)

    def sentiment(self, *, by=("voice",)) -> pd.DataFrame:
        """:func:`analysis.groups.sentiment_by_group`: sentence compounds per group."""
        return sentiment_by_group(self.docs, self.segments, self.sentences, self.scores, by=by)

    def rates_ci(self, *, by=("voice",), level: str = "measure", **options) -> pd.DataFrame:
        """:func:`analysis.stats.rates_with_ci`: rates per group with bootstrap CIs."""
        return rates_with_ci(self.docs, self.segments, self.sentences, self.tokens, self.matches,
                             by=by, level=level, **options)

    def compare(self, *, by=("voice",), level: str = "measure", measure: str | None = None,
                **options) -> pd.DataFrame:
        """:func:`analysis.stats.compare_rates`, optionally for one measure only.

        ``result.compare(by="voice", measure="hedge")`` answers "is hedging higher in commentary
        than in official statements, by how much, how sure are we": rates, difference and rate
        ratio with CIs, permutation p, BH q and Holm p for every pair of voices.
        """
        table = compare_rates(self.docs, self.segments, self.sentences, self.tokens,
                              self.matches, by=by, level=level, **options)
        if measure is not None:
            if measure not in set(table["measure"]):
                raise ParameterError("unknown measure", value=measure,
                                     allowed=sorted(set(table["measure"])))
            table = table[table["measure"] == measure].reset_index(drop=True)
        return table

    def sentiment_ci(self, *, by=("voice",), **options) -> pd.DataFrame:
        """:func:`analysis.stats.sentiment_with_ci`: mean sentence compound with CIs."""
        return sentiment_with_ci(self.docs, self.segments, self.sentences, self.scores, by=by,
                                 **options)

    def compare_sentiment(self, *, by=("voice",), **options) -> pd.DataFrame:
        """:func:`analysis.stats.compare_sentiment`: differences, CIs, Cliff's delta, p, q."""
        return compare_sentiment(self.docs, self.segments, self.sentences, self.scores, by=by,
                                 **options)

    def keyness(self, *, by=("voice",), target: str, reference: str | None = None,
                **options) -> pd.DataFrame:
        """:func:`analysis.keyness.keyness_by_group`: G2, Log Ratio, log-odds z per term."""
        return keyness_by_group(self.docs, self.segments, self.tokens, by=by, target=target,
                                reference=reference, **options)

    def profile(self, *, by=("voice",)) -> pd.DataFrame:
        """Rates of every measure and sentiment per group (voice, source, ...), one row each."""
        return profile_groups(self.docs, self.segments, self.sentences, self.tokens,
                              self.matches, self.scores, by=by)


def analyze(corpus: str | Path | pd.DataFrame, *, measures=None, lexicons=None,
            voices: bool = True, segments: pd.DataFrame | None = None, sources=None,
            jobs: int | None = None, engine: str = "local", scheduler: str | None = None,
            cache: str | Path | None = None, **load_options) -> Analysis:
    """Load (if a path) and analyse a corpus: voices, sentences, tokens, matches, sentiment.

    Parameters
    ----------
    corpus : a path accepted by :func:`analysis.corpus.load_corpus`, or a docs table.
    measures, lexicons : passed to :func:`analysis.measures.match_measures`.
    voices : find attributions and voices (segments); False treats each document as one
        segment with its metadata voice.
    segments : a ready segments table instead of finding voices; sentences never cross it.
    sources : path of a sources file (default the bundled ``sources.yaml``).
    jobs : worker processes (or Dask workers); default all cores for corpora over ~16 MB
        (below that, shipping the result tables between processes costs more than a second
        core saves).
        Results are identical for any number of workers.
    engine : ``local`` or ``dask`` (dask.distributed; a LocalCluster unless ``scheduler``).
    scheduler : address of a running Dask scheduler, e.g. ``tcp://host:8786``.
    cache : folder of the per-document result cache (Parquet); unchanged documents are read
        back instead of analysed again.
    load_options : keyword options of ``load_corpus`` (encoding=, text_column=, ...).
    """
    from .engine import analyze_chunk, run_engine

    docs = corpus if isinstance(corpus, pd.DataFrame) else load_corpus(corpus, **load_options)
    if sources is not None and not isinstance(sources, (str, Path)):
        raise ParameterError("sources= takes the path of a sources file", value=type(sources).__name__)
    options = {"measures": measures, "lexicons": lexicons, "voices": voices and segments is None,
               "sources": None if sources is None else str(sources)}
    if segments is not None:
        tables = analyze_chunk(docs, options, segments)
    elif cache is not None:
        from .cache import ResultCache
        tables = ResultCache(cache).analyze(docs, options, engine=engine, jobs=jobs,
                                            scheduler=scheduler)
    else:
        tables = run_engine(docs, options, engine=engine, jobs=jobs, scheduler=scheduler)
    return Analysis(docs, tables["relations"], tables["segments"], tables["sentences"],
                    tables["tokens"], tables["matches"], tables["scores"], options=options)


def summarize_path(path: str | Path, *, by=None, **load_options) -> pd.DataFrame:
    """Load the corpus at ``path`` and return :func:`analysis.summary.summarize_corpus` of it."""
    docs = load_corpus(path, **load_options)
    sentences = sentences_table(docs)
    return summarize_corpus(docs, sentences, tokens_table(docs, sentences), by=by)
