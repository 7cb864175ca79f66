"""Restoration benchmark: our chains beside the peers, on simulated and real 78s.

For each damage preset (light, default, heavy), clean excerpts of different kinds of
music (percussive, vocal, strings/piano) are damaged by the simulator with a lead-in
groove the restorers may learn the noise from (:func:`restorekit.evaluate.make_case`).
Every method restores every case in this one process; the table gives each method's
mean change in SI-SDR and SNR, its log-spectral distance, click F1 and transient
preservation after, its realtime factor and its peak memory.

Then each real transfer in ``../shared/data/real78`` (when present) is restored by our
chains and the peers, and the analyzer's impulse rate (``detect_impulses``, joint
events per second) is measured before and after.

Usage: ``python benchmarks/bench_restore.py [--seconds 10] [--seeds 1] [--out FILE]``;
``make bench`` runs it pinned to one core.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # one core: the speed claims are per core

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from report import update_section  # noqa: E402

from restorekit.analysis import detect_impulses  # noqa: E402
from restorekit.audio import Audio  # noqa: E402
from restorekit.evaluate import (  # noqa: E402
    CaseMethod,
    RestorerMethod,
    benchmark,
    make_case,
    peers,  # noqa: E402
)
from restorekit.io import load  # noqa: E402
from restorekit.restore import Declick, Dehiss, Oracle, preset  # noqa: E402
from restorekit.synth import synthesize_music, synthesize_voice  # noqa: E402

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
RATE = 44100
METRICS = ("si_sdr", "snr", "lsd", "click_f1", "transient_preservation")
# clean sources: (name, kind, how to get it); real ones only when ../shared is present
REAL_SOURCES = [
    ("strings", "classical_strings_brahms_hungarian_dance5_us_army_strings.flac", 20.0),
    ("piano", "piano_holiznacc0_creepy_piano_1_excerpt.flac", 5.0),
]
REAL_VOCAL = ("vocal_guitar", "pairs/cd2000_synthetic_norman_blake_sunshine__pristine.flac")


def _stereo(audio: Audio) -> Audio:
    audio = audio.resample(RATE)
    if audio.channels == 1:
        return Audio(np.repeat(audio.samples, 2, axis=0), RATE)
    return audio


def clean_sources(seconds: float) -> list[tuple[str, Audio]]:
    """At least three kinds of clean music, each ``seconds`` long, 44.1 kHz stereo."""
    rng = np.random.default_rng(2026)
    sources = [("percussive_synth", synthesize_music(sample_rate=RATE, duration=seconds,
                                                     rng=rng)),
               ("vocal_synth", synthesize_voice(sample_rate=RATE, duration=seconds,
                                                rng=rng))]
    if (SHARED / "clean").is_dir():
        for name, file, start in REAL_SOURCES:
            sources.append((name, _stereo(load(SHARED / "clean" / file, start=start,
                                               duration=seconds))))
        name, file = REAL_VOCAL
        if (SHARED / file).exists():
            sources.append((name, _stereo(load(SHARED / file, duration=seconds))))
    else:
        print("../shared/data is absent: synthetic sources only", file=sys.stderr)
        sources.append(("piano_synth", synthesize_music(sample_rate=RATE, duration=seconds,
                                                        rng=rng, tempo_bpm=60.0)))
    return sources


def balanced_with_oracle(case):
    """The balanced chain with its declicker replaced by the oracle: the chain's bound."""
    chain = preset("balanced")
    chain.restorers = [Oracle(case.truth) if isinstance(r, Declick) else r
                       for r in chain.restorers]
    return chain


def our_methods() -> list:
    return [RestorerMethod(Declick(), name="restorekit declick", events="reported"),
            RestorerMethod(Dehiss(), name="restorekit dehiss"),
            *(RestorerMethod(preset(p), name=f"restorekit {p}", events="reported")
              for p in ("fast", "balanced", "max"))]


def speed_methods() -> list:
    """The methods the speed claims compare, timed without memory tracing."""
    return [RestorerMethod(Declick(), name="restorekit declick", trace_memory=False),
            RestorerMethod(preset("balanced"), name="restorekit balanced",
                           trace_memory=False),
            peers.ffmpeg_adeclick()]


def bounds() -> list:
    return [peers.oracle(),
            CaseMethod("balanced (oracle clicks)", balanced_with_oracle)]


def _row(values: dict, metric: str) -> str:
    v = values.get(metric, float("nan"))
    return "n/a" if not np.isfinite(v) else f"{v:.2f}"


