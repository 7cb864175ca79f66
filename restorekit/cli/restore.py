"""``restorekit restore IN OUT``: restore a transfer with a preset chain, block by block."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from restorekit.cli import app


@app.command()
def restore(
    source: Annotated[Path, typer.Argument(metavar="IN", help="The transfer (only read).")],
    out: Annotated[Path, typer.Argument(help="Where to write the restored audio.")],
    preset: Annotated[str, typer.Option(help="fast, balanced or max.")] = "balanced",
    model: Annotated[str | None, typer.Option(
        help="Restore with a trained denoiser instead of the classical chain: 'bundled', "
             "a .safetensors path, or a name in $RESTOREKIT_MODELS.")] = None,
    mix: Annotated[float, typer.Option(
        help="Dry/wet, 0-1: below 1 keeps a trace of the original surface.")] = 1.0,
    difference: Annotated[Path | None, typer.Option(
        help="Also write what was removed (input minus output) here.")] = None,
    block_seconds: Annotated[float, typer.Option(
        help="Length of each block processed; memory grows with it, the result does not.")
    ] = 5.0,
    progress: Annotated[bool, typer.Option(
        "--progress/--no-progress", help="Show a progress bar (default: on a terminal).")
    ] = sys.stderr.isatty(),
    overwrite: Annotated[bool, typer.Option("--overwrite",
                                            help="Replace existing outputs.")] = False,
) -> None:
    """Take out clicks, crackle, thumps, rumble, hum and hiss from a 78rpm transfer.

    With --model, a trained neural denoiser does the work instead of the preset chain.

    The chain is fitted on the file's quietest half-seconds (its surface noise), then
    run over the file in blocks of any length; the output keeps the input's sample rate
    and sample type, and is written under a temporary name and renamed when complete.
    """
    from restorekit.restore import preset as make_preset
    from restorekit.restore import restore_file

    if model is not None:
        from restorekit.restore import Chain, NeuralDenoise

        chain = Chain([NeuralDenoise(model)], mix=mix)
        preset = f"neural ({model})"
    else:
        chain = make_preset(preset, mix=mix)
    done = restore_file(source, out, chain, difference=difference,
                        block_seconds=block_seconds, overwrite=overwrite,
                        progress=progress)
    where = ", ".join(f"{a:.1f}-{b:.1f} s" for a, b in done.noise_segments[:3])
    print(f"wrote {out}: preset {preset}, mix {mix:g}, {done.impulses} impulses repaired "
          f"in {done.seconds:.1f} s (noise learnt at {where})")
    if done.clipped:
        print(f"note: {done.clipped} samples were held at full scale.")
    if difference is not None:
        print(f"wrote {difference}: what was removed")
