"""Batch report generation: papermill runs of the report notebooks, byte-reproducible and safe.

Each run writes ``<out>/<run-name>/`` with the executed notebook (timings stripped), an HTML
export (code hidden, parameters shown), ``figures/`` (PNG 300 dpi, PDF, SVG at single- and
double-column widths), ``tables/`` (CSV and booktabs LaTeX), a provenance sidecar beside every
figure and table, and ``manifest.json`` (versions, parameters, corpus and lexicon hashes, the
sha256 of every file). Runs write into a temporary folder renamed into place on success; a
failed run is kept as ``<run-name>.failed`` and never replaces the last good report. A run whose
manifest shows the same inputs is skipped, so an interrupted batch redoes only what is missing.
"""
from __future__ import annotations

import copy
import hashlib
import html
import json
import logging
import os
import platform
import subprocess
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import metadata
from pathlib import Path

import yaml

from . import __version__
from .errors import ParameterError, ReportError
from .export import corpus_fingerprint, write_json
from .outputs import atomic_directory

__all__ = ["NOTEBOOK_DIR", "DEFAULT_NOTEBOOKS", "RunSpec", "notebook_parameters",
           "validate_parameters", "parse_cli_parameters", "read_parameter_sets", "plan_runs",
           "run_report", "run_batch", "strip_notebook", "export_html"]

log = logging.getLogger(__name__)

NOTEBOOK_DIR = Path(__file__).resolve().parents[1] / "notebooks"
DEFAULT_NOTEBOOKS = ("01_corpus_overview.ipynb", "02_official_vs_commentary.ipynb")
RESERVED_PARAMETERS = ("corpus", "run_label", "cache")  # set by the runner
_PACKAGES = ("discourse-kit", "pandas", "numpy", "scipy", "matplotlib", "seaborn", "nltk",
             "vaderSentiment", "nupunkt", "papermill", "nbconvert", "nbformat", "pyarrow",
             "PyYAML", "ipykernel")
_KEEP_TAGS = {"parameters", "injected-parameters"}
_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off"}


def notebook_parameters(notebook: str | Path) -> dict:
    """The parameters a notebook declares: name -> {inferred_type_name, default, help}."""
    path = Path(notebook)
    if not path.is_file():
        raise ParameterError("notebook does not exist", path=path)
    stat = path.stat()
    # Planning and running ask once per notebook and parameter set; papermill parses the whole
    # notebook each time, so the answer is kept until the file changes.
    return copy.deepcopy(_inspect_notebook(str(path.resolve()), stat.st_mtime_ns, stat.st_size))


@lru_cache(maxsize=64)
def _inspect_notebook(path: str, mtime_ns: int, size: int) -> dict:
    import papermill.inspection
    return papermill.inspection.inspect_notebook(path)


def _allowed(declared: dict) -> str:
    return "; ".join(f"{n}: {d['inferred_type_name']} ({d['help']})" for n, d in declared.items())


def _coerce(name: str, value, kind: str, notebook: Path):
    """Cast a value to the declared type; strings from the command line are parsed."""
    try:
        if kind == "bool":
            if isinstance(value, bool):
                return value
            if isinstance(value, str) and value.lower() in _TRUE | _FALSE:
                return value.lower() in _TRUE
            raise ValueError
        if kind == "int":
            if isinstance(value, bool):
                raise ValueError
            if isinstance(value, int):
                return value
            if isinstance(value, str):
                return int(value)
            raise ValueError
        if kind == "float":
            if isinstance(value, bool):
                raise ValueError
            return float(value)
        if kind == "str":
            if not isinstance(value, (str, int, float)) or isinstance(value, bool):
                raise ValueError
            return str(value)
    except (TypeError, ValueError):
        raise ParameterError(f"parameter {name!r} must be of type {kind}", path=notebook,
                             value=value) from None
    return value


