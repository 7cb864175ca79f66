"""Mains hum: is a 50 or 60 Hz buzz there, at exactly what frequency, and how loud?

A playback chain picks up the mains supply and its harmonics (odd ones from
transformers, even ones from rectifiers). Hum is a set of steady sinusoids at whole
multiples of one fundamental, which is what tells it apart from music: a note may sit
near 50 Hz or 350 Hz, but not with a partial at every multiple of the same frequency.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, NamedTuple

import numpy as np

from restorekit.analysis.spectrum import (
    low_band,
    power_db,
    welch_psd,
)
from restorekit.audio import Audio, check_audio
from restorekit.checks import check_integer, check_number
from restorekit.errors import ParameterError

__all__ = ["HumReport", "detect_hum"]

_DETUNING = 0.01  # mains frequency is within 1 % of nominal (grids hold it to 0.2 %)
_SEGMENT_SECONDS = 4.0  # Welch segments this long resolve 0.25 Hz
_PAD_FACTOR = 4  # zero-padding samples the spectrum every 1/16 Hz, to place peaks
_LOBE_BINS = 2  # a Hann window's main lobe is 2 bins either side of the peak
_FLOOR_BINS = (3, 20)  # the local floor: bins this far either side of the peak
_ISOLATION_DB = 3.0  # a hum line also stands this far above every other line near it
_AGREEMENT = 1e-4  # harmonics of one hum agree on the fundamental within 0.01 %
_MIN_SECONDS = 1.0  # shorter audio cannot resolve a 1 % detuning


class _Peak(NamedTuple):
    harmonic: int
    freq: float
    level_db: float
    prominence_db: float
    isolation_db: float
    power: float


@dataclass(frozen=True)
class HumReport:
    """Mains hum found by :func:`detect_hum`.

    Attributes
    ----------
    present : bool
        True when the fundamental, or at least two harmonics, stand out.
    fundamental_hz : float or None
        The hum's exact fundamental (None when absent).
    level_db : float or None
        RMS of the hum, the sum of its harmonics listed below, in dBFS.
    harmonics : list of (float, float, float)
        Each partial of the hum that stands out: frequency in Hz, level in dBFS (RMS of
        that sinusoid) and prominence in dB above the neighbouring spectrum.
    min_prominence_db : float
        The prominence a partial needed to count.
    """

    present: bool
    fundamental_hz: float | None
    level_db: float | None
    harmonics: list[tuple[float, float, float]] = field(default_factory=list)
    min_prominence_db: float = 10.0

    def describe(self) -> str:
        """E.g. ``"50.0 Hz detected, -61.3 dBFS (harmonics at 100, 150, 250 Hz)"``."""
        if not self.present:
            return "none detected"
        text = f"{self.fundamental_hz:.1f} Hz detected, {self.level_db:.1f} dBFS"
        overtones = [f"{freq:.0f}" for freq, _, _ in self.harmonics
                     if freq > 1.5 * self.fundamental_hz]
        return text + (f" (harmonics at {', '.join(overtones)} Hz)" if overtones else "")

    def to_dict(self) -> dict[str, Any]:
        """The fields as a JSON-friendly dict."""
        return asdict(self)


def detect_hum(audio: Audio, *, mains=(50.0, 60.0), harmonics: int = 8,
               min_prominence_db: float = 10.0) -> HumReport:
    """Decide whether mains hum is present, and measure its frequency and level.

    The mono mix is decimated to the low band and its power spectrum estimated by
    Welch's method (1967) with 4 s Hann segments, zero-padded four times. For each
    candidate mains frequency, the peak within 1 % of each multiple ``k f`` is located
    by parabolic interpolation of the log spectrum (Smith & Serra 1987) and measured:
    its prominence is the peak over the median of the spectrum 0.75 to 5 Hz either
    side (the local floor), its level the power in the window's main lobe above that
    floor. A partial of the hum stands ``min_prominence_db`` above the floor and 3 dB
    above every other peak in that neighbourhood: hum is one steady line, while a
    repeated drum note or a disc's once-per-turn swell makes a comb of lines around a
    low tone. The partials that agree on one fundamental (within 0.01 %, judged at
    the higher harmonic of each pair) are the hum; it is present when they include
    the fundamental or number two or more. The fundamental is their least-squares fit
    ``f_k = k f0``, weighted by prominence.

    Parameters
    ----------
    audio : Audio
        At least 1 s long (shorter audio reports no hum).
    mains : sequence of float
        Candidate mains frequencies in Hz (10 to 1000); the best supported wins.
    harmonics : int
        How many multiples to examine, fundamental included (1 to 40).
    min_prominence_db : float
        How far a partial must stand above its neighbourhood, in dB (0 to 100).

    Returns
    -------
    HumReport

    References
    ----------
    P. D. Welch, IEEE Trans. Audio and Electroacoustics 15 (2), 1967, pp. 70-73.
    J. O. Smith and X. Serra, "PARSHL: an analysis/synthesis program for non-harmonic
    sounds based on a sinusoidal representation", Proc. ICMC, 1987 (quadratic
    interpolation of spectral peaks).
    """
    audio = check_audio(audio, who="detect_hum")
    mains = _check_mains(mains)
    harmonics = check_integer(harmonics, name="harmonics", low=1, high=40)
    min_prominence_db = check_number(min_prominence_db, name="min_prominence_db",
                                     low=0.0, high=100.0)
    signal, rate = low_band(audio, highest_hz=max(mains) * harmonics * (1 + _DETUNING) + 5)
    if signal.size < _MIN_SECONDS * rate:
        return HumReport(False, None, None, [], min_prominence_db)
    n_fft = min(signal.size, 2 ** int(np.ceil(np.log2(_SEGMENT_SECONDS * rate))))
    freqs, psd = welch_psd(signal, sample_rate=rate, n_fft=n_fft, pad_factor=_PAD_FACTOR)
    resolution = rate / n_fft
    best: list[_Peak] = []
    for fundamental in mains:
        peaks = [_measure_peak(freqs, psd, k, k * fundamental, resolution)
                 for k in range(1, harmonics + 1)
                 if k * fundamental * (1 + _DETUNING) + _FLOOR_BINS[1] * resolution < rate / 2]
        hum = _agreeing(peaks, min_prominence_db, resolution)
        if _score(hum) > _score(best):
            best = hum
    if not _score(best)[0]:
        return HumReport(False, None, None, [], min_prominence_db)
    weights = np.array([10.0 ** (p.prominence_db / 10.0) for p in best])
    k = np.array([p.harmonic for p in best], dtype=float)
    fitted = float(np.sum(weights * k * [p.freq for p in best]) / np.sum(weights * k * k))
    return HumReport(True, fitted, power_db(sum(p.power for p in best)),
                     [(p.freq, p.level_db, p.prominence_db) for p in best],
                     min_prominence_db)


def _check_mains(mains: Any) -> tuple[float, ...]:
    values = tuple(np.atleast_1d(np.asarray(mains, dtype=object)))
    if not values or not all(isinstance(v, (int, float, np.number))
                             and not isinstance(v, bool) and 10.0 <= v <= 1000.0
                             for v in values):
        raise ParameterError(f"mains must be one or more frequencies from 10 to 1000 Hz, "
                             f"e.g. (50.0, 60.0), got {mains!r}.")
    return tuple(float(v) for v in values)


def _measure_peak(freqs: np.ndarray, psd: np.ndarray, harmonic: int, target: float,
                  resolution: float) -> _Peak:
    """Locate and measure the strongest peak within the detuning range of ``target``."""
    step = freqs[1] - freqs[0]
    lo, hi = np.searchsorted(freqs, [target * (1 - _DETUNING), target * (1 + _DETUNING)])
    top = lo + int(np.argmax(psd[lo:max(hi, lo + 1)]))
    freq = freqs[top] + step * _vertex_offset(power_db(psd[top - 1: top + 2]))
    distance = np.abs(freqs - freq)
    side = (distance >= _FLOOR_BINS[0] * resolution) & (distance <= _FLOOR_BINS[1] * resolution)
    floor = float(np.median(psd[side]))
    lobe = distance <= _LOBE_BINS * resolution
    power = max(float(np.sum(psd[lobe] - floor)) * step, 0.0)
    peak_db = power_db(psd[top])
    return _Peak(harmonic, float(freq), power_db(power), peak_db - power_db(floor),
                 peak_db - power_db(psd[side].max()), power)


def _vertex_offset(levels: np.ndarray) -> float:
    """Offset in bins, -0.5 to 0.5, of the vertex of a parabola through three levels."""
    left, centre, right = levels
    curvature = left - 2.0 * centre + right
    return 0.0 if curvature >= 0 else float(np.clip(0.5 * (left - right) / curvature,
                                                    -0.5, 0.5))


def _agreeing(peaks: list[_Peak], min_prominence_db: float,
              resolution: float) -> list[_Peak]:
    """The largest set of prominent peaks that are multiples of one fundamental.

    Each prominent peak is tried as the anchor, so that one loud musical partial near a
    multiple cannot outvote the hum's own harmonics.
    """
    prominent = [p for p in peaks if p.prominence_db >= min_prominence_db
                 and p.isolation_db >= _ISOLATION_DB]
    best: list[_Peak] = []
    for anchor in prominent:
        group = [p for p in prominent if _agree(anchor, p, resolution)]
        if _score(group) > _score(best):
            best = group
    return best


def _agree(one: _Peak, other: _Peak, resolution: float) -> bool:
    """Whether two peaks are harmonics of one fundamental, judged at the higher one."""
    top = max(one.harmonic, other.harmonic)
    higher = one.freq * top / one.harmonic
    miss = abs(higher - other.freq * top / other.harmonic)
    return miss <= max(_AGREEMENT * higher, resolution / 16)


def _score(hum: list[_Peak]) -> tuple[bool, int, float]:
    """Order candidate hums: present first, then by partial count, then prominence."""
    present = any(p.harmonic == 1 for p in hum) or len(hum) >= 2
    return present, len(hum), sum(p.prominence_db for p in hum)
