"""``ImpulseProfile``: the statistics of a transfer's clicks, and how they sound.

A profile is what the artifact generator must reproduce (see
:func:`restorekit.analysis.fit.fit_to_profile`): how often clicks come, how loud they
are, how they are spaced, how wide, which way they point, how long they ring, and where
their energy lies — the *emphasis* figures compare a band's energy inside impulse
windows with the same band in the neighbouring windows without impulses.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from restorekit.analysis.events import ImpulseEvents
from restorekit.dsp.arrays import covered
from restorekit.errors import AudioFormatError
from restorekit.io.write import atomic_path

__all__ = ["ImpulseProfile", "BandEnergy", "band_energy", "EMPHASIS_BANDS"]

#: Bands of the emphasis figures, in Hz.
EMPHASIS_BANDS = {"hf": (2000.0, None), "mid": (500.0, 2000.0)}
_WINDOW_MS = 2.0  # impulse window: long enough to hold a click and its ringing
_QUANTILES = (0.1, 0.25, 0.5, 0.75, 0.9)
_INTERVAL_BINS = np.geomspace(0.001, 10.0, 25)  # seconds, log-spaced


def _zeros() -> dict[str, float]:
    return dict.fromkeys(EMPHASIS_BANDS, 0.0)


@dataclass
class BandEnergy:
    """Running sums of per-window band power, inside impulse windows and beside them."""

    impulse: dict[str, float] = field(default_factory=_zeros)
    impulse_windows: dict[str, float] = field(default_factory=_zeros)
    background: dict[str, float] = field(default_factory=_zeros)
    background_windows: dict[str, float] = field(default_factory=_zeros)

    def add(self, other: BandEnergy) -> None:
        """Accumulate another block's sums."""
        for name in ("impulse", "impulse_windows", "background", "background_windows"):
            mine, theirs = getattr(self, name), getattr(other, name)
            for band in EMPHASIS_BANDS:
                mine[band] += theirs[band]

    def emphasis(self, band: str) -> float:
        """Mean band power in impulse windows over that beside them (NaN if unknown)."""
        if not (self.impulse_windows[band] and self.background_windows[band]
                and self.background[band] > 0):
            return float("nan")
        return ((self.impulse[band] / self.impulse_windows[band])
                / (self.background[band] / self.background_windows[band]))


def band_energy(samples: np.ndarray, positions: np.ndarray, *, sample_rate: int,
                core: slice | None = None) -> BandEnergy:
    """Band powers in ``_WINDOW_MS`` windows at ``positions`` and in the windows beside them.

    The neighbours are the windows one window before and one after each impulse
    window, skipped where they touch another impulse. Only impulses whose position
    lies in ``core`` count (so overlapping blocks of a long file count each once).
    Sums of per-window mean power and window counts are kept, so blocks add up and
    the emphasis is a ratio of mean powers. ``samples`` may be one channel or several
    (their mean is analysed).

    Only the stretches of signal around the impulses are filtered, each with its own
    start-up margin: a dozen clicks in an hour of music cost a dozen short filters.
    """
    from scipy.signal import butter

    x = np.asarray(samples, dtype=np.float64)
    mono = x.mean(axis=0) if x.ndim == 2 else x
    half = max(1, round(_WINDOW_MS * sample_rate / 2000))
    core = core or slice(0, mono.size)
    positions = np.sort(np.asarray(positions, dtype=int))
    inside = positions[(positions >= core.start) & (positions < core.stop)]
    result = BandEnergy()
    if inside.size == 0 or mono.size < 8 * half:
        return result
    filters = {}
    for band, (lo, hi) in EMPHASIS_BANDS.items():
        nyquist = sample_rate / 2
        if lo >= 0.9 * nyquist:
            continue
        if hi is None or hi >= 0.9 * nyquist:
            filters[band] = butter(4, lo, btype="highpass", fs=sample_rate, output="sos")
        else:
            filters[band] = butter(4, [lo, hi], btype="bandpass", fs=sample_rate,
                                   output="sos")
    reach = 3 * half + round(_SETTLE_MS * sample_rate / 1000)
    for first, last in _needed(inside, reach=reach, size=mono.size):
        # every impulse near the stretch keeps its neighbours from counting as background
        near = positions[np.searchsorted(positions, first - 4 * half):
                         np.searchsorted(positions, last + 4 * half)] - first
        mine = inside[np.searchsorted(inside, first): np.searchsorted(inside, last)] - first
        _add_stretch(result, mono[first:last], near, mine, half=half, filters=filters)
    return result


_SETTLE_MS = 20.0  # filter start-up margin around each stretch filtered on its own


def _needed(positions: np.ndarray, *, reach: int, size: int) -> list[tuple[int, int]]:
    """The stretches of signal the windows at ``positions`` need, ``reach`` either side,
    merged; the whole signal if they would cover most of it anyway."""
    firsts = np.clip(np.sort(positions) - reach, 0, size)
    lasts = np.clip(np.sort(positions) + reach, 0, size)
    new = np.append(True, firsts[1:] > np.maximum.accumulate(lasts)[:-1])
    heads = np.flatnonzero(new)
    spans = list(zip(firsts[heads].tolist(),
                     np.maximum.reduceat(lasts, heads).tolist(), strict=True))
    if sum(last - first for first, last in spans) > size // 2:
        return [(0, size)]
    return spans


