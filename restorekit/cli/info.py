"""``restorekit info FILE...``: format and level facts of audio files."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Annotated

import typer

from restorekit.cli import app
from restorekit.errors import RestorekitError
from restorekit.io import summarize


@app.command()
def info(
    files: Annotated[list[Path], typer.Argument(help="Audio files to describe.")],
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
) -> None:
    """Print format, rate, channels, duration, peaks, loudness, DC, clipping, NaN counts.

    Files that cannot be read are reported one line each; the others are still shown,
    and the exit status is 2 if any failed.
    """
    failed = 0
    for path in files:
        try:
            summary = summarize(path)
        except RestorekitError as error:
            failed += 1
            print(f"restorekit: error: {error}", file=sys.stderr)
            continue
        if as_json:
            print(json.dumps(_as_record(summary)))
        else:
            print("\n".join(summary.lines()))
    if failed:
        raise typer.Exit(2)


def _finite_or_none(x: float) -> float | None:
    return x if math.isfinite(x) else None  # JSON has no -inf (the loudness of silence)


def _as_record(summary) -> dict:
    meta = summary.info
    return {"path": str(meta.path), "format": meta.format, "subtype": meta.subtype,
            "sample_rate": meta.sample_rate, "channels": meta.channels,
            "frames": meta.frames, "duration": meta.duration,
            "sample_peak": summary.sample_peak, "true_peak": summary.true_peak,
            "loudness_lufs": _finite_or_none(summary.loudness),
            "dc_offset": list(summary.dc_offset),
            "clipped": summary.clipped, "nonfinite": summary.nonfinite}
