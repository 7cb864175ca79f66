"""Speed of a whole file analysis (``analyze_file``), one core, 44.1 kHz stereo.

Times :func:`restorekit.analysis.analyze_file` (streaming read, impulse detection and
profile; with and without the noise analysis; no picture) on a minute of the
project's synthesised music damaged by the default and heavy presets, and on the
44.1 kHz stereo recordings in ``../shared/data/real78`` when that folder is present.
Best of three runs: this shared machine's speed wanders by a fifth from run to run.

Usage: ``python benchmarks/bench_analysis.py [--data ../shared/data] [--out FILE]``
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"
if hasattr(os, "sched_setaffinity"):
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})

import argparse  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
from report import update_section  # noqa: E402

from restorekit.analysis import analyze_file  # noqa: E402
from restorekit.degrade import PRESETS, simulate_vinyl_artifacts  # noqa: E402
from restorekit.io import info, save  # noqa: E402
from restorekit.synth import synthesize_music  # noqa: E402

RATE = 44100


def best_seconds(path: Path, out_dir: Path, *, noise: bool) -> float:
    best = np.inf
    for _ in range(3):
        start = time.perf_counter()
        analyze_file(path, out_dir=out_dir, plot=False, noise=noise)
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    rows = ["| file | seconds | impulses / s | x realtime, impulses | x realtime, with noise "
            "analysis |", "|---|---:|---:|---:|---:|"]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        music = synthesize_music(sample_rate=RATE, duration=60.0,
                                 rng=np.random.default_rng(0))
        files = []
        for preset in ("default", "heavy"):
            damaged = simulate_vinyl_artifacts(music, rng=np.random.default_rng(1),
                                               **PRESETS[preset])
            files.append(save(damaged.audio, tmp / f"synthetic_{preset}.flac"))
        real = args.data / "real78"
        if real.is_dir():
            files += [p for p in sorted(real.iterdir())
                      if info(p).sample_rate == RATE and info(p).channels == 2]
        for path in files:
            duration = info(path).duration
            fast = best_seconds(path, tmp, noise=False)
            full = best_seconds(path, tmp, noise=True)
            found = analyze_file(path, out_dir=tmp, plot=False, noise=False).profile
            rows.append(f"| {Path(path).name} | {duration:.0f} | {found.rate_per_s:.1f} | "
                        f"{duration / fast:.0f} | {duration / full:.0f} |")
            print(rows[-1], flush=True)
    if args.out:
        update_section(args.out, "bench_analysis", "\n".join(rows),
                       command="python benchmarks/bench_analysis.py")


if __name__ == "__main__":
    main()
