"""``restorekit train`` and ``restorekit data render-corpus``: make a denoiser."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Annotated

import typer

from restorekit.cli import app
from restorekit.errors import ParameterError

data_app = typer.Typer(help="Clean training material.", no_args_is_help=True)
app.add_typer(data_app, name="data")


def _value(text: str):
    """A ``--set`` value as YAML reads it (numbers, booleans, lists), else the string."""
    import yaml

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return text


@app.command()
def train(
    config: Annotated[Path, typer.Option(help="Training config (YAML); see configs/.")],
    out_dir: Annotated[Path | None, typer.Option(
        help="Where the run's checkpoints, metrics.csv and curves.png go.")] = None,
    resume: Annotated[bool, typer.Option("--resume",
                                         help="Continue the run in out_dir.")] = False,
    set_: Annotated[list[str] | None, typer.Option(
        "--set", help="Override a config key, e.g. --set train.epochs=2 (repeatable).")
    ] = None,
    device: Annotated[str | None, typer.Option(help="cpu or cuda (default: cuda if any).")
                      ] = None,
    bundle: Annotated[Path | None, typer.Option(
        help="Also copy the best model here (.safetensors + .json + .sha256), with the "
             "command and wall time in its record: restorekit/models/bundled/denoiser "
             "is made this way.")] = None,
    progress: Annotated[bool, typer.Option(
        "--progress/--no-progress", help="Progress bars (default: on a terminal).")
    ] = sys.stderr.isatty(),
) -> None:
    """Train the impulse-aware denoiser; its best model is OUT_DIR/best.safetensors."""
    from restorekit.train.config import load_config
    from restorekit.train.trainer import Trainer

    overrides = {}
    for item in set_ or []:
        key, sep, value = item.partition("=")
        if not sep or "." not in key:
            raise ParameterError(f"--set takes section.key=value, got {item!r}.")
        section, _, name = key.partition(".")
        overrides[f"{section}__{name}"] = _value(value)
    settings = load_config(config, **overrides)
    started = time.perf_counter()
    trainer = Trainer(settings, out_dir=out_dir, device=device, progress=progress)
    print(f"training {trainer.model.parameter_count():,} weights on {trainer.device} "
          f"({len(trainer.data.sources)} training sources) into {trainer.out_dir}")
    for row in trainer.fit(resume=resume):
        print(f"epoch {row['epoch']}: loss {row['train_loss']:.4f}, validation SI-SDR "
              f"{row['val_si_sdr_in']:.2f} -> {row['val_si_sdr']:.2f} dB, click F1 "
              f"{row['val_click_f1']:.3f}, transients {row['val_transient_preservation']:.3f}"
              f" ({row['seconds']:.0f} s)", flush=True)
    wall = time.perf_counter() - started
    best = trainer.out_dir / "best.safetensors"
    print(f"done in {wall:.0f} s: {best}")
    if bundle is not None:
        from restorekit.models.checkpoint import export_model

        parts = [f"--config {config}", *(f"--out-dir {out_dir}" for _ in [out_dir] if out_dir),
                 *(f"--set {item}" for item in set_ or []), *(["--resume"] if resume else []),
                 f"--bundle {bundle}"]
        command = "restorekit train " + " ".join(parts)
        written = export_model(best, bundle, command=command, wall_seconds=round(wall),
                               device=str(trainer.device))
        print(f"wrote {written}")


@data_app.command("render-corpus")
def render_corpus(
    out_dir: Annotated[Path | None, typer.Argument(
        help="Where to render (default ~/.cache/restorekit/corpus).")] = None,
    sample_rate: Annotated[int, typer.Option(help="Rate of the rendered files.")] = 22050,
    seconds: Annotated[float, typer.Option(help="Longest excerpt per score.")] = 45.0,
    soundfont: Annotated[Path | None, typer.Option(help="A General MIDI .sf2 file.")] = None,
    progress: Annotated[bool, typer.Option("--progress/--no-progress")] = sys.stderr.isatty(),
) -> None:
    """Render music21's scores through FluidSynth: clean music to train on (cached)."""
    from restorekit.train.corpus import render_corpus as render
    from restorekit.train.trainer import default_corpus_dir

    where = out_dir or default_corpus_dir()
    paths = render(where, sample_rate=sample_rate, seconds=seconds, soundfont=soundfont,
                   progress=progress)
    held = sum(p.parent.name == "heldout" for p in paths)
    print(f"{len(paths)} pieces in {where} ({len(paths) - held} to train on, {held} held out)")
