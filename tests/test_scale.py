"""Engines (1 core, 2 cores, Dask) give identical tables; the result cache's invalidation rules."""
from __future__ import annotations

import pandas as pd
import pytest

import analysis
from analysis.cache import ResultCache, document_keys
from analysis.engine import TABLES, chunk_documents, run_engine
from analysis.errors import ParameterError

OPTIONS = {"measures": None, "lexicons": None, "voices": True, "sources": None}


@pytest.fixture(scope="module")
def docs(corpus_sources):
    return analysis.load_corpus(corpus_sources / "us_ru_ua_talks_2025_whitehouse")


@pytest.fixture(scope="module")
def single(docs):
    return run_engine(docs, OPTIONS, jobs=1)


def assert_same(a: dict, b: dict):
    for name in TABLES:
        pd.testing.assert_frame_equal(a[name], b[name], obj=name)


def test_two_processes_equal_one(docs, single):
    assert_same(single, run_engine(docs, OPTIONS, jobs=2))


@pytest.mark.slow
def test_dask_local_cluster_equals_one_core(docs, single):
    pytest.importorskip("dask.distributed")
    assert_same(single, run_engine(docs, OPTIONS, engine="dask", jobs=2))


def test_chunks_cover_every_document_once(docs):
    chunks = chunk_documents(docs, jobs=2, target_chars=50_000)
    assert chunks[0][0] == 0 and chunks[-1][1] == len(docs)
    assert all(a < b for a, b in chunks) and all(x[1] == y[0] for x, y in zip(chunks, chunks[1:]))
    assert len(chunks) >= 4


def test_engine_parameters_are_checked(docs):
    with pytest.raises(ParameterError, match="unknown engine"):
        run_engine(docs, OPTIONS, engine="spark")
    with pytest.raises(ParameterError, match="scheduler"):
        run_engine(docs, OPTIONS, scheduler="tcp://127.0.0.1:8786")
    with pytest.raises(ParameterError, match="jobs"):
        run_engine(docs, OPTIONS, jobs=0)


def test_cache_reuses_unchanged_and_redoes_changed_documents(docs, single, tmp_path):
    cache = ResultCache(tmp_path / "cache")
    assert_same(single, cache.analyze(docs, OPTIONS, jobs=1))
    assert (cache.hits, cache.misses) == (0, len(docs))
    warm = ResultCache(tmp_path / "cache")
    assert_same(single, warm.analyze(docs, OPTIONS, jobs=1))
    assert (warm.hits, warm.misses) == (len(docs), 0)  # no re-analysis at all
    changed = docs.copy()
    changed.loc[3, "text"] = changed.loc[3, "text"] + "\nThe Kremlin said nothing."
    again = ResultCache(tmp_path / "cache")
    result = again.analyze(changed, OPTIONS, jobs=1)
    assert (again.hits, again.misses) == (len(docs) - 1, 1)
    assert_same(run_engine(changed, OPTIONS, jobs=1), result)


def test_metadata_that_changes_voices_changes_the_key(docs):
    keys = document_keys(docs, OPTIONS)
    relabelled = docs.copy()
    relabelled.loc[0, "kind"] = "commentary"
    new = document_keys(relabelled, OPTIONS)
    assert new[0] != keys[0] and new[1:] == keys[1:]
    assert document_keys(docs, {**OPTIONS, "measures": ["hedge"]})[0] != keys[0]


def test_corrupted_cache_entry_is_detected_and_rebuilt(docs, single, tmp_path, caplog):
    cache = ResultCache(tmp_path / "cache")
    cache.analyze(docs, OPTIONS, jobs=1)
    victim = next((tmp_path / "cache").rglob("matches.parquet"))
    victim.write_bytes(victim.read_bytes()[: len(victim.read_bytes()) // 2])
    fresh = ResultCache(tmp_path / "cache")
    result = fresh.analyze(docs, OPTIONS, jobs=1)
    assert fresh.rebuilt == 1 and fresh.misses == 1
    assert "corrupted" in caplog.text
    assert_same(single, result)


def test_analyze_with_cache_and_jobs(docs, single, tmp_path):
    result = analysis.analyze(docs, cache=tmp_path / "c", jobs=2)
    pd.testing.assert_frame_equal(result.matches, single["matches"])


def test_streaming_store_matches_in_memory_analysis(docs, single, tmp_path):
    from analysis.groups import rates_by_group
    from analysis.stream import analyze_stream, chunk_frames, read_store
    one = analyze_stream(chunk_frames(docs, chunk_chars=100_000), tmp_path / "one", jobs=1)
    two = analyze_stream(chunk_frames(docs, chunk_chars=100_000), tmp_path / "two", jobs=2)
    assert one == two and one["parts"] >= 3 and one["documents"] == len(docs)
    assert one["tokens"] == len(single["tokens"])
    a, b = read_store(tmp_path / "one"), read_store(tmp_path / "two")
    for name in ("matches", "segments", "scores", "token_counts"):
        pd.testing.assert_frame_equal(a[name], b[name], obj=name)
    pd.testing.assert_frame_equal(a["matches"], single["matches"])
    from_store = rates_by_group(docs, a["segments"], a["sentences"], a["token_counts"],
                                a["matches"], by="voice")
    in_memory = rates_by_group(docs, single["segments"], single["sentences"], single["tokens"],
                               single["matches"], by="voice")
    pd.testing.assert_frame_equal(from_store, in_memory)
    with pytest.raises(ParameterError, match="exists"):
        analyze_stream(chunk_frames(docs), tmp_path / "one")


def test_failed_stream_leaves_no_store_and_no_parts_for_the_next_run(docs, tmp_path):
    """A run that dies mid-stream writes no store; a rerun holds only its own documents."""
    from analysis.stream import analyze_stream, read_store

    def dying_chunks():  # the first two parts are written before the failure
        yield from (docs.iloc[0:1], docs.iloc[1:2], docs.iloc[3:4])
        raise OSError("disk went away")

    store = tmp_path / "store"
    with pytest.raises(OSError, match="disk went away"):
        analyze_stream(dying_chunks(), store, jobs=1)
    assert not store.exists()
    analyze_stream([docs.iloc[2:3]], store, jobs=1)
    stored = read_store(store, tables=["segments"])["segments"]
    assert set(stored["doc_id"]) == {docs["doc_id"].iloc[2]}
