from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
CORPUS_SOURCES = SHARED / "corpus-sources"
DATA = Path(__file__).resolve().parent / "data"
SEED_FILE = ROOT / "corpus" / "rt-2025-03-18-putin-trump-call.md"


@pytest.fixture(scope="session")
def corpus_sources() -> Path:
    if not CORPUS_SOURCES.is_dir():
        pytest.skip(f"{CORPUS_SOURCES} is not beside the clone")
    return CORPUS_SOURCES


#: The corpus-sources folders the whole-corpus identity tests run over.
CORPUS_FOLDERS = ("ru_ua_war_2022", "us_ru_ua_talks_2025_whitehouse")


@pytest.fixture(scope="session")
def shared_corpus(corpus_sources):
    """The docs table of both corpus-sources folders (read-only: tests must not modify it)."""
    import pandas as pd
    from analysis import load_corpus
    return pd.concat([load_corpus(corpus_sources / name) for name in CORPUS_FOLDERS],
                     ignore_index=True)


@pytest.fixture(scope="session")
def seed_docs():
    from analysis import load_corpus
    return load_corpus(ROOT / "corpus")
