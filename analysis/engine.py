"""Running the per-document stages on several cores or a Dask cluster, with identical results.

Every stage up to the evidence table works document by document, so a corpus is cut into
contiguous chunks of documents, each chunk is analysed on its own (in this process, in worker
processes, or on Dask workers), and the tables are concatenated in chunk order: the result is the
same, row for row, whatever the engine and the number of workers (tests assert it).
"""
from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pandas as pd

from .errors import ParameterError

__all__ = ["TABLES", "ENGINES", "analyze_chunk", "chunk_documents", "run_engine", "default_jobs",
           "concat_tables"]

TABLES = ("relations", "segments", "sentences", "tokens", "matches", "scores")
ENGINES = ("local", "dask")
# Below this, shipping the result tables (about 16 bytes of tables per byte of text) back from
# worker processes costs more than the second core saves: measured on 2 cores, analyze() with
# 2 workers was 0.35 s against 0.27 s for one on 2.2 MB, level at 19 MB, 1.25x faster at 38 MB.
# Streaming (analysis.stream) writes tables in the workers and scales at any size.
_PARALLEL_MIN_CHARS = 16_000_000


def default_jobs(docs: pd.DataFrame) -> int:
    """All cores for corpora over about 16 MB of text, else one (see _PARALLEL_MIN_CHARS)."""
    if int(docs["text"].str.len().sum()) < _PARALLEL_MIN_CHARS:
        return 1
    return max(1, os.cpu_count() or 1)


def analyze_chunk(docs: pd.DataFrame, options: dict,
                  segments: pd.DataFrame | None = None) -> dict[str, pd.DataFrame]:
    """All per-document stages for some documents: relations, segments, sentences, tokens,
    matches and sentence scores. ``options``: measures, lexicons, sources, voices.
    ``segments``: a ready segments table instead of finding voices (no relations then)."""
    from .attribution import extract_attributions
    from .measures import match_measures, sentence_voices
    from .sentiment import score_sentences
    from .sources import load_sources
    from .tokens import sentence_memo, sentences_table, tokens_table
    from .voices import segment_documents

    with sentence_memo():  # attribution and sentences_table split the same layout units
        docs = docs.reset_index(drop=True)
        sources = load_sources(options["sources"]) if options.get("sources") else None
        relations = None
        if segments is None and options.get("voices", True):
            relations = extract_attributions(docs, sources=sources)
            segments = segment_documents(docs, relations, sources=sources)
        sentences = sentences_table(docs, segments)
        tokens = tokens_table(docs, sentences)
        matches = match_measures(docs, sentences, tokens, measures=options.get("measures"),
                                 lexicons=options.get("lexicons"), segments=segments)
        scores = score_sentences(sentences, voices=sentence_voices(sentences, docs, segments))
        return {"relations": relations, "segments": segments, "sentences": sentences,
                "tokens": tokens, "matches": matches, "scores": scores}


def chunk_documents(docs: pd.DataFrame, *, jobs: int, target_chars: int = 1_000_000) -> list:
    """Contiguous row ranges of documents: at least ``2 * jobs`` chunks for balance, each about
    ``target_chars`` of text at most (bounded memory per worker)."""
    sizes = docs["text"].str.len().to_numpy()
    total = int(sizes.sum())
    n_chunks = max(2 * jobs, int(np.ceil(total / target_chars)), 1)
    n_chunks = min(n_chunks, max(len(docs), 1))
    bounds = np.searchsorted(np.cumsum(sizes), np.linspace(0, total, n_chunks + 1)[1:-1],
                             side="left") + 1
    edges = sorted({0, len(docs), *bounds.tolist()})
    return [(a, b) for a, b in zip(edges, edges[1:]) if a < b]


def concat_tables(parts: list[dict]) -> dict[str, pd.DataFrame | None]:
    """Concatenate per-chunk (or per-document) tables in the order given."""
    out = {}
    for name in TABLES:
        frames = [p[name] for p in parts if p[name] is not None]
        if not frames:
            out[name] = None
            continue
        non_empty = [f for f in frames if len(f)]
        out[name] = pd.concat(non_empty or frames[:1], ignore_index=True)
    if out["scores"] is not None:
        out["scores"].attrs = dict(parts[0]["scores"].attrs) if parts else {}
    return out


def run_engine(docs: pd.DataFrame, options: dict, *, engine: str = "local",
               jobs: int | None = None, scheduler: str | None = None) -> dict:
    """Analyse ``docs`` chunk by chunk on the chosen engine; tables in document order.

    Parameters
    ----------
    engine : ``local`` (this process, or ``jobs`` worker processes) or ``dask``
        (dask.distributed: a LocalCluster with ``jobs`` workers, or the cluster at ``scheduler``).
    jobs : worker count; default :func:`default_jobs`.
    scheduler : address of a running Dask scheduler, e.g. ``tcp://10.0.0.5:8786``.
    """
    if engine not in ENGINES:
        raise ParameterError("unknown engine", value=engine, allowed=", ".join(ENGINES))
    if jobs is not None and (not isinstance(jobs, (int, np.integer)) or jobs < 1):
        raise ParameterError("jobs must be a positive integer", value=jobs)
    if scheduler is not None and engine != "dask":
        raise ParameterError("scheduler= needs engine='dask'", value=scheduler)
    jobs = jobs or default_jobs(docs)
    if engine == "local" and jobs == 1:
        return analyze_chunk(docs, options)
    chunks = [docs.iloc[a:b] for a, b in chunk_documents(docs, jobs=jobs)]
    if engine == "local":
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            parts = list(pool.map(analyze_chunk, chunks, [options] * len(chunks)))
    else:
        parts = _run_dask(chunks, options, jobs=jobs, scheduler=scheduler)
    return concat_tables(parts)


def _run_dask(chunks: list, options: dict, *, jobs: int, scheduler: str | None) -> list[dict]:
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:  # pragma: no cover - depends on the install
        raise ParameterError("engine='dask' needs the dask extra: pip install 'discourse-kit[dask]'") \
            from None
    cluster = None
    if scheduler is None:
        cluster = LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True,
                               dashboard_address=None)
        client = Client(cluster)
    else:
        client = Client(scheduler)
    try:
        futures = client.map(analyze_chunk, chunks, options=options, pure=False)
        return client.gather(futures)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
