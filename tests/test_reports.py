"""Batch reports: parameter checks, files of a run, byte-reproducibility, failure safety, resume."""
from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import nbformat
import pytest

from analysis.batch import plan_runs, run_batch, run_report, validate_parameters
from analysis.cli import main
from analysis.errors import ParameterError, ReportError
from conftest import ROOT

pytestmark = pytest.mark.slow
MAIN = ROOT / "notebooks" / "02_official_vs_commentary.ipynb"
FAST = {"n_resamples": "200", "n_permutations": "200"}


def test_unknown_parameter_lists_the_allowed_ones():
    with pytest.raises(ParameterError) as err:
        validate_parameters(MAIN, {"n_resample": 10})
    msg = str(err.value)
    assert "n_resample" in msg and "n_resamples: int" in msg and "group_by: str" in msg


def test_wrong_type_is_refused_and_strings_are_cast():
    with pytest.raises(ParameterError, match="n_resamples.*int"):
        validate_parameters(MAIN, {"n_resamples": "many"})
    assert validate_parameters(MAIN, {"n_resamples": "300", "group_by": "genre"}) == {
        "n_resamples": 300, "group_by": "genre"}
    with pytest.raises(ParameterError):
        validate_parameters(MAIN, {"seed": 1.5})


def test_cli_rejects_unknown_parameter_and_missing_corpus(tmp_path, capsys):
    assert main(["report", "--corpus", str(ROOT / "corpus"), "--out", str(tmp_path),
                 "-p", "colour=red"]) == 2
    assert "colour" in capsys.readouterr().err
    assert main(["report", "--corpus", str(tmp_path / "nowhere"), "--out", str(tmp_path)]) == 2
    assert "corpus does not exist" in capsys.readouterr().err
    assert not any(tmp_path.iterdir())


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    """The bundled corpus reported twice into two folders."""
    outs = []
    for name in ("first", "second"):
        out = tmp_path_factory.mktemp(name)
        specs = plan_runs(ROOT / "corpus", out=out, cli_parameters=FAST)
        assert run_batch(specs, progress=False) == {s.name: "ran" for s in specs}
        outs.append(out)
    return outs


def test_a_run_writes_every_promised_file(two_runs):
    run = two_runs[0] / "corpus-02_official_vs_commentary"
    assert (run / "02_official_vs_commentary.ipynb").is_file()
    assert (run / "02_official_vs_commentary.html").is_file()
    for width in ("single", "double"):
        for ext in ("png", "pdf", "svg"):
            assert (run / "figures" / f"rates.{width}.{ext}").stat().st_size > 1000
    assert b"/FontFile2" in (run / "figures" / "rates.double.pdf").read_bytes()  # TrueType
    png = (run / "figures" / "rates.double.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    tex = (run / "tables" / "rates.tex").read_text()
    assert "\\toprule" in tex and "\\bottomrule" in tex
    side = json.loads((run / "figures" / "rates.provenance.json").read_text())
    assert "discourse kit" in side["citation"] and side["derived_from"] == ["tables/rates.csv"]
    manifest = json.loads((run / "manifest.json").read_text())
    assert manifest["parameters"]["n_resamples"] == 200
    assert len(manifest["corpus"]["sha256"]) == 64 and "frames" in manifest["lexicons"]
    for rel, digest in manifest["files"].items():
        assert _sha(run / rel) == digest, rel
    listed = {p.relative_to(run).as_posix() for p in run.rglob("*") if p.is_file()}
    assert listed - set(manifest["files"]) == {"manifest.json"}
    nb = nbformat.read(run / "02_official_vs_commentary.ipynb", as_version=4)
    assert set(nb.metadata["papermill"]) == {"parameters"}
    assert not any("papermill" in c.metadata for c in nb.cells)
    html = (run / "02_official_vs_commentary.html").read_text()
    assert "<code>n_resamples</code></td><td><code>200</code>" in html  # parameters shown
    assert "rp.open_report" not in html  # code hidden


def test_two_runs_are_byte_identical(two_runs):
    first, second = two_runs
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    different = [str(f) for f in files if (first / f).read_bytes() != (second / f).read_bytes()]
    assert different == []


def test_rerun_skips_what_is_done_and_redoes_what_is_missing(two_runs, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(two_runs[0], out)
    shutil.rmtree(out / "corpus-01_corpus_overview")
    specs = plan_runs(ROOT / "corpus", out=out, cli_parameters=FAST)
    assert run_batch(specs, progress=False) == {"corpus-01_corpus_overview": "ran",
                                                "corpus-02_official_vs_commentary": "up to date"}


def test_failing_notebook_never_clobbers_the_good_report(tmp_path):
    good = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell('corpus: str = "x"  # corpus\nrun_label: str = ""  # label\n'
                                       'fail: bool = False  # raise on purpose')
    params.metadata["tags"] = ["parameters"]
    good.cells = [params, nbformat.v4.new_code_cell(
        'open("result.txt", "w").write("ok")\nif fail:\n    raise RuntimeError("planted failure")')]
    good.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                   "language": "python"}
    path = tmp_path / "probe.ipynb"
    nbformat.write(good, path)
    out = tmp_path / "reports"
    spec, = plan_runs(ROOT / "corpus", notebooks=[str(path)], out=out)
    assert run_report(spec) == "ran"
    target = out / "corpus-probe"
    before = {p: p.read_bytes() for p in target.rglob("*") if p.is_file()}
    spec, = plan_runs(ROOT / "corpus", notebooks=[str(path)], out=out,
                      cli_parameters={"fail": "true"})
    with pytest.raises(ReportError) as err:
        run_report(spec)
    msg = str(err.value)
    assert "cell 2" in msg and "RuntimeError" in msg and "planted failure" in msg
    assert {p: p.read_bytes() for p in target.rglob("*") if p.is_file()} == before
    failed = out / "corpus-probe.failed" / "probe.ipynb"
    assert failed.is_file() and "planted failure" in failed.read_text()


def test_dead_kernel_is_a_typed_failure_and_the_batch_goes_on(tmp_path):
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell('corpus: str = "x"  # corpus\nrun_label: str = ""  # label')
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell("import os\nos._exit(3)")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = tmp_path / "dies.ipynb"
    nbformat.write(nb, path)
    specs = plan_runs(ROOT / "corpus", notebooks=[str(path), "01_corpus_overview.ipynb"],
                      out=tmp_path / "out")
    results = run_batch(specs, progress=False)
    assert results["corpus-01_corpus_overview"] == "ran"
    assert results["corpus-dies"].startswith("failed:") and "could not be run" in results["corpus-dies"]


def test_parameter_file_gives_one_run_per_set(tmp_path):
    sets = tmp_path / "sets.yaml"
    sets.write_text("- {run_label: by-voice, group_by: voice}\n- {run_label: by-type, group_by: source_type}\n")
    from analysis.batch import read_parameter_sets
    specs = plan_runs(ROOT / "corpus", notebooks=["02_official_vs_commentary.ipynb"],
                      parameter_sets=read_parameter_sets(sets), out=tmp_path)
    assert [s.name for s in specs] == ["corpus-02_official_vs_commentary-by-voice",
                                      "corpus-02_official_vs_commentary-by-type"]
    assert [s.parameters["group_by"] for s in specs] == ["voice", "source_type"]
