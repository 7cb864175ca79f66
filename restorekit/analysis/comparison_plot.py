"""The overlay plot of :meth:`restorekit.analysis.fit.Comparison.plot`."""

from __future__ import annotations

import io
import os
from pathlib import Path

import numpy as np

from restorekit.io.write import atomic_path


def _log_bins(*groups: np.ndarray, count: int = 30) -> np.ndarray | int:
    values = np.concatenate([g[g > 0] for g in groups])
    if values.size == 0:
        return count
    return np.geomspace(values.min(), values.max() * 1.01, count)


def plot_comparison(comparison, path: str | os.PathLike) -> None:
    """Amplitude and interval histograms of both, overlaid, and the compared figures."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    pairs = (("real", comparison.real_events, "C0"),
             ("synthetic", comparison.synthetic_events, "C3"))
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.2))
    peaks = [np.asarray(e.peak) if e is not None else np.zeros(0) for _, e, _ in pairs]
    bins = _log_bins(*peaks)
    for (name, _, color), values in zip(pairs, peaks, strict=True):
        axes[0].hist(values, bins=bins, histtype="step", color=color, linewidth=1.6,
                     label=f"{name} ({values.size})")
    axes[0].set(xscale="log", title="impulse amplitudes", xlabel="peak (full scale = 1)",
                ylabel="count")
    axes[0].legend()
    gaps = [np.diff(np.sort(e.position)) / e.sample_rate if e is not None and len(e) > 1
            else np.zeros(0) for _, e, _ in pairs]
    bins = _log_bins(*gaps)
    for (name, _, color), values in zip(pairs, gaps, strict=True):
        axes[1].hist(values, bins=bins, histtype="step", color=color, linewidth=1.6,
                     label=name)
    axes[1].set(xscale="log", title="intervals between impulses", xlabel="seconds",
                ylabel="count")
    axes[1].legend()
    rows = comparison.rows()
    x = np.arange(len(rows))
    real = np.array([r[1] for r in rows], dtype=float)
    synthetic = np.array([r[2] for r in rows], dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        axes[2].bar(x - 0.2, np.ones_like(real), width=0.4, color="C0", label="real")
        axes[2].bar(x + 0.2, synthetic / real, width=0.4, color="C3",
                    label="synthetic / real")
    axes[2].axhspan(0.85, 1.15, color="0.9", zorder=0)
    axes[2].set_xticks(x, ["rate", "mean amp", "max amp", "HF emph", "mid emph"])
    axes[2].set(title="fitted synthetic against the real transfer", ylabel="ratio")
    axes[2].legend()
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90)
    plt.close(fig)
    with atomic_path(Path(path)) as tmp:
        tmp.write_bytes(buffer.getvalue())
