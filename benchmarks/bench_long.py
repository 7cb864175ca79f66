"""Long files: ``restorekit restore`` on 30, 60 and 120 minutes of stereo 44.1 kHz.

Each file is a minute of damaged music (with a lead-in groove) repeated, written as
16-bit WAV a minute at a time. The restore runs as its own process, so its peak
resident memory (``ru_maxrss`` from ``os.wait4``) is the tool's alone; its wall time
should grow in proportion to the duration.

Usage: ``python benchmarks/bench_long.py [--minutes 30 60 120] [--preset balanced]
[--out FILE]``
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np
import soundfile as sf

sys.path.insert(0, str(Path(__file__).resolve().parent))
from report import update_section  # noqa: E402

from restorekit.audio import Audio  # noqa: E402
from restorekit.degrade import PRESETS, simulate_vinyl_artifacts  # noqa: E402
from restorekit.evaluate import run_measured  # noqa: E402
from restorekit.synth import synthesize_music  # noqa: E402

RATE = 44100


def write_long(path: Path, minutes: int) -> None:
    """``minutes`` of damaged music, a minute at a time (never all in memory)."""
    music = synthesize_music(sample_rate=RATE, duration=58.5, rng=np.random.default_rng(0))
    minute = np.concatenate([np.zeros((2, round(1.5 * RATE))), music.samples], axis=1)
    damaged = simulate_vinyl_artifacts(Audio(minute, RATE), rng=np.random.default_rng(1),
                                       **PRESETS["default"]).audio.samples
    with sf.SoundFile(str(path), "w", samplerate=RATE, channels=2, subtype="PCM_16") as f:
        for _ in range(minutes):
            f.write(damaged.T)


def restore_measured(source: Path, out: Path, preset: str) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of ``restorekit restore`` in its own process.

    Started from a bare launcher (:func:`restorekit.evaluate.run_measured`): Linux keeps
    a process's peak RSS across ``exec``, so a child of this (large) process would
    report this process's peak.
    """
    argv = [sys.executable, "-m", "restorekit", "restore", str(source), str(out),
            "--preset", preset, "--overwrite", "--no-progress"]
    status, seconds, rss = run_measured(argv, timeout=4 * 3600)
    if status:
        raise SystemExit(f"restore failed with status {status}")
    return seconds, rss / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=int, nargs="+", default=[30, 60, 120])
    parser.add_argument("--preset", default="balanced")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    rows = ["| minutes | wall s | x realtime | s per minute | peak RSS MiB |",
            "|---:|---:|---:|---:|---:|"]
    with tempfile.TemporaryDirectory() as folder:
        for minutes in args.minutes:
            source, out = Path(folder) / "long.wav", Path(folder) / "restored.wav"
            write_long(source, minutes)
            seconds, rss = restore_measured(source, out, args.preset)
            rows.append(f"| {minutes} | {seconds:.0f} | {minutes * 60 / seconds:.1f} | "
                        f"{seconds / minutes:.2f} | {rss:.0f} |")
            print(rows[-1], flush=True)
            source.unlink()
            out.unlink()
    if args.out:
        update_section(args.out, "bench_long", "\n".join(rows),
                       command="python benchmarks/bench_long.py --minutes "
                               + " ".join(map(str, args.minutes)))


if __name__ == "__main__":
    main()
