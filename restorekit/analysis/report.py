"""Analysing files: ``analyze_file`` (profile, noise, picture) and ``analyze_folder``.

A file of any length is read in blocks (:func:`restorekit.io.blocks`), so a two-hour
transfer is analysed in the memory of one block. Results are written next to the file —
``<stem>_impulse_analysis.png`` and ``<stem>_impulse_profile.json`` — or into
``out_dir`` when that folder is read-only or the caller prefers.
"""

from __future__ import annotations

import csv
import io as _io
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from restorekit.analysis.events import ImpulseEvents
from restorekit.analysis.impulses import detect_impulses
from restorekit.analysis.profile import BandEnergy, ImpulseProfile, band_energy
from restorekit.errors import ParameterError
from restorekit.io import blocks, info
from restorekit.io.write import atomic_path

__all__ = ["FileAnalysis", "analyze_file", "analyze_folder", "AUDIO_SUFFIXES"]

AUDIO_SUFFIXES = {".wav", ".flac", ".aif", ".aiff", ".ogg", ".oga", ".mp3"}
_SPECTRUM_FFT = 512
_OVERVIEW_POINTS = 2000


@dataclass(frozen=True)
class FileAnalysis:
    """What :func:`analyze_file` found and wrote."""

    path: Path
    profile: ImpulseProfile
    events: ImpulseEvents
    noise: object | None
    figure: Path | None
    profile_json: Path

    def lines(self) -> list[str]:
        """The printed report: the impulse block, then the noise block if measured."""
        out = [str(self.path), *self.profile.lines()]
        if self.noise is not None:
            out += self.noise.lines()
        return out


