"""Peak memory while streaming long transfers with ``restorekit.io.blocks``.

For 15, 30 and 60 minutes of stereo 44.1 kHz 16-bit WAV, each reader runs in a fresh
child process that reads the whole file and keeps a running sum (so every sample is
touched); the child reports its peak resident set size (``VmHWM``) and time.
Readers, side by side on the same files:

- ``restorekit.io.blocks`` (10 s blocks, 1 s overlap each side — what restore uses);
- ``soundfile.blocks`` (libsndfile's own block reader, no overlap: the floor);
- ``restorekit.io.load`` (the whole file at once: what streaming saves).

Usage: ``python benchmarks/bench_blocks.py [--minutes 15 30 60] [--out reports/benchmarks.md]``
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf
from report import update_section

RATE = 44100
CHILD = r"""
import json, resource, sys, time
import numpy as np
reader, path = sys.argv[1], sys.argv[2]
start = time.perf_counter()
total = 0.0
if reader == "restorekit.io.blocks":
    from restorekit.io import blocks
    for block in blocks(path, block_seconds=10.0, overlap_seconds=1.0):
        total += float(block.core_samples.sum(dtype=np.float64))
elif reader == "soundfile.blocks":
    import soundfile as sf
    for block in sf.blocks(path, blocksize=441000, dtype="float32"):
        total += float(block.sum(dtype=np.float64))
else:
    from restorekit.io import load
    total = float(load(path).samples.sum(dtype=np.float64))
def peak_rss_mib():
    # VmHWM belongs to this process image; ru_maxrss on Linux also remembers the
    # parent's size from before exec, which would hide what the reader itself used.
    try:
        for line in open("/proc/self/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": time.perf_counter() - start, "sum": total,
                  "peak_rss_mib": peak_rss_mib()}))
"""
READERS = ["restorekit.io.blocks", "soundfile.blocks", "restorekit.io.load"]


def make_file(path: Path, minutes: int) -> None:
    """Write ``minutes`` of stereo noise-plus-tone in one-minute pieces (never all in memory)."""
    rng = np.random.default_rng(minutes)
    with sf.SoundFile(path, "w", RATE, 2, subtype="PCM_16") as f:
        for m in range(minutes):
            t = (np.arange(60 * RATE) + m * 60 * RATE) / RATE
            tone = 0.2 * np.sin(2 * np.pi * 440 * t)
            f.write((tone[:, None] + 0.05 * rng.standard_normal((t.size, 2))).astype(np.float32))


def run(reader: str, path: Path) -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD, reader, str(path)], check=True,
                         capture_output=True, text=True)
    return json.loads(out.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=int, nargs="+", default=[15, 30, 60])
    parser.add_argument("--out", type=Path, help="update this Markdown report's section")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="restorekit-bench-") as scratch:
        for minutes in args.minutes:
            path = Path(scratch) / f"{minutes}min.wav"
            made = time.perf_counter()
            make_file(path, minutes)
            print(f"made {path.name} ({path.stat().st_size / 2**20:.0f} MiB) in "
                  f"{time.perf_counter() - made:.1f} s", file=sys.stderr)
            results = {reader: run(reader, path) for reader in READERS}
            sums = {round(r["sum"], 3) for r in results.values()}
            assert len(sums) == 1, f"readers disagree on the samples: {results}"
            for reader, r in results.items():
                rows.append((minutes, reader, r["peak_rss_mib"], r["seconds"],
                             minutes * 60 / r["seconds"]))
            path.unlink()
    table = ["| minutes | reader | peak RSS (MiB) | seconds | x realtime |",
             "|---:|---|---:|---:|---:|"]
    table += [f"| {m} | {reader} | {rss:.0f} | {sec:.2f} | {speed:.0f} |"
              for m, reader, rss, sec, speed in rows]
    print("\n".join(table))
    if args.out:
        update_section(args.out, "bench_blocks", "\n".join(table), command="make bench")


if __name__ == "__main__":
    main()
