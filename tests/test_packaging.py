"""The project's own files declare everything; conda and pip environments agree."""
from __future__ import annotations

import re
import tomllib

import yaml

from conftest import ROOT


def _name(spec: str) -> str:
    return re.split(r"[<>=!~ ]", spec, maxsplit=1)[0].lower()


def test_environment_yml_names_the_same_dependencies_as_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    env = yaml.safe_load((ROOT / "environment.yml").read_text())["dependencies"]
    conda = [d for d in env if isinstance(d, str) and d not in ("pip",) and not d.startswith("python=")]
    pip = next(d["pip"] for d in env if isinstance(d, dict))
    listed = {_name(d): d for d in conda + [p for p in pip if not p.startswith("-e")]}
    assert {_name(d): d for d in project} == listed


def test_card_packages_are_dependencies():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    names = {_name(d) for d in project}
    assert {"jupyterlab", "nltk", "matplotlib", "seaborn", "papermill"} <= names


def test_readme_starts_with_the_two_commands():
    lines = [l.strip() for l in (ROOT / "README.md").read_text().splitlines() if l.strip()]
    commands = [l.split("#")[0].strip() for l in lines[1:3]]
    assert commands == ["make report", "make test"]
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test" in ci