class _Spectra:
    """Average power spectra of short windows at impulses and beside them (for the plot)."""

    def __init__(self) -> None:
        self.sums = {"impulse": np.zeros(_SPECTRUM_FFT // 2 + 1),
                     "background": np.zeros(_SPECTRUM_FFT // 2 + 1)}
        self.counts = {"impulse": 0, "background": 0}

    def add(self, mono: np.ndarray, positions: np.ndarray) -> None:
        half = _SPECTRUM_FFT // 2
        window = np.hanning(_SPECTRUM_FFT)
        for name, offsets in (("impulse", [0]), ("background", [-2 * half, 2 * half])):
            starts = np.concatenate([positions + o - half for o in offsets]).astype(int)
            starts = starts[(starts >= 0) & (starts + _SPECTRUM_FFT <= mono.size)]
            if starts.size:
                frames = mono[starts[:, None] + np.arange(_SPECTRUM_FFT)] * window
                self.sums[name] += (np.abs(np.fft.rfft(frames, axis=1)) ** 2).sum(axis=0)
                self.counts[name] += starts.size

    def mean(self, name: str) -> np.ndarray:
        return self.sums[name] / max(1, self.counts[name])


def _output_folder(default: Path, out_dir: str | os.PathLike | None, *,
                   subject: Path) -> Path:
    """``out_dir`` (created if needed) or ``default``; refuse a read-only one clearly."""
    folder = Path(out_dir) if out_dir is not None else default
    if out_dir is not None:
        folder.mkdir(parents=True, exist_ok=True)
    if not os.access(folder, os.W_OK):
        raise ParameterError(f"cannot write the analysis of {subject} into {folder} "
                             "(read-only); pass --out-dir (out_dir=) to put it elsewhere.")
    return folder


def analyze_file(path: str | os.PathLike, *, out_dir: str | os.PathLike | None = None,
                 method: str = "ar", sensitivity: float = 1.0, block_seconds: float = 30.0,
                 plot: bool = True, noise: bool = True) -> FileAnalysis:
    """Detect and profile the impulses of a file; analyse its noise; draw and save it all.

    Parameters
    ----------
    path : str or os.PathLike
    out_dir : str or os.PathLike, optional
        Folder for the PNG and JSON (default: beside the file).
    method, sensitivity
        Passed to :func:`restorekit.analysis.detect_impulses`.
    block_seconds : float
        How much audio is analysed at a time.
    plot, noise : bool
        Draw ``<stem>_impulse_analysis.png``; run the noise analysis (on the first
        block, which holds the lead-in groove of most transfers).

    Returns
    -------
    FileAnalysis
    """
    path = Path(path)
    meta = info(path)
    folder = _output_folder(path.parent, out_dir, subject=path)
    found, energy, spectra = [], BandEnergy(), _Spectra()
    hop = max(1, meta.frames // _OVERVIEW_POINTS)
    overview = []
    noise_report = None
    for block in blocks(path, block_seconds=block_seconds, overlap_seconds=0.05):
        audio = block.audio
        events = detect_impulses(audio, method=method, sensitivity=sensitivity).joint()
        mono = audio.samples.mean(axis=0)
        energy.add(band_energy(mono, events.position, sample_rate=meta.sample_rate,
                               core=block.core))
        inside = (events.position >= block.core.start) & (events.position < block.core.stop)
        mine = events.select(inside)
        if plot:
            spectra.add(mono, mine.position)
        offset = block.start
        found.append(ImpulseEvents(
            sample_rate=meta.sample_rate, frames=meta.frames, channels=meta.channels,
            start=mine.start + offset, width=mine.width, position=mine.position + offset,
            peak=mine.peak, polarity=mine.polarity, channel=mine.channel,
            ringing_ms=mine.ringing_ms, score=mine.score))
        core = np.abs(block.core_samples).max(axis=0)
        usable = core.size // hop * hop
        if usable:
            overview.append(core[:usable].reshape(-1, hop).max(axis=1))
        if noise and noise_report is None:
            from restorekit.analysis.noise import analyze_noise

            noise_report = analyze_noise(audio)
    events = ImpulseEvents.concatenate(found)
    profile = ImpulseProfile.from_events(events, energy, method=method, source=str(path))
    profile_json = profile.save(folder / f"{path.stem}_impulse_profile.json")
    figure = None
    if plot:
        figure = folder / f"{path.stem}_impulse_analysis.png"
        _plot(figure, path, events, profile, np.concatenate(overview) if overview else
              np.zeros(1), hop, spectra)
    return FileAnalysis(path=path, profile=profile, events=events, noise=noise_report,
                        figure=figure, profile_json=profile_json)


def _plot(target: Path, source: Path, events: ImpulseEvents, profile: ImpulseProfile,
          overview: np.ndarray, hop: int, spectra: _Spectra) -> None:
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    rate = events.sample_rate
    fig, axes = plt.subplots(2, 2, figsize=(13, 7.5))
    t = np.arange(overview.size) * hop / rate
    ax = axes[0, 0]
    ax.fill_between(t, -overview, overview, color="0.7", linewidth=0)
    colors = np.where(events.polarity > 0, "C3", "C0")
    ax.vlines(events.position / rate, 0, events.peak * events.polarity, colors=colors,
              linewidth=0.6)
    ax.set(title=f"{source.name}: {profile.count} impulses ({profile.rate_per_s:.2f}/s); "
                 "red up, blue down", xlabel="seconds", ylabel="amplitude")
    ax = axes[0, 1]
    peaks = events.peak[events.peak > 0]
    if peaks.size:
        ax.hist(peaks, bins=np.geomspace(peaks.min(), peaks.max() * 1.01, 30), color="C1")
        ax.set_xscale("log")
    ax.set(title="impulse amplitudes", xlabel="peak (full scale = 1)", ylabel="count")
    ax = axes[1, 0]
    edges, counts = profile.interval_histogram["edges_s"], profile.interval_histogram["counts"]
    ax.bar(edges[:-1], counts, width=np.diff(edges), align="edge", color="C2")
    ax.set_xscale("log")
    ax.set(title=f"intervals (mean {profile.mean_interval_s:.3f} s)", xlabel="seconds",
           ylabel="count")
    ax = axes[1, 1]
    freqs = np.fft.rfftfreq(_SPECTRUM_FFT, 1 / rate)
    for name, color in (("impulse", "C3"), ("background", "0.4")):
        ax.semilogx(freqs[1:], 10 * np.log10(spectra.mean(name)[1:] + 1e-20), color=color,
                    label=f"{name} windows")
    ax.set(title=f"spectra: HF emphasis {profile.hf_emphasis:.2f}x, mid "
                 f"{profile.mid_emphasis:.2f}x", xlabel="Hz", ylabel="dB")
    ax.legend()
    fig.tight_layout()
    buffer = _io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90)
    plt.close(fig)
    with atomic_path(target) as tmp:
        tmp.write_bytes(buffer.getvalue())


def audio_files(paths: list[Path]) -> list[tuple[Path, Path]]:
    """``(file, root)`` for every audio file named or found (recursively) in a folder."""
    found = []
    for path in paths:
        if path.is_dir():
            found += [(f, path) for f in sorted(path.rglob("*"))
                      if f.suffix.lower() in AUDIO_SUFFIXES and f.is_file()]
        else:
            found.append((path, path.parent))
    return found


_TABLE_FIELDS = ("rate_per_s", "mean_amplitude", "max_amplitude", "mean_interval_s",
                 "hf_emphasis", "mid_emphasis")


def analyze_folder(root: str | os.PathLike, analyses: list[FileAnalysis], *,
                   out_dir: str | os.PathLike | None = None) -> tuple[Path, Path]:
    """Write ``<folder>_impulse_profiles.md`` and ``.csv``: a row per file, genre, means.

    The genre is the name of the file's first folder below ``root`` (``opera``,
    ``jazz``, ``classical`` in ``test_audio/``), or ``-`` for files directly in it.
    """
    root = Path(root)
    folder = _output_folder(root, out_dir, subject=root)
    rows = []
    for analysis in analyses:
        relative = analysis.path.relative_to(root) if analysis.path.is_relative_to(root) \
            else Path(analysis.path.name)
        genre = relative.parts[0] if len(relative.parts) > 1 else "-"
        rows.append({"file": str(relative), "genre": genre,
                     "duration_s": round(analysis.profile.duration_s, 2),
                     **{k: getattr(analysis.profile, k) for k in _TABLE_FIELDS}})
    genres = sorted({r["genre"] for r in rows})
    means = [{"file": f"mean of {g}", "genre": g, "duration_s": "",
              **{k: _finite_mean([r[k] for r in rows if r["genre"] == g])
                 for k in _TABLE_FIELDS}} for g in genres]
    header = ["file", "genre", "duration_s", *_TABLE_FIELDS]
    text = _io.StringIO()
    writer = csv.DictWriter(text, fieldnames=header)
    writer.writeheader()
    writer.writerows(rows + means)
    csv_path = folder / f"{root.name}_impulse_profiles.csv"
    with atomic_path(csv_path) as tmp:
        tmp.write_text(text.getvalue())
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in rows + means:
        lines.append("| " + " | ".join(_cell(row[k]) for k in header) + " |")
    md_path = folder / f"{root.name}_impulse_profiles.md"
    with atomic_path(md_path) as tmp:
        tmp.write_text("\n".join(lines) + "\n")
    return md_path, csv_path


def _finite_mean(values: list[float]) -> float:
    finite = [v for v in values if np.isfinite(v)]
    return float(np.mean(finite)) if finite else float("nan")


def _cell(value) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)
