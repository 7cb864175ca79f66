"""Speed of the synthetic damage, on one core: how many times faster than real time.

60 s of stereo 44.1 kHz synthesised music (not timed) goes through each preset of
``simulate_vinyl_artifacts`` and through each degradation on its own; each is run three
times and the fastest run is kept. The process pins itself to one CPU and one BLAS/
OpenMP thread before numpy loads, so the figures are single-core.

Usage: ``python benchmarks/bench_degrade.py [--seconds 60] [--out reports/benchmarks.md]``
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"
if hasattr(os, "sched_setaffinity"):
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})

import argparse  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
from report import update_section  # noqa: E402

from restorekit import degrade  # noqa: E402
from restorekit.synth import synthesize_music  # noqa: E402


def best_of(runs: int, work) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--out", type=Path, help="update this Markdown report's section")
    args = parser.parse_args()
    music = synthesize_music(sample_rate=44100, duration=args.seconds,
                             rng=np.random.default_rng(0))
    cases = {f"simulate_vinyl_artifacts, preset {name}":
             (lambda p=params: degrade.simulate_vinyl_artifacts(
                 music, rng=np.random.default_rng(1), **p))
             for name, params in degrade.PRESETS.items()}
    for part in (degrade.Clicks(), degrade.Crackle(), degrade.SurfaceNoise(),
                 degrade.Thumps(), degrade.Rumble(), degrade.Hum(), degrade.BandLimit(),
                 degrade.WowFlutter(), degrade.Saturation(), degrade.Mp3(bitrate_kbps=128),
                 degrade.Resample(), degrade.AdditiveNoise()):
        cases[type(part).__name__] = lambda d=part: d(music, np.random.default_rng(1))
    rows = ["| what (60 s, 44.1 kHz stereo, one core) | seconds | x realtime |",
            "|---|---:|---:|"]
    for name, work in cases.items():
        seconds = best_of(3, work)
        rows.append(f"| {name} | {seconds:.3f} | {args.seconds / seconds:.0f} |")
        print(rows[-1], flush=True)
    if args.out:
        update_section(args.out, "bench_degrade", "\n".join(rows), command="make bench")


if __name__ == "__main__":
    main()
