"""``restorekit analyze FILE|DIR...``: impulse and noise profiles of transfers."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from restorekit.cli import app
from restorekit.errors import RestorekitError


@app.command()
def analyze(
    paths: Annotated[list[Path], typer.Argument(help="Audio files, or folders of them.")],
    out_dir: Annotated[Path | None, typer.Option(
        help="Write the PNG/JSON (and folder tables) here instead of beside each file.")
    ] = None,
    method: Annotated[str, typer.Option(help="ar, derivative or both.")] = "ar",
    sensitivity: Annotated[float, typer.Option(help="0.1-10; higher finds more.")] = 1.0,
    plot: Annotated[bool, typer.Option(help="Draw <stem>_impulse_analysis.png.")] = True,
) -> None:
    """Detect clicks, profile them, analyse the noise, and draw a picture of each file.

    For each file: prints the impulse statistics and noise analysis, and writes
    <stem>_impulse_profile.json and <stem>_impulse_analysis.png. For each folder, also
    <folder>_impulse_profiles.md and .csv with a row per file, its genre (the sub-folder name) and
    per-genre means. Files that fail are reported and the rest go on (exit status 2).
    """
    from restorekit.analysis.report import analyze_file, analyze_folder, audio_files

    failed = 0
    per_root: dict[Path, list] = {}
    for path, root in audio_files(paths):
        try:
            result = analyze_file(path, out_dir=out_dir, method=method,
                                  sensitivity=sensitivity, plot=plot)
        except RestorekitError as error:
            failed += 1
            print(f"restorekit: error: {error}", file=sys.stderr)
            continue
        print("\n".join(result.lines()), end="\n\n")
        per_root.setdefault(root, []).append(result)
    for root, results in per_root.items():
        if root in paths and root.is_dir():
            md, csv_path = analyze_folder(root, results, out_dir=out_dir)
            print(f"wrote {md} and {csv_path.name}")
    if failed or not per_root:
        raise typer.Exit(2)
