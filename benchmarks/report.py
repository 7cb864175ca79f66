"""Shared by the benchmark scripts: write a table into its section of a Markdown report."""

from __future__ import annotations

import time
from pathlib import Path


def update_section(path: Path, name: str, table: str, *, command: str) -> None:
    """Replace the text between ``<!-- NAME:begin -->`` and ``<!-- NAME:end -->``.

    The section is appended to the report when it has no such markers yet.
    """
    begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
    text = path.read_text() if path.exists() else ""
    if begin not in text:
        text += f"\n{begin}\n{end}\n"
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    stamp = time.strftime("%Y-%m-%d")
    path.write_text(f"{head}{begin}\n_Measured {stamp} with `{command}`:_\n\n{table}\n{end}{tail}")