def validate_parameters(notebook: str | Path, parameters: dict) -> dict:
    """Check names and types against the notebook's ``parameters`` cell (papermill only warns).

    Returns
    -------
    The parameters cast to their declared types. Raises :class:`ParameterError` listing the
    allowed parameters, with types and help, for an unknown name or a wrong type.
    """
    notebook = Path(notebook)
    declared = notebook_parameters(notebook)
    unknown = sorted(set(parameters) - set(declared))
    if unknown:
        raise ParameterError("unknown parameter(s)", path=notebook, value=unknown,
                             allowed=_allowed(declared))
    return {name: _coerce(name, value, declared[name]["inferred_type_name"], notebook)
            for name, value in parameters.items()}


def parse_cli_parameters(pairs: list[str]) -> dict:
    """``["name=value", ...]`` from ``-p`` options; values stay strings until validated."""
    out = {}
    for pair in pairs or []:
        if "=" not in pair:
            raise ParameterError("a -p option needs name=value", value=pair)
        name, value = pair.split("=", 1)
        out[name.strip()] = value
    return out


def read_parameter_sets(path: str | Path) -> list[dict]:
    """A YAML file holding a list of parameter mappings (or ``{runs: [...]}``)."""
    path = Path(path)
    if not path.is_file():
        raise ParameterError("parameter file does not exist", path=path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ParameterError(f"parameter file is not valid YAML: {exc}", path=path) from None
    if isinstance(data, dict) and "runs" in data:
        data = data["runs"]
    if not isinstance(data, list) or not all(isinstance(d, dict) for d in data) or not data:
        raise ParameterError("parameter file must be a non-empty list of mappings", path=path,
                             value=type(data).__name__, allowed="- {name: value, ...}")
    return data


@dataclass
class RunSpec:
    """One notebook run: which notebook, over which corpus, with which parameters."""

    notebook: Path
    corpus: Path
    parameters: dict
    name: str
    out: Path
    inputs: dict = field(default_factory=dict)

    @property
    def target(self) -> Path:
        return self.out / self.name


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _lexicon_hashes() -> dict:
    from .lexicon import BUNDLED, bundled_lexicon
    from .sources import bundled_sources
    out = {name: {"version": bundled_lexicon(name).version, "sha256": bundled_lexicon(name).sha256}
           for name in BUNDLED}
    out["sources"] = {"sha256": bundled_sources().sha256}
    return out


def plan_runs(corpus: str | Path, *, notebooks=None, parameter_sets=None, out="reports",
              cli_parameters=None) -> list[RunSpec]:
    """Validate everything before anything runs; return one :class:`RunSpec` per run."""
    from .corpus import load_corpus
    corpus = Path(corpus)
    if not corpus.exists():
        raise ParameterError("corpus does not exist", path=corpus,
                             allowed="a folder of .txt/.md files or a table file")
    docs = load_corpus(corpus)
    fingerprint = corpus_fingerprint(docs)
    paths = [Path(n) if Path(n).exists() else NOTEBOOK_DIR / n
             for n in (notebooks or DEFAULT_NOTEBOOKS)]
    sets = parameter_sets or [{}]
    specs = []
    corpus_name = corpus.resolve().name
    for path in paths:
        if not path.is_file():
            raise ParameterError("notebook does not exist", path=path,
                                 allowed=", ".join(sorted(p.name for p in NOTEBOOK_DIR.glob("*.ipynb"))))
    declared = {path: notebook_parameters(path) for path in paths}
    # A parameter goes to the notebooks that declare it; one that no notebook declares is an error.
    known = set().union(*declared.values()) | {"run_label"}
    for raw in sets:
        unknown = sorted(set({**raw, **(cli_parameters or {})}) - known)
        if unknown:
            raise ParameterError("unknown parameter(s)", value=unknown,
                                 allowed="; ".join(f"{p.name}: {_allowed(d)}"
                                                   for p, d in declared.items()))
    for path in paths:
        for i, raw in enumerate(sets):
            params = {k: v for k, v in {**raw, **(cli_parameters or {})}.items()
                      if k in declared[path] or k == "run_label"}
            for reserved in RESERVED_PARAMETERS:
                if reserved in params and reserved != "run_label":
                    if reserved == "cache":
                        raise ParameterError("'cache' is set by the runner (<out>/.cache)",
                                             value=params[reserved])
                    raise ParameterError(f"{reserved!r} is set with --corpus, not as a parameter",
                                         value=params[reserved])
            label = params.pop("run_label", None)
            params = validate_parameters(path, params)
            suffix = f"-{label}" if label else (f"-set{i + 1}" if len(sets) > 1 else "")
            name = f"{corpus_name}-{path.stem}{suffix}"
            spec = RunSpec(path, corpus, params, name, Path(out))
            spec.inputs = {"kit_version": __version__, "notebook": path.name,
                           "notebook_sha256": _sha256(path), "parameters": params,
                           "corpus_sha256": fingerprint, "documents": int(len(docs)),
                           "lexicons": _lexicon_hashes()}
            specs.append(spec)
    names = [s.name for s in specs]
    if len(set(names)) != len(names):
        raise ParameterError("two runs would write the same folder; give each parameter set a "
                             "distinct run_label", value=sorted(n for n in names if names.count(n) > 1))
    return specs


def _inputs_sha(spec: RunSpec) -> str:
    return hashlib.sha256(json.dumps(spec.inputs, sort_keys=True, default=str).encode()).hexdigest()


def _up_to_date(spec: RunSpec) -> bool:
    manifest = spec.target / "manifest.json"
    if not manifest.is_file():
        return False
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return False
    if data.get("inputs_sha256") != _inputs_sha(spec):
        return False
    files = data.get("files", {})
    return all((spec.target / rel).is_file() and _sha256(spec.target / rel) == digest
               for rel, digest in files.items())


def strip_notebook(nb) -> None:
    """Drop run-dependent metadata (timings, paths) so the executed notebook is reproducible."""
    paper = nb.metadata.get("papermill", {})
    nb.metadata["papermill"] = {"parameters": paper.get("parameters", {})}
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{i:02d}"  # papermill gives the injected cell a random id
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        if cell.get("cell_type") == "code":
            cell.metadata.pop("collapsed", None)


def export_html(nb, *, title: str) -> str:
    """Standalone HTML: code hidden except the parameters, no external resources."""
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        tags = set(cell.metadata.get("tags", []))
        if cell.cell_type == "code" and not tags & _KEEP_TAGS:
            cell.metadata["tags"] = sorted(tags | {"dk-hide-input"})
    exporter = HTMLExporter(template_name="basic", exclude_input_prompt=True,
                            exclude_output_prompt=True)
    exporter.register_preprocessor(TagRemovePreprocessor(remove_input_tags=("dk-hide-input",)),
                                   enabled=True)
    body, _ = exporter.from_notebook_node(nb)
    css = ("body{font-family:'DejaVu Sans',Arial,sans-serif;max-width:1100px;margin:2em auto;"
           "padding:0 1em;color:#222}img{max-width:100%}table{border-collapse:collapse;"
           "font-size:12px;margin:.5em 0}td,th{border:1px solid #ccc;padding:2px 6px}"
           "pre{background:#f6f6f6;padding:.5em;overflow-x:auto}mark{background:#ffe08a}"
           ".jp-InputArea,.input_area{background:#f6f6f6}")
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<title>{html.escape(title)}</title>\n<style>{css}</style>\n</head>\n<body>\n"
            f"{body}\n<footer><p>Generated by the discourse kit {html.escape(__version__)}; "
            "see manifest.json for versions, parameters and file hashes.</p></footer>\n"
            "</body>\n</html>\n")


