"""Saving and loading a :class:`~restorekit.degrade.base.Truth` tree.

The tree goes to JSON (names, parameters, events as lists, generator states) and the
added signals, which can be long, to a NumPy ``.npz`` beside it (plain arrays only:
it is read back with ``allow_pickle=False``). Both files are written atomically.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np

from restorekit.degrade.base import Truth
from restorekit.errors import AudioFormatError, ParameterError
from restorekit.io.write import atomic_path

__all__ = ["save_truth", "load_truth", "signals_path"]

FORMAT = "restorekit.truth/1"


def signals_path(json_path: str | os.PathLike) -> Path:
    """The ``.npz`` that holds the signals of the truth saved at ``json_path``."""
    return Path(json_path).with_suffix(".npz")


def _jsonable(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def _to_record(truth: Truth, key: str, signals: dict[str, np.ndarray]) -> dict[str, Any]:
    if truth.added is not None:
        signals[key] = truth.added
    return {"name": truth.name, "applied": truth.applied, "params": _jsonable(truth.params),
            "events": _jsonable(truth.events), "rng_state": _jsonable(truth.rng_state),
            "added": key if truth.added is not None else None,
            "children": [_to_record(c, f"{key}.{i}", signals)
                         for i, c in enumerate(truth.children)]}


def save_truth(truth: Truth, path: str | os.PathLike, *, overwrite: bool = False) -> Path:
    """Write ``truth`` to ``path`` (JSON) and its signals to :func:`signals_path` (npz).

    Returns the JSON path. Refuses to replace existing files unless ``overwrite``.
    """
    path = Path(path)
    if path.suffix.lower() != ".json":
        raise ParameterError(f"a truth file must end in .json, got {path}.")
    npz = signals_path(path)
    for target in (path, npz):
        if target.exists() and not overwrite:
            raise ParameterError(f"{target} already exists; choose another name or pass "
                                 "overwrite=True (--overwrite).")
    signals: dict[str, np.ndarray] = {}
    record = {"format": FORMAT, "truth": _to_record(truth, "root", signals),
              "signals": npz.name}
    with atomic_path(npz) as tmp, open(tmp, "wb") as f:
        np.savez_compressed(f, **signals)
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(record, indent=1))
    return path


def _from_record(record: dict[str, Any], signals) -> Truth:
    events = {k: np.asarray(v) for k, v in record["events"].items()}
    added = None if record["added"] is None else signals[record["added"]]
    return Truth(name=record["name"], applied=record["applied"], params=record["params"],
                 events=events, added=added, rng_state=record["rng_state"],
                 children=[_from_record(c, signals) for c in record["children"]])


def load_truth(path: str | os.PathLike) -> Truth:
    """Read a truth written by :func:`save_truth` (with its signals, if the npz is there)."""
    path = Path(path)
    try:
        record = json.loads(path.read_text())
    except (OSError, ValueError) as error:
        raise AudioFormatError(f"{path} is not a readable truth file ({error}).") from None
    if not isinstance(record, dict) or record.get("format") != FORMAT:
        raise AudioFormatError(f"{path} is not a restorekit truth file (expected format "
                               f"{FORMAT!r}).")
    npz = path.with_name(record["signals"])
    with np.load(npz, allow_pickle=False) if npz.exists() else _Missing(npz) as signals:
        return _from_record(record["truth"], signals)


class _Missing(dict):
    """Stands in for an absent npz: asking it for a signal says which file is missing."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path

    def __missing__(self, key: str):
        raise AudioFormatError(f"{self.path} (the signals of this truth) is missing.")

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        return None
