"""Streaming analysis for corpora larger than memory: chunks in, Parquet parts out.

Documents arrive in chunks (DataFrames in the docs-table shape); each chunk is analysed in a
worker process and its tables are appended to ``<out>/<table>/part-NNNNN.parquet``. Only a few
chunks are in flight at once and tokens are kept as per-sentence counts, so memory stays bounded
whatever the corpus size. Parts are written in chunk order: the store is the same for any number
of workers.
"""
from __future__ import annotations

import json
import os
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Iterable, Iterator

import pandas as pd

from .engine import analyze_chunk
from .errors import ParameterError
from .groups import token_counts
from .outputs import atomic_directory

__all__ = ["analyze_stream", "read_store", "STORE_TABLES", "chunk_frames"]

STORE_TABLES = ("docs", "relations", "segments", "sentences", "token_counts", "matches", "scores")


def _analyze_into_store(docs: pd.DataFrame, options: dict, folder: Path, index: int) -> dict:
    """Analyse one chunk in a worker and write its parts there; the chunk's summary counts.

    Writing in the worker leaves the parent only the bookkeeping, so the workers are never
    waiting on one process that unpickles and writes every table.
    """
    tables = analyze_chunk(docs, options)
    tables["token_counts"] = token_counts(tables.pop("tokens"))
    meta = docs.drop(columns=["text"]).copy()
    meta["n_chars"] = docs["text"].str.len().to_numpy()
    tables["docs"] = meta
    _write_part(folder, index, tables)
    return {"documents": len(meta), "characters": int(meta["n_chars"].sum()),
            "sentences": len(tables["sentences"]),
            "tokens": int(tables["token_counts"]["n_tokens"].sum()),
            "hits": {str(m): int(n) for m, n in tables["matches"]["measure"].value_counts().items()}}


def chunk_frames(docs: pd.DataFrame, *, chunk_chars: int = 2_000_000) -> Iterator[pd.DataFrame]:
    """Cut an in-memory docs table into chunks of about ``chunk_chars`` characters."""
    start, size = 0, 0
    lengths = docs["text"].str.len().tolist()
    for i, n in enumerate(lengths):
        size += n
        if size >= chunk_chars:
            yield docs.iloc[start:i + 1]
            start, size = i + 1, 0
    if start < len(docs):
        yield docs.iloc[start:]


def analyze_stream(chunks: Iterable[pd.DataFrame], out: str | Path, *, jobs: int | None = None,
                   options: dict | None = None, progress: bool = False) -> dict:
    """Analyse chunks of documents into a Parquet store.

    Parameters
    ----------
    chunks : iterable of docs tables (e.g. :func:`chunk_frames`, or a generator reading files).
    out : store folder; must not exist yet (a partial store is never mistaken for a whole one).
    jobs : worker processes, default one per core; at most ``2 * jobs`` chunks are in flight.
    options : analysis options (measures, lexicons, voices, sources) as for ``analyze``.

    Returns
    -------
    dict with documents, characters, sentences, tokens, hits per measure, parts written.
    """
    out = Path(out)
    if out.exists():
        raise ParameterError("the store folder exists already; choose a new one", path=out)
    if jobs is None:
        jobs = os.cpu_count() or 1
    if not isinstance(jobs, int) or jobs < 1:
        raise ParameterError("jobs must be a positive integer", value=jobs)
    options = {"measures": None, "lexicons": None, "voices": True, "sources": None,
               **(options or {})}
    with atomic_directory(out) as tmp:
        summary = _write_store(tmp, chunks, options, jobs=jobs, progress=progress)
    return summary


def _write_store(tmp: Path, chunks: Iterable[pd.DataFrame], options: dict, *, jobs: int,
                 progress: bool) -> dict:
    """Analyse ``chunks`` on ``jobs`` workers into the empty folder ``tmp``; the summary."""
    for name in STORE_TABLES:
        (tmp / name).mkdir()
    summary = {"documents": 0, "characters": 0, "sentences": 0, "tokens": 0, "parts": 0,
               "hits": {}}
    bar = None
    if progress:
        from tqdm.auto import tqdm
        bar = tqdm(desc="chunks", unit="chunk")
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        pending: deque = deque()
        source = iter(chunks)
        exhausted = False
        submitted = 0  # part numbers follow chunk order, whichever worker finishes first
        while pending or not exhausted:
            while not exhausted and len(pending) < 2 * jobs:
                try:
                    chunk = next(source)
                except StopIteration:
                    exhausted = True
                    break
                pending.append(pool.submit(_analyze_into_store, chunk, options, tmp,
                                           submitted))
                submitted += 1
            if not pending:
                break
            _add_counts(summary, pending.popleft().result())
            summary["parts"] += 1
            if bar is not None:
                bar.update(1)
    if bar is not None:
        bar.close()
    (tmp / "summary.json").write_text(json.dumps(summary, indent=2, sort_keys=True) + "\n",
                                      encoding="utf-8")
    return summary


def _write_part(folder: Path, index: int, tables: dict) -> None:
    for name in STORE_TABLES:
        frame = tables.get(name)
        if frame is None:
            continue
        frame.reset_index(drop=True).to_parquet(folder / name / f"part-{index:05d}.parquet",
                                                index=False)


def _add_counts(summary: dict, counts: dict) -> None:
    for key in ("documents", "characters", "sentences", "tokens"):
        summary[key] += counts[key]
    for measure, n in counts["hits"].items():
        summary["hits"][measure] = summary["hits"].get(measure, 0) + n


def read_store(out: str | Path, tables: Iterable[str] = STORE_TABLES) -> dict[str, pd.DataFrame]:
    """Read back tables of a store (concatenated parts, in chunk order)."""
    out = Path(out)
    if not (out / "summary.json").is_file():
        raise ParameterError("not a complete store (no summary.json)", path=out)
    result = {}
    for name in tables:
        parts = sorted((out / name).glob("part-*.parquet"))
        result[name] = (pd.concat([pd.read_parquet(p) for p in parts], ignore_index=True)
                        if parts else None)
    return result