def _git_commit() -> dict:
    root = Path(__file__).resolve().parents[1]
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True,
                                text=True, check=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=root,
                               capture_output=True, text=True, check=True, timeout=10).stdout
        return {"commit": commit, "dirty": bool(dirty.strip())}
    except (OSError, subprocess.SubprocessError):
        return {"commit": None, "dirty": None}


def _versions() -> dict:
    out = {"python": platform.python_version()}
    for name in _PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def run_report(spec: RunSpec, *, kernel_name: str = "python3", force: bool = False) -> str:
    """Run one notebook into ``spec.target``; returns ``"ran"`` or ``"up to date"``.

    Raises
    ------
    ReportError naming the notebook, the failing cell and its error; the partial run is kept in
    ``<target>.failed`` and the previous good report is untouched.
    """
    import nbformat
    import papermill
    from papermill.exceptions import PapermillExecutionError

    if not force and _up_to_date(spec):
        return "up to date"
    spec.out.mkdir(parents=True, exist_ok=True)
    try:
        with atomic_directory(spec.target) as tmp:
            executed = tmp / spec.notebook.name
            params = {**spec.parameters,
                      "corpus": os.path.relpath(spec.corpus.resolve(), tmp.resolve()),
                      "run_label": spec.name}
            if "cache" in notebook_parameters(spec.notebook):
                # One cache for all runs: reports over an unchanged corpus re-analyse nothing.
                params["cache"] = os.path.relpath((spec.out / ".cache").resolve(), tmp.resolve())
            papermill.execute_notebook(str(spec.notebook), str(executed), parameters=params,
                                       cwd=str(tmp), kernel_name=kernel_name, progress_bar=False,
                                       log_output=False)
            nb = nbformat.read(executed, as_version=4)
            strip_notebook(nb)
            nbformat.write(nb, executed)
            (tmp / f"{spec.notebook.stem}.html").write_text(
                export_html(nb, title=f"{spec.name} (discourse kit)"), encoding="utf-8")
            _write_manifest(tmp, spec, params)
    except PapermillExecutionError as exc:
        raise ReportError(f"notebook {spec.notebook.name} failed at cell {exc.cell_index} "
                          f"(execution count {exc.exec_count}): {exc.ename}: {exc.evalue}; "
                          f"the failed notebook is in {spec.target}.failed; the previous "
                          f"report, if any, is unchanged", path=spec.notebook) from None
    except Exception as exc:  # a dead kernel, an export or disk error: same safety, typed
        raise ReportError(f"notebook {spec.notebook.name} could not be run: "
                          f"{type(exc).__name__}: {exc}; the partial run is in "
                          f"{spec.target}.failed; the previous report, if any, is unchanged",
                          path=spec.notebook) from None
    return "ran"


