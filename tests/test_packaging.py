"""The project's setup files agree with each other."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import yaml

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
# conda-forge names that differ from PyPI's, and conda-only helpers
CONDA_TO_PYPI = {"pytorch": "torch", "pysoundfile": "soundfile", "soxr-python": "soxr"}
CONDA_ONLY = {"python", "pip", "cpuonly"}


def _split(requirement: str) -> tuple[str, str]:
    name, spec = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*?)\s*$", requirement).groups()
    return name.lower().replace("_", "-"), spec.replace(" ", "")


def _pyproject_requirements() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = project["dependencies"] + project["optional-dependencies"]["dev"]
    # requirements with environment markers (e.g. tomli on 3.10) are for old Pythons only
    return dict(_split(r) for r in requirements if ";" not in r)


def _environment_requirements() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    found = {}
    for entry in env["dependencies"]:
        if isinstance(entry, dict):
            found.update(_split(r) for r in entry["pip"] if not r.startswith("-e"))
            continue
        name, spec = _split(entry.replace("=", "==", 1) if re.search(r"[^<>=!]=[^=]", entry)
                            else entry)
        if name not in CONDA_ONLY:
            found[CONDA_TO_PYPI.get(name, name)] = spec
    return found


def test_environment_yml_matches_pyproject():
    assert _environment_requirements() == _pyproject_requirements()


def test_torch_is_pinned_everywhere():
    assert _pyproject_requirements()["torch"] == "==2.13.0"
    constraints = (ROOT / "constraints.txt").read_text()
    assert re.search(r"^torch==2\.13\.0$", constraints, re.MULTILINE)


def test_top_level_layout():
    for folder in ("restorekit", "notebooks", "reports", "test_audio", "tests", "benchmarks"):
        assert (ROOT / folder).is_dir(), folder
    readme = (ROOT / "test_audio" / "README.md").read_text()
    for genre in ("opera", "jazz", "classical"):
        assert f"test_audio/{genre}/" in readme
    makefile = (ROOT / "Makefile").read_text()
    for target in ("demo:", "test:", "bench:", "lint:"):
        assert target in makefile
