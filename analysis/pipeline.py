"""One-call entry points that chain the stages: corpus -> sentences -> tokens -> tables."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from .corpus import load_corpus
from .outputs import atomic_directory
from .summary import summarize_corpus
from .tokens import sentences_table, tokens_table

__all__ = ["summarize_path", "write_corpus_summary"]


def summarize_path(path: str | Path, *, by=None, **load_options) -> pd.DataFrame:
    """Load the corpus at ``path`` and return :func:`analysis.summary.summarize_corpus` of it."""
    docs = load_corpus(path, **load_options)
    sentences = sentences_table(docs)
    return summarize_corpus(docs, sentences, tokens_table(docs, sentences), by=by)


def write_corpus_summary(corpus: str | Path, out: Path) -> Path:
    """Write ``<out>/corpus-summary/summary.csv`` and ``summary.txt`` for the corpus, atomically."""
    table = summarize_path(corpus)
    target = Path(out) / "corpus-summary"
    with atomic_directory(target) as tmp:
        table.to_csv(tmp / "summary.csv", index=False, lineterminator="\n")
        (tmp / "summary.txt").write_text(table.to_string(index=False) + "\n", encoding="utf-8")
    return target