def _write_manifest(folder: Path, spec: RunSpec, params: dict) -> None:
    from .sentiment import sentiment_model
    files = {p.relative_to(folder).as_posix(): _sha256(p)
             for p in sorted(folder.rglob("*")) if p.is_file()}
    write_json(folder / "manifest.json", {
        "kit_version": __version__, "git": _git_commit(), "versions": _versions(),
        "notebook": spec.notebook.name, "notebook_sha256": spec.inputs["notebook_sha256"],
        "run_name": spec.name, "parameters": params,
        "corpus": {"path_from_run": params["corpus"], "sha256": spec.inputs["corpus_sha256"],
                   "documents": spec.inputs["documents"]},
        "lexicons": spec.inputs["lexicons"], "sentiment_model": sentiment_model(),
        "inputs_sha256": _inputs_sha(spec), "files": files,
        "cite": "See CITATION.cff; cite a figure with its provenance sidecar's citation line.",
    })


def run_batch(specs: list[RunSpec], *, jobs: int = 1, progress: bool = True,
              force: bool = False) -> dict:
    """Run several reports (``jobs`` at a time); returns name -> status or error message."""
    if jobs < 1:
        raise ParameterError("jobs must be >= 1", value=jobs)
    results: dict[str, str] = {}
    bar = None
    if progress:
        from tqdm.auto import tqdm
        bar = tqdm(total=len(specs), desc="reports", unit="run")
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = {pool.submit(run_report, spec, force=force): spec for spec in specs}
        for future in as_completed(futures):
            spec = futures[future]
            try:
                results[spec.name] = future.result()
            except ReportError as exc:
                results[spec.name] = f"failed: {exc}"
            if bar is not None:
                bar.update(1)
    if bar is not None:
        bar.close()
    return dict(sorted(results.items()))
