"""The command line: corpus info and the (interim) report job."""
from __future__ import annotations

import subprocess
import sys

import pandas as pd

from analysis.cli import main


def test_corpus_info_counts_documents_by_facet(tmp_path, capsys):
    (tmp_path / "a.txt").write_text("---\ngenre: news\ndate: 2025-03-18\n---\nOne two. Three.",
                                    encoding="utf-8")
    (tmp_path / "b.txt").write_text("---\ngenre: op-ed\ndate: 2025-01-02\n---\nFour five six.",
                                    encoding="utf-8")
    (tmp_path / "c.txt").write_text("---\ngenre: news\ndate: 2024-12-31\n---\nSeven.",
                                    encoding="utf-8")
    assert main(["corpus", "info", str(tmp_path), "--format", "csv"]) == 0
    table = pd.read_csv(pd.io.common.StringIO(capsys.readouterr().out), dtype=str)
    rows = {(r.facet, r.value): r for r in table.itertuples()}
    assert rows[("all", "all")].documents == "3" and rows[("all", "all")].tokens == "7"
    assert rows[("all", "all")].sentences == "4"
    assert rows[("genre", "news")].documents == "2" and rows[("genre", "news")].tokens == "4"
    assert rows[("genre", "news")].first_date == "2024-12-31"
    assert rows[("genre", "news")].last_date == "2025-03-18"
    assert rows[("genre", "op-ed")].tokens == "3"


def test_corpus_info_on_shared_corpus_via_module(corpus_sources):
    out = subprocess.run([sys.executable, "-m", "analysis", "corpus", "info",
                          str(corpus_sources / "ru_ua_war_2022"), "--format", "csv"],
                         capture_output=True, text=True, check=True).stdout
    table = pd.read_csv(pd.io.common.StringIO(out))
    kinds = table[table.facet == "kind"].set_index("value")["documents"].to_dict()
    assert kinds == {"commentary": 2, "official": 99}
    overall = table[table.facet == "all"].iloc[0]
    assert overall["first_date"] == "2022-02-21" and overall["last_date"] == "2022-06-23"


def test_cli_errors_are_reported_not_raised(tmp_path, capsys):
    assert main(["corpus", "info", str(tmp_path / "missing")]) == 2
    err = capsys.readouterr().err
    assert "CorpusError" in err and "missing" in err


def test_bad_corpus_fails_before_any_report_is_touched(tmp_path):
    good = tmp_path / "corpus"
    good.mkdir()
    (good / "a.txt").write_text("Good text.", encoding="utf-8")
    (good / "bad.txt").write_bytes(b"\xff\xfe broken")
    out = tmp_path / "reports"
    out.mkdir()
    (out / "keep.txt").write_text("earlier report", encoding="utf-8")
    assert main(["report", "--corpus", str(good), "--out", str(out)]) == 2
    assert [p.name for p in out.iterdir()] == ["keep.txt"]


def test_evaluate_command_prints_the_scores(capsys):
    from conftest import DATA
    assert main(["evaluate", "sentences", str(DATA / "sentence_cases.jsonl")]) == 0
    out = capsys.readouterr().out
    assert "boundary_f1" in out and "182" in out


def test_notebook_parameters_are_inspected_once_per_notebook_version(tmp_path, monkeypatch):
    import shutil
    import papermill.inspection
    from analysis import batch
    notebook = tmp_path / "nb.ipynb"
    shutil.copy(batch.NOTEBOOK_DIR / batch.DEFAULT_NOTEBOOKS[0], notebook)
    calls = []
    real = papermill.inspection.inspect_notebook
    monkeypatch.setattr(papermill.inspection, "inspect_notebook",
                        lambda path: calls.append(path) or real(path))
    first = batch.notebook_parameters(notebook)
    first["corpus"]["default"] = "mutated by a caller"
    second = batch.notebook_parameters(notebook)
    assert len(calls) == 1 and second["corpus"]["default"] != "mutated by a caller"
    # An edited notebook is inspected again.
    text = notebook.read_text(encoding="utf-8")
    notebook.write_text(text + "\n", encoding="utf-8")
    batch.notebook_parameters(notebook)
    assert len(calls) == 2
