"""``restorekit degrade IN OUT``: add synthetic 78rpm damage, and save the truth."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from restorekit.cli import app
from restorekit.errors import ParameterError


@app.command()
def degrade(
    source: Annotated[Path, typer.Argument(metavar="IN", help="Clean audio file.")],
    out: Annotated[Path, typer.Argument(help="Where to write the damaged audio.")],
    preset: Annotated[str, typer.Option(help="light, default or heavy.")] = "default",
    seed: Annotated[int, typer.Option(help="Random seed: same seed, same damage.")] = 0,
    truth: Annotated[Path | None, typer.Option(
        help="Also write the truth here (.json, with its signals in a .npz beside it).")
    ] = None,
    overwrite: Annotated[bool, typer.Option("--overwrite",
                                            help="Replace existing outputs.")] = False,
) -> None:
    """Damage a clean recording like a worn 78rpm disc (clicks, crackle, surface noise).

    The output keeps the input's sample rate and bit depth. The truth lists every click
    (start, width, peak, polarity), the parameters drawn and the noise signals added.
    """
    from restorekit.degrade import PRESETS, save_truth, simulate_vinyl_artifacts
    from restorekit.io import info, load, save
    from restorekit.random import make_rng

    if preset not in PRESETS:
        raise ParameterError(f"unknown preset {preset!r}; choose one of "
                             f"{', '.join(PRESETS)}.")
    if truth is not None and truth.suffix.lower() != ".json":
        raise ParameterError(f"--truth must name a .json file, got {truth}.")
    for target in (out, truth):  # check every output before any work is done
        if target is not None and target.exists() and not overwrite:
            raise ParameterError(f"{target} already exists; choose another name or pass "
                                 "--overwrite.")
    meta = info(source)
    damaged = simulate_vinyl_artifacts(load(source), rng=make_rng(seed), **PRESETS[preset])
    damaged.truth.params.update({"preset": preset, "seed": seed, "source": str(source)})
    save(damaged.audio, out, like=meta, overwrite=overwrite)
    clicks = len(damaged.truth.find("clicks")[0].events["start"])
    print(f"wrote {out}: preset {preset}, seed {seed}, {clicks} clicks, "
          f"gain {damaged.truth.params['gain']:.3f}")
    if truth is not None:
        save_truth(damaged.truth, truth, overwrite=overwrite)
        print(f"wrote {truth} and {truth.with_suffix('.npz').name}")