def _add_stretch(result: BandEnergy, mono: np.ndarray, near: np.ndarray,
                 mine: np.ndarray, *, half: int, filters: dict[str, np.ndarray]) -> None:
    """Add one stretch's window powers to ``result``: windows at ``mine``, and beside
    them where no impulse of ``near`` reaches (positions relative to the stretch)."""
    from scipy.signal import sosfiltfilt

    size = mono.size
    # frames covered by any impulse window, so neighbours never overlap an impulse
    busy_sum = np.concatenate([[0], np.cumsum(covered(near - half, near + half, size))])
    for band, sos in filters.items():
        if size <= 3 * 4 * sos.shape[0]:  # sosfiltfilt's padding needs room
            continue
        power = np.concatenate([[0.0], np.cumsum(sosfiltfilt(sos, mono) ** 2)])
        own, _ = _window_power(power, busy_sum, mine - half, half)
        before, before_ok = _window_power(power, busy_sum, mine - 3 * half, half)
        after, after_ok = _window_power(power, busy_sum, mine + half, half)
        neighbours = np.concatenate([before[before_ok], after[after_ok]])
        result.impulse[band] += float(own.sum())
        result.impulse_windows[band] += own.size
        result.background[band] += float(neighbours.sum())
        result.background_windows[band] += neighbours.size


def _window_power(power: np.ndarray, busy_sum: np.ndarray, first: np.ndarray,
                  half: int) -> tuple[np.ndarray, np.ndarray]:
    """Mean power of the ``2 * half`` windows from ``first``, and which touch no impulse.

    ``power`` and ``busy_sum`` are cumulative sums (with a leading 0) of band power and
    of the impulse-window mask.
    """
    first = np.clip(first, 0, power.size - 1 - 2 * half)
    last = first + 2 * half
    clean = busy_sum[last] - busy_sum[first] == 0
    return (power[last] - power[first]) / (2 * half), clean


@dataclass(frozen=True)
class ImpulseProfile:
    """Statistics of the impulses of one recording (JSON round trip: ``to_json``)."""

    duration_s: float
    sample_rate: int
    channels: int
    method: str
    count: int
    rate_per_s: float
    mean_amplitude: float
    max_amplitude: float
    amplitude_quantiles: dict[str, float]
    mean_interval_s: float
    interval_histogram: dict[str, list[float]]
    mean_width_ms: float
    median_width_ms: float
    positive_fraction: float
    median_ringing_ms: float
    hf_emphasis: float
    mid_emphasis: float
    source: str = ""

    @classmethod
    def from_events(cls, events: ImpulseEvents, energy: BandEnergy, *, method: str,
                    source: str = "") -> ImpulseProfile:
        """Summarise joint ``events`` (one row per click) and the band ``energy`` sums."""
        n = len(events)
        peaks = events.peak
        intervals = np.diff(np.sort(events.position)) / events.sample_rate
        counts, edges = np.histogram(intervals, bins=_INTERVAL_BINS)
        ms = 1000.0 / events.sample_rate

        def stat(values: np.ndarray, f) -> float:
            values = values[np.isfinite(values)]
            return float(f(values)) if values.size else float("nan")

        return cls(
            duration_s=events.duration, sample_rate=events.sample_rate,
            channels=events.channels, method=method, count=n,
            rate_per_s=n / events.duration if events.duration else float("nan"),
            mean_amplitude=stat(peaks, np.mean), max_amplitude=stat(peaks, np.max),
            amplitude_quantiles={f"{q:g}": stat(peaks, lambda v, q=q: np.quantile(v, q))
                                 for q in _QUANTILES},
            mean_interval_s=stat(intervals, np.mean),
            interval_histogram={"edges_s": edges.tolist(), "counts": counts.tolist()},
            mean_width_ms=stat(events.width * ms, np.mean),
            median_width_ms=stat(events.width * ms, np.median),
            positive_fraction=stat((events.polarity > 0).astype(float), np.mean),
            median_ringing_ms=stat(events.ringing_ms, np.median),
            hf_emphasis=energy.emphasis("hf"), mid_emphasis=energy.emphasis("mid"),
            source=source)

    def lines(self) -> list[str]:
        """The report block ``restorekit analyze`` prints."""
        return [
            "Impulse Statistics:",
            f"  Total impulses detected: {self.count}",
            f"  Impulses per second: {self.rate_per_s:.2f}",
            f"  Mean amplitude: {self.mean_amplitude:.6f}",
            f"  Max amplitude: {self.max_amplitude:.6f}",
            f"  Mean interval: {self.mean_interval_s:.3f} seconds",
            "Frequency Analysis:",
            f"  High-freq emphasis (>2kHz): {self.hf_emphasis:.2f}x",
            f"  Mid-freq emphasis (0.5-2kHz): {self.mid_emphasis:.2f}x",
        ]

    def to_dict(self) -> dict[str, Any]:
        # NaN is not JSON: it becomes null, and from_dict turns it back
        return {k: (None if isinstance(v, float) and not np.isfinite(v) else v)
                for k, v in asdict(self).items()}

    @classmethod
    def from_dict(cls, record: dict[str, Any]) -> ImpulseProfile:
        return cls(**{k: (float("nan") if v is None else v) for k, v in record.items()})

    def save(self, path: str | os.PathLike) -> Path:
        """Write the profile as JSON, atomically."""
        path = Path(path)
        with atomic_path(path) as tmp:
            tmp.write_text(json.dumps(self.to_dict(), indent=1))
        return path

    @classmethod
    def load(cls, path: str | os.PathLike) -> ImpulseProfile:
        """Read a profile written by :meth:`save`."""
        try:
            return cls.from_dict(json.loads(Path(path).read_text()))
        except (OSError, ValueError, TypeError, AttributeError) as error:
            raise AudioFormatError(f"{path} is not a readable impulse profile "
                                   f"({error}).") from None
