"""``restorekit compare REFERENCE FILE...``: score files against a clean reference."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from restorekit.cli import app

METRICS = ("si_sdr", "snr", "lsd", "transient_preservation")


@app.command()
def compare(
    reference: Annotated[Path, typer.Argument(help="The clean recording.")],
    files: Annotated[list[Path], typer.Argument(
        metavar="FILE...", help="Versions of it to score (damaged, restored, ...).")],
) -> None:
    """Print SI-SDR, SNR, log-spectral distance, transient preservation and the
    analyzer's impulse rate of each file against the clean reference."""
    from restorekit.analysis import detect_impulses
    from restorekit.errors import ParameterError
    from restorekit.io import load
    from restorekit.metrics.registry import get_metric

    clean = load(reference)
    heads = ["SI-SDR dB", "SNR dB", "LSD dB", "transients", "impulses/s"]
    width = max(len(f.name) for f in files) + 2
    print(f"{'file':<{width}}" + "".join(f"{h:>12}" for h in heads))
    for path in files:
        audio = load(path)
        if (audio.sample_rate, audio.samples.shape) != (clean.sample_rate,
                                                        clean.samples.shape):
            raise ParameterError(f"{path} has {audio.channels} channels and "
                                 f"{audio.frames} frames at {audio.sample_rate} Hz, but the "
                                 f"reference {reference} has {clean.channels}, "
                                 f"{clean.frames} at {clean.sample_rate} Hz; compare files "
                                 "of the same recording.")
        scores = [get_metric(m)(clean.samples, audio.samples, clean.sample_rate)
                  for m in METRICS]
        scores.append(len(detect_impulses(audio).joint()) / audio.duration)
        print(f"{path.name:<{width}}" + "".join(f"{v:>12.2f}" for v in scores))
