"""Neural denoiser benchmark: the bundled model beside the classical chains and a peer.

1. **Held-out sources** (never trained on): the corpus's held-out pieces
   (:data:`restorekit.train.corpus.PIECES`, rendered if needed) and, when present, the two
   held-out pieces of ``../shared/data/clean``; 10 s of each at 22.05 kHz mono, damaged
   at the light, default and heavy presets. Rows: the classical presets, the neural
   model, hybrids (classical declick before it, classical dehiss after it), ffmpeg's
   adeclick; the oracle-click chain as the bound. Click F1 is read from the removed
   signal for every method.
2. **Real 78s** (``../shared/data/real78``), each method fitted on the file's quietest
   windows as ``restorekit restore`` does: the analyzer's impulse rate after/before,
   and the high-frequency energy (above 4 kHz) of the click-free stretches (50 ms blocks
   where the analyzer finds no impulse in the input) relative to the balanced chain's.
3. **Speed**: the bundled model on one thread, 60 s of 22.05 kHz mono, x realtime, and
   the peak RSS of ``restorekit restore --model bundled`` on that file.

Usage: ``python benchmarks/bench_neural.py [--model bundled] [--seconds 10] [--out FILE]``.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # one core: the speed claims are per core

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_restore import SHARED, balanced_with_oracle, impulse_rate  # noqa: E402
from report import update_section  # noqa: E402

from restorekit.analysis import detect_impulses  # noqa: E402
from restorekit.audio import Audio  # noqa: E402
from restorekit.evaluate import CaseMethod, RestorerMethod, benchmark, make_case, peers  # noqa: E402
from restorekit.io import load, save  # noqa: E402
from restorekit.restore import (  # noqa: E402
    Chain,
    Declick,
    Dehiss,
    Derumble,
    NeuralDenoise,
    preset,
)
from restorekit.restore.stream import noise_excerpt  # noqa: E402

RATE = 22050
METRICS = ("si_sdr", "snr", "lsd", "click_f1", "transient_preservation")


def held_out_sources(seconds: float) -> list[tuple[str, Audio]]:
    from restorekit.train.corpus import render_corpus
    from restorekit.train.sources import SHARED_HELD_OUT
    from restorekit.train.trainer import default_corpus_dir

    out = []
    for path in render_corpus(default_corpus_dir(), sample_rate=RATE):
        if path.parent.name == "heldout":
            audio = load(path)
            start = min(5.0, max(0.0, audio.duration - seconds))  # past the first chord
            out.append((path.stem.split("__")[1].rsplit("-", 1)[0],
                        load(path, start=start, duration=seconds)))
    for stem in SHARED_HELD_OUT:
        path = SHARED / "clean" / f"{stem}.flac"
        if path.exists():
            audio = load(path, start=5.0, duration=seconds).resample(RATE)
            out.append((stem.split("_")[0] + "_real",
                        Audio(audio.samples.mean(axis=0, keepdims=True), RATE)))
    return out


def hybrid(model) -> Chain:
    """Classical derumble and declick, then the neural model for what is left."""
    return Chain([Derumble(), Declick(), NeuralDenoise(model)])


def hybrid_dehiss(model, *, declick: bool) -> Chain:
    """The neural model, then the classical dehiss fitted on the lead-in as the model
    left it (what the model cannot know: this transfer's own noise spectrum)."""
    return Chain([Derumble(), *([Declick()] if declick else []), NeuralDenoise(model),
                  Dehiss()])


def methods(model) -> list:
    return [peers.identity(),
            *(RestorerMethod(preset(p), name=f"classical {p}", events="removed")
              for p in ("fast", "balanced", "max")),
            RestorerMethod(NeuralDenoise(model), name="neural", events="removed"),
            RestorerMethod(hybrid(model), name="hybrid: declick + neural", events="removed"),
            RestorerMethod(hybrid_dehiss(model, declick=False), name="neural + dehiss",
                           events="removed"),
            RestorerMethod(hybrid_dehiss(model, declick=True),
                           name="declick + neural + dehiss", events="removed"),
            peers.ffmpeg_adeclick(),
            CaseMethod("balanced (oracle clicks)", balanced_with_oracle)]


def synthetic_lines(args, model) -> tuple[list[str], dict]:
    sources = held_out_sources(args.seconds)
    lines, summary = [], {}
    for name in ("light", "default", "heavy"):
        cases = [make_case(audio, preset=name, seed=1, source=source)
                 for source, audio in sources]
        started = time.perf_counter()
        table = benchmark(methods(model), cases, metrics=METRICS, progress=False)
        print(f"{name}: {len(cases)} cases in {time.perf_counter() - started:.0f} s",
              file=sys.stderr, flush=True)
        lines += [f"**{name}** ({len(cases)} held-out cases: "
                  f"{', '.join(s for s, _ in sources)}; {args.seconds:g} s each, 22.05 kHz "
                  "mono)", "",
                  "| method | SI-SDR gain dB | SNR gain dB | LSD after | click F1 | "
                  "transient pres. | worst-case SI-SDR gain | x realtime |",
                  "|---|---:|---:|---:|---:|---:|---:|---:|"]
        for method in table.unique("method"):
            rows = table.filter(method=method)
            mean = {m: np.nanmean([r["delta" if m in ("si_sdr", "snr") else "after"]
                                   for r in rows.filter(metric=m).rows]) for m in METRICS}
            gains = [r["delta"] for r in rows.filter(metric="si_sdr").rows]
            rt = np.nanmean([r["realtime_factor"] for r in rows.filter(metric="si_sdr").rows])
            summary[name, method] = mean
            lines.append(f"| {method} | {mean['si_sdr']:.2f} | {mean['snr']:.2f} | "
                         f"{mean['lsd']:.2f} | {mean['click_f1']:.2f} | "
                         f"{mean['transient_preservation']:.2f} | {np.nanmin(gains):.2f} | "
                         f"{rt:.1f} |")
        lines.append("")
        print("\n".join(lines[-len(table.unique('method')) - 3:]), flush=True)
    return lines, summary


def hf_energy(audio: Audio, keep: np.ndarray, *, block: int) -> float:
    """Energy above 4 kHz in the blocks ``keep`` (a boolean per block)."""
    from scipy.signal import butter, sosfiltfilt

    sos = butter(8, 4000, btype="highpass", fs=audio.sample_rate, output="sos")
    high = sosfiltfilt(sos, audio.samples.astype(np.float64), axis=-1)
    n = keep.size * block
    blocks = (high[:, :n] ** 2).reshape(audio.channels, keep.size, block).sum(axis=(0, 2))
    return float(blocks[keep].sum())


def real_lines(model) -> list[str]:
    folder = SHARED / "real78"
    if not folder.is_dir():
        return ["(../shared/data/real78 is absent here: no real recordings measured.)"]
    ours = {"classical balanced": preset("balanced"), "neural": NeuralDenoise(model),
            "declick + neural": hybrid(model),
            "declick + neural + dehiss": hybrid_dehiss(model, declick=True)}
    neural = [n for n in ours if "neural" in n]
    lines = ["| recording | impulses /s before | " +
             " | ".join(f"{n} after/before" for n in ours) + " | " +
             " | ".join(f"{n} HF>4k / balanced's" for n in neural) + " |",
             "|---|---:|" + "---:|" * (len(ours) + len(neural))]
    worst = {n: 0.0 for n in ours}
    low_hf = {n: np.inf for n in neural}
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() not in (".flac", ".mp3", ".wav", ".ogg"):
            continue
        audio = load(path)
        before = impulse_rate(audio)
        block = int(0.05 * audio.sample_rate)
        events = detect_impulses(audio).joint()
        hit = np.zeros(audio.frames // block, bool)
        hit[np.minimum(np.asarray(events.position) // block, hit.size - 1)] = True
        noise, _ = noise_excerpt(path)  # fitted as `restorekit restore` fits them
        outs = {n: restorer.fit(noise).restore(audio).audio for n, restorer in ours.items()}
        cells = []
        for n, out in outs.items():
            ratio = impulse_rate(out) / before if before else float("nan")
            worst[n] = max(worst[n], ratio)
            cells.append(f"{ratio:.3f}")
        reference = hf_energy(outs["classical balanced"], ~hit, block=block)
        for n in neural:
            hf = hf_energy(outs[n], ~hit, block=block) / reference if reference else np.nan
            low_hf[n] = min(low_hf[n], hf)
            cells.append(f"{hf:.2f}")
        lines.append(f"| {path.stem[:44]} | {before:.1f} | " + " | ".join(cells) + " |")
        print(lines[-1], flush=True)
    lines.append("| **worst** | | " + " | ".join(f"**{worst[n]:.3f}**" for n in ours) + " | "
                 + " | ".join(f"**{low_hf[n]:.2f}**" for n in neural) + " |")
    return lines


def speed_lines(model_spec: str) -> list[str]:
    from restorekit.synth import synthesize_music

    music = synthesize_music(sample_rate=RATE, duration=60.0, rng=np.random.default_rng(4),
                             channels=1)
    restorer = NeuralDenoise(model_spec, threads=1)
    restorer.restore(Audio(music.samples[:, :RATE], RATE))  # warm up
    started = time.perf_counter()
    restorer.restore(music)
    rt = music.duration / (time.perf_counter() - started)
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "in.flac"
        save(music, source)
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "restorekit", "restore", str(source),
                        str(Path(tmp) / "out.flac"), "--model", model_spec, "--no-progress"],
                       check=True, capture_output=True,
                       env={**os.environ, "OMP_NUM_THREADS": "1"})
        wall = time.perf_counter() - started
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return ["| measure | value |", "|---|---:|",
            f"| neural inference, one thread, 60 s at 22.05 kHz mono | {rt:.1f}x realtime |",
            f"| `restorekit restore --model {model_spec}` on that file (start-up, read, "
            f"restore, write) | {wall:.1f} s wall, peak RSS {rss:.0f} MiB |",
            "| GPU | not measured: no GPU was lent to this project |"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="bundled")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--skip-real", action="store_true")
    args = parser.parse_args()
    command = f"python benchmarks/bench_neural.py --model {args.model} --seconds {args.seconds:g}"
    from restorekit.models.checkpoint import load_model

    model = load_model(args.model)
    speed = speed_lines(args.model)
    print("\n".join(speed), flush=True)
    lines, _ = synthetic_lines(args, model)
    real = ["(skipped)"] if args.skip_real else real_lines(model)
    if args.out:
        update_section(args.out, "bench_neural", "\n".join(lines), command=command)
        update_section(args.out, "bench_neural_real", "\n".join(real), command=command)
        update_section(args.out, "bench_neural_speed", "\n".join(speed), command=command)


if __name__ == "__main__":
    main()
