"""``restorekit synth OUT``: write the project's synthesised example music."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import numpy as np
import typer

from restorekit.audio import check_seconds
from restorekit.cli import app
from restorekit.io import save
from restorekit.random import make_rng
from restorekit.synth import synthesize_music


@app.command()
def synth(
    out: Annotated[Path, typer.Argument(help="Output file (.wav, .flac, ...).")],
    seconds: Annotated[float, typer.Option(help="Length in seconds.")] = 8.0,
    sample_rate: Annotated[int, typer.Option(help="Sample rate in Hz.")] = 44100,
    channels: Annotated[int, typer.Option(help="1 or 2.")] = 2,
    seed: Annotated[int, typer.Option(help="Random seed: same seed, same file.")] = 0,
    lead_in: Annotated[float, typer.Option(
        help="Seconds of silence before the music, like a disc's lead-in groove (where "
             "a restorer learns the surface noise once the file is degraded).")] = 0.0,
    overwrite: Annotated[bool, typer.Option("--overwrite",
                                            help="Replace an existing file.")] = False,
) -> None:
    """Synthesise a short piece of example music (piano, bass, pad, drums)."""
    audio = synthesize_music(sample_rate=sample_rate, duration=seconds, channels=channels,
                             rng=make_rng(seed))
    if lead_in:
        check_seconds(lead_in, name="lead_in")
        silence = np.zeros((audio.channels, round(lead_in * sample_rate)), np.float32)
        audio = audio.with_samples(np.concatenate([silence, audio.samples], axis=1))
    out.parent.mkdir(parents=True, exist_ok=True)
    save(audio, out, overwrite=overwrite)
    print(f"wrote {out} ({audio.duration:.2f} s, {audio.channels} ch, {audio.sample_rate} Hz)")
