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


@pytest.fixture(scope="session")
def seed_docs():
    from analysis import load_corpus
    return load_corpus(ROOT / "corpus")