def synthetic_tables(args) -> tuple[list[str], dict]:
    sources = clean_sources(args.seconds)
    methods = [peers.identity(), *our_methods(), *peers.peer_methods()[1:], *bounds()]
    lines, speed = [], {}
    for name in ("light", "default", "heavy"):
        cases = [make_case(audio, preset=name, seed=seed, source=source)
                 for source, audio in sources for seed in range(1, args.seeds + 1)]
        started = time.perf_counter()
        table = benchmark(methods, cases, metrics=METRICS, progress=False)
        print(f"{name}: {len(cases)} cases in {time.perf_counter() - started:.0f} s",
              file=sys.stderr, flush=True)
        if args.csv:
            table.to_csv(Path(args.csv).with_name(f"{Path(args.csv).stem}_{name}.csv"))
        lines += [f"**{name}** ({len(cases)} cases: "
                  f"{', '.join(s for s, _ in sources)}; {args.seconds:g} s each)", "",
                  "| method | SI-SDR gain dB | SNR gain dB | LSD after | click F1 | "
                  "transient pres. | x realtime | peak MiB | note |",
                  "|---|---:|---:|---:|---:|---:|---:|---:|---|"]
        for method in table.unique("method"):
            rows = table.filter(method=method)
            delta = {m: np.nanmean([r["delta"] for r in rows.filter(metric=m).rows])
                     for m in METRICS}
            after = {m: np.nanmean([r["after"] for r in rows.filter(metric=m).rows])
                     for m in METRICS}
            first = rows.filter(metric="si_sdr").rows
            rt = np.nanmean([r["realtime_factor"] for r in first])
            mem = np.nanmax([r["peak_memory_mb"] for r in first])
            note = next((r["note"] for r in first if r["note"]), "")
            kind = first[0]["memory"] if first else ""
            lines.append(f"| {method} | {_row(delta, 'si_sdr')} | {_row(delta, 'snr')} | "
                         f"{_row(after, 'lsd')} | {_row(after, 'click_f1')} | "
                         f"{_row(after, 'transient_preservation')} | "
                         f"{rt:.1f} | {mem:.0f} {'(heap)' if kind == 'python-heap' else ''}"
                         f" | {note[:60]} |")
        lines.append("")
        print("\n".join(lines[-len(table.unique('method')) - 3:]), flush=True)
        # timings again without tracemalloc, whose bookkeeping slows in-process methods
        timed = benchmark(speed_methods(), cases, metrics=("si_sdr",), progress=False)
        for method in timed.unique("method"):
            speed[name, method] = [(r["case"], r["seconds"], r["realtime_factor"])
                                   for r in timed.filter(method=method).rows]
    return lines, speed


def speed_lines(speed: dict) -> list[str]:
    out = ["| preset | ffmpeg adeclick time / restorekit declick time (median over cases) "
           "| balanced chain x realtime (median) |", "|---|---:|---:|",
           ]
    for name in ("light", "default", "heavy"):
        ours = {c: s for c, s, _ in speed.get((name, "restorekit declick"), [])}
        theirs = {c: s for c, s, _ in speed.get((name, "ffmpeg adeclick"), [])}
        ratios = [theirs[c] / ours[c] for c in ours if c in theirs and ours[c]]
        chain = [rt for _, _, rt in speed.get((name, "restorekit balanced"), [])]
        ratio = f"{np.median(ratios):.1f}x" if ratios else "n/a"
        rt = f"{np.median(chain):.1f}" if chain else "n/a"
        out.append(f"| {name} | {ratio} | {rt} |")
    return out


def impulse_rate(audio: Audio) -> float:
    return len(detect_impulses(audio).joint()) / audio.duration


def real_lines() -> list[str]:
    folder = SHARED / "real78"
    if not folder.is_dir():
        return ["(../shared/data/real78 is absent here: no real recordings measured.)"]
    methods = [RestorerMethod(preset(p), name=f"restorekit {p}") for p in
               ("fast", "balanced", "max")]
    methods += [peers.ffmpeg_adeclick(), peers.ffmpeg_adeclick_afftdn(),
                peers.noisereduce_stationary(), peers.grooveclean()]
    methods = [m for m in methods if m.available() is None]
    lines = ["| recording | impulses /s before | " + " | ".join(
        f"{m.name} after/before" for m in methods) + " |",
        "|---|---:|" + "---:|" * len(methods)]
    worst = {m.name: 0.0 for m in methods}
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() not in (".flac", ".mp3", ".wav", ".ogg"):
            continue
        audio = load(path)
        before = impulse_rate(audio)
        cells = []
        for m in methods:
            ratio = impulse_rate(m.run(audio).audio) / before if before else float("nan")
            worst[m.name] = max(worst[m.name], ratio)
            cells.append(f"{ratio:.3f}")
        lines.append(f"| {path.stem[:48]} | {before:.1f} | " + " | ".join(cells) + " |")
        print(lines[-1], flush=True)
    lines.append("| **worst** | | " + " | ".join(f"**{worst[m.name]:.3f}**"
                                                 for m in methods) + " |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--seeds", type=int, default=1)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--csv", help="also write every row, one CSV per preset")
    parser.add_argument("--skip-real", action="store_true")
    args = parser.parse_args()
    command = (f"python benchmarks/bench_restore.py --seconds {args.seconds:g} "
               f"--seeds {args.seeds}")
    lines, speed = synthetic_tables(args)
    fast = speed_lines(speed)
    print("\n".join(fast))
    real = ["(skipped)"] if args.skip_real else real_lines()
    if args.out:
        update_section(args.out, "bench_restore", "\n".join(lines), command=command)
        update_section(args.out, "bench_restore_speed", "\n".join(fast), command=command)
        update_section(args.out, "bench_restore_real", "\n".join(real), command=command)


if __name__ == "__main__":
    main()
