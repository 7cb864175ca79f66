"""Fit the generator to every real recording and compare, as the issue's acceptance asks.

For each recording in ``../shared/data/real78`` and ``pairs`` (noise78 has no music),
:func:`compare_synthetic_vs_real` profiles it, prepares a clean source like it (level,
length, band limit, residual hiss), fits the generator with common random numbers and
compares the calibrated render. A fresh seed's render is compared too, so the table
shows what is fitted and what is the luck of one draw (a minute with a few clicks a
second holds a few dozen: Poisson scatter alone is 15-30 %).

Usage: ``python benchmarks/bench_fit.py [--data ../shared/data] [--out FILE]``
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from report import update_section

from restorekit.analysis.comparison import compare_synthetic_vs_real
from restorekit.analysis.fit import COMPARED, TOLERANCES, measure, render_fitted
from restorekit.errors import ParameterError
from restorekit.io import load

RATE = 22050  # the lowest rate among the real files: all are compared at it
# a clean source of a similar kind for each genre word in the file name
SOURCES = {"piano": "piano_holiznacc0_creepy_piano_1_excerpt.flac",
           "orchestra": "classical_strings_brahms_hungarian_dance5_us_army_strings.flac",
           "cylinder": "classical_strings_brahms_hungarian_dance5_us_army_strings.flac"}
DEFAULT_SOURCE = "instrumental_holiznacc0_cabin_fever_excerpt.flac"


def source_for(name: str, clean_dir: Path) -> Path:
    for word, file in SOURCES.items():
        if word in name:
            return clean_dir / file
    return clean_dir / DEFAULT_SOURCE


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--out", type=Path)
    parser.add_argument("--plots", type=Path, help="folder for the overlay plots")
    args = parser.parse_args()
    files = sorted((args.data / "real78").iterdir()) + sorted(
        p for p in (args.data / "pairs").iterdir() if "__raw" in p.name)
    header = ("| file | clean source | " + " | ".join(f for _, f in COMPARED)
              + " | worst (fitted) | fresh seed: worst |")
    rows = [header, "|" + "---|" * (header.count("|") - 1)]
    worst_file, worst = "", 0.0
    for path in files:
        clean_path = source_for(path.name, args.data / "clean")
        clean = load(clean_path)
        try:
            plot = args.plots / f"{path.stem}_comparison.png" if args.plots else None
            c = compare_synthetic_vs_real(path, clean, RATE, seed=1, plot=plot,
                                          verbose=False)
        except ParameterError as error:
            rows.append(f"| {path.name} | {clean_path.name} | " + " | ".join(
                ["-"] * len(COMPARED)) + f" | not fitted: {error} | - |")
            print(rows[-1], flush=True)
            continue
        diffs = np.array([d for *_, d in c.rows()])
        relative = np.abs(diffs) / TOLERANCES  # 1 = at the tolerance
        fresh = measure(render_fitted(c.clean, c.parameters, seed=7,
                                      cutoff_hz=c.cutoff_hz)).profile
        fresh_diffs = [(getattr(fresh, f) - getattr(c.real, f)) / getattr(c.real, f)
                       for _, f in COMPARED]
        cells = [f"{a:.3g} / {b:.3g} ({d:+.0%})" for _, a, b, d in c.rows()]
        rows.append(f"| {path.name} ({c.real.count} impulses) | {clean_path.name} | "
                    + " | ".join(cells) + f" | {np.nanmax(np.abs(diffs)):.0%} | "
                    f"{np.nanmax(np.abs(fresh_diffs)):.0%} |")
        print(rows[-1], flush=True)
        if np.nanmax(relative) > worst:
            worst_file, worst = path.name, float(np.nanmax(relative))
    rows += ["", f"Cells: real / fitted synthetic (difference). Worst file against the "
                 f"tolerances (15 % rate and amplitudes, 20 % emphasis): {worst_file} at "
                 f"{worst:.2f}x its tolerance."]
    print(rows[-1])
    if args.out:
        update_section(args.out, "bench_fit", "\n".join(rows),
                       command="python benchmarks/bench_fit.py --out reports/real78_profiles.md")


if __name__ == "__main__":
    main()
