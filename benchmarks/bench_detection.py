"""Impulse detection quality and speed on synthesised music with known clicks.

For each preset (default, heavy) and seed, the project's synthesised music (drums,
piano, plucked bass, pad) is damaged by ``simulate_vinyl_artifacts``; each detector
method then runs on it, and on the same music undamaged. Reported per method:

- recall of all clicks, and of the *clear* clicks: those whose peak is at least 3x the
  robust scale of the AR residual of the damaged signal in their block (what a
  residual detector sees), at +-1 ms;
- precision against every impulse the generator added (clicks, crackle, thumps: a
  detected crackle impulse is not a false alarm);
- F1 of clear-click recall and that precision;
- false detections per second on the undamaged music;
- speed, x realtime, one core.

Usage: ``python benchmarks/bench_detection.py [--seeds 5] [--seconds 5] [--out FILE]``
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

from restorekit.analysis import detect_impulses  # noqa: E402
from restorekit.analysis.impulses import (  # noqa: E402
    METHODS,
    block_residual,
    robust_scale,
)
from restorekit.degrade import PRESETS, simulate_vinyl_artifacts  # noqa: E402
from restorekit.dsp.ar import fit_ar_blocks  # noqa: E402
from restorekit.metrics import click_precision, click_recall  # noqa: E402
from restorekit.synth import synthesize_music  # noqa: E402

RATE = 44100


def clear_clicks(damaged) -> np.ndarray:
    """Positions of clicks whose peak is >= 3x the residual scale the detector sees."""
    clicks = damaged.truth.find("clicks")[0].events
    x = damaged.audio.samples.astype(np.float64)
    block = round(0.05 * RATE)
    scale = np.zeros(x.shape[1])
    for channel in x:
        coefficients = fit_ar_blocks(channel, order=24, block=block)
        residual = block_residual(channel, coefficients, block=block)
        scale = np.maximum(scale, robust_scale(residual, block))
    peak = clicks["peak"] * damaged.truth.params["gain"]
    return clicks["position"][peak >= 3 * scale[clicks["position"]]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    rows = ["| preset | method | recall, all clicks | recall, clear clicks | precision | "
            "F1 (clear) | false /s on clean music | x realtime |",
            "|---|---|---:|---:|---:|---:|---:|---:|"]
    for preset in ("default", "heavy"):
        scores = {m: [] for m in METHODS}
        for seed in range(args.seeds):
            music = synthesize_music(sample_rate=RATE, duration=args.seconds,
                                     rng=np.random.default_rng(seed))
            damaged = simulate_vinyl_artifacts(music, rng=np.random.default_rng(100 + seed),
                                               **PRESETS[preset])
            clicks = damaged.truth.find("clicks")[0].events["position"]
            impulses = np.concatenate([t.events["position"] for t in damaged.truth.walk()
                                       if "position" in t.events])
            clear = clear_clicks(damaged)
            for method in METHODS:
                start = time.perf_counter()
                found = detect_impulses(damaged.audio, method=method).joint().position
                seconds = time.perf_counter() - start
                false = len(detect_impulses(music, method=method).joint())
                recall = click_recall(clear, found, RATE)
                precision = click_precision(impulses, found, RATE)
                scores[method].append((click_recall(clicks, found, RATE), recall, precision,
                                       2 * recall * precision / max(recall + precision, 1e-12),
                                       false / args.seconds, args.seconds / seconds))
        for method, values in scores.items():
            mean = np.mean(values, axis=0)
            rows.append(f"| {preset} | {method} | {mean[0]:.2f} | {mean[1]:.2f} | "
                        f"{mean[2]:.2f} | {mean[3]:.2f} | {mean[4]:.2f} | {mean[5]:.0f} |")
            print(rows[-1], flush=True)
    if args.out:
        update_section(args.out, "bench_detection", "\n".join(rows),
                       command=f"python benchmarks/bench_detection.py --seeds {args.seeds}")


if __name__ == "__main__":
    main()
