"""Dethumping: find the low, decaying pulses a cracked disc knocks into the arm, and
subtract a fitted model of each.

When the stylus hits a crack or a deep gouge, the arm and cartridge swing at their low
resonance (20–100 Hz) and die away over tens to hundreds of milliseconds, under and
after the click itself. Interpolation cannot fill that: it is far too long. But it has
a known shape, so it can be modelled and taken out (the template approach of Vaseghi &
Frayling-Cork 1992; Godsill & Rayner 1998, ch. 7, on low-frequency noise pulses): a
damped sinusoid starting at the onset,

    p(t) = exp(-(t - t0) / tau) * (a sin(2 pi f (t - t0)) + b cos(2 pi f (t - t0))),

Onsets are where the low band (below ``cutoff_hz``, decimated) departs from its own
AR prediction far more than usual. At each, ``f`` and ``tau`` are searched on a grid and
``a, b`` solved by least squares against the low band; the fit is kept only if it
explains most of the low band's energy after the onset (music's bass line does not
look like one damped sinusoid for long), and then subtracted at the full rate.
"""

from __future__ import annotations

import functools

import numpy as np
from scipy.signal import resample_poly

from restorekit.analysis.scores import block_residual, block_scales
from restorekit.checks import check_number
from restorekit.dsp.ar import fit_ar_blocks
from restorekit.restore.base import Restorer

__all__ = ["Dethump"]

_LOW_RATE = 1000.0  # Hz, roughly: the low band is decimated to this
_FREQS = np.arange(15.0, 101.0, 2.5)  # resonances searched, Hz
# decay times searched: a bass drum dies away faster than the shortest of these
_DECAYS_MS = np.geomspace(30.0, 400.0, 12)
_LOW_BLOCK = 1056  # low-band samples per AR block (about a second)


class Dethump(Restorer):
    """Remove thumps: damped low-frequency pulses, fitted and subtracted.

    Parameters
    ----------
    cutoff_hz : float
        Top of the band thumps live in (80–300 Hz).
    threshold : float
        How far, in robust standard deviations of the low band's prediction error, an
        onset must stand out (4–50).
    explained : float
        Least fraction of the low band's energy over the fitted pulse's span that the
        pulse must account for to be taken out (0.3–0.99).
    mix : float
    """

    name = "dethump"

    def __init__(self, *, cutoff_hz: float = 150.0, threshold: float = 6.0,
                 explained: float = 0.5, mix: float = 1.0):
        super().__init__(mix=mix)
        self.cutoff_hz = check_number(cutoff_hz, name="cutoff_hz", low=80.0, high=300.0)
        self.threshold = check_number(threshold, name="threshold", low=4.0, high=50.0)
        self.explained = check_number(explained, name="explained", low=0.3, high=0.99)

    def _factor(self, sample_rate: int) -> int:
        return max(1, int(sample_rate // _LOW_RATE))

    def grid(self, sample_rate: int) -> int:
        return self._factor(sample_rate) * _LOW_BLOCK

    def context(self, sample_rate: int) -> int:
        # the longest pulse searched (five decay times), and the decimation filter
        return (round(5 * _DECAYS_MS[-1] / 1000 * sample_rate)
                + (_LOW_BLOCK + 64) * self._factor(sample_rate))

    def _process(self, audio, *, offset=0):
        rate = audio.sample_rate
        factor = self._factor(rate)
        x = audio.samples.astype(np.float64)
        low_rate = rate / factor
        lows = np.stack([_lowpass(resample_poly(channel, 1, factor, window=("kaiser", 8.0)),
                                  self.cutoff_hz / (low_rate / 2)) for channel in x])
        # found in the mono low band: a thump shakes the arm, so every channel has it
        low = lows.mean(axis=0)
        found = []
        for onset in _onsets(low, threshold=self.threshold, rate=low_rate):
            fit = _fit_pulse(low, onset, rate=low_rate)
            if fit is not None and fit[-1] >= self.explained:
                found.append(fit)
        out = x.copy()
        t = np.arange(audio.frames) / rate
        gains = [_channel_gains(lows, fit, rate=low_rate) for fit in found]
        for fit, gain in zip(found, gains, strict=True):
            onset, _, decay = fit[:3]
            t0 = onset / low_rate
            first = int(np.ceil(t0 * rate))
            last = min(audio.frames, first + round(5 * decay * rate))
            out[:, first:last] -= gain[:, None] * _pulse(fit, t[first:last] - t0)
        report = {"thumps": len(found),
                  "frequencies_hz": [round(float(f[1]), 1) for f in found]}
        return out, None, report


def _lowpass(x: np.ndarray, cutoff: float) -> np.ndarray:
    """Zero-phase windowed-sinc low-pass (cutoff as a fraction of Nyquist)."""
    taps = 61
    n = np.arange(taps) - taps // 2
    h = cutoff * np.sinc(cutoff * n) * np.kaiser(taps, 8.0)
    return np.convolve(x, h / h.sum(), mode="same")


def _onsets(low: np.ndarray, *, threshold: float, rate: float) -> list[int]:
    """Low-band samples where the prediction error jumps far above its usual size.

    Models and scales are fitted per block of ``_LOW_BLOCK`` samples counted from the
    first, so a stream restored in windows on the restorer's grid finds the same onsets.
    """
    block = min(_LOW_BLOCK, low.size)
    if low.size < 64 or not np.any(low):
        return []
    coefficients = fit_ar_blocks(low, order=8, block=block, method="autocorrelation")
    error = np.abs(block_residual(low, coefficients, block=block))
    error[:8] = 0.0  # the filter's start-up, not a thump
    scale = block_scales(error, block)
    scale = np.append(scale, scale[-1])[np.minimum(np.arange(low.size) // block,
                                                   scale.size)]
    hot = np.flatnonzero(error > threshold * (scale + 1e-12))
    # an onset has no other hot sample in the 50 ms before it: one thump's start, not
    # its every cycle (a rule that looks back a fixed way, so windows agree with the
    # whole)
    gap = round(0.05 * rate)
    first = np.diff(hot, prepend=-gap - 1) > gap
    return [int(i) for i in hot[first]]


def _fit_pulse(low: np.ndarray, onset: int, *, rate: float):
    """The damped sinusoid best explaining ``low`` from near ``onset``, and how well.

    A coarse search over the onset (up to 2 samples early), ``_DECAYS_MS`` and
    ``_FREQS``, then a fine one around the best. Returns ``(onset, freq, decay_s, a, b,
    explained)`` or None.
    """
    best = None
    for start in range(max(0, onset - 2), onset + 1):
        for decay_ms in _DECAYS_MS:
            best = _better(best, low, start, decay_ms / 1000, tuple(_FREQS), rate)
    if best is None:
        return None
    start, freq, decay = best[:3]
    step = _DECAYS_MS[1] / _DECAYS_MS[0]
    fine = tuple(freq + np.linspace(-1.5, 1.5, 13))
    for d in np.clip(decay * np.geomspace(1 / step, step, 7), _DECAYS_MS[0] / 1000,
                     _DECAYS_MS[-1] / 1000):
        best = _better(best, low, start, float(d), fine, rate)
    return best


def _better(best, low: np.ndarray, start: int, decay: float, freqs: tuple, rate: float):
    """``best``, or the fit at ``start`` and ``decay`` over ``freqs`` if it explains more."""
    span = min(low.size - start, round(3 * decay * rate))
    if span < 8:
        return best
    y = low[start: start + span]
    energy = float(y @ y)
    if energy <= 0:
        return best
    s, c, ss, cc, sc = _templates(decay, span, rate, freqs)
    sy, cy = s @ y, c @ y
    # the 2x2 least-squares normal equations, for every frequency at once
    det = ss * cc - sc * sc
    a = (cc * sy - sc * cy) / det
    b = (ss * cy - sc * sy) / det
    share = (a * sy + b * cy) / energy
    k = int(np.argmax(share))
    if best is not None and share[k] <= best[-1]:
        return best
    return start, float(freqs[k]), decay, float(a[k]), float(b[k]), float(share[k])


@functools.lru_cache(maxsize=64)
def _templates(decay: float, span: int, rate: float, freqs: tuple):
    """Damped sine and cosine rows for every frequency, and their products."""
    dt = np.arange(span) / rate
    phase = 2 * np.pi * np.outer(freqs, dt)
    envelope = np.exp(-dt / decay)
    s, c = envelope * np.sin(phase), envelope * np.cos(phase)
    return s, c, (s * s).sum(1), (c * c).sum(1), (s * c).sum(1)


def _pulse(fit, dt: np.ndarray) -> np.ndarray:
    """The fitted pulse ``(onset, freq, decay, a, b, _)`` at ``dt`` seconds after its onset."""
    _, freq, decay, a, b, _ = fit
    return np.exp(-dt / decay) * (a * np.sin(2 * np.pi * freq * dt)
                                  + b * np.cos(2 * np.pi * freq * dt))


def _channel_gains(lows: np.ndarray, fit, *, rate: float) -> np.ndarray:
    """How strongly a thump fitted on the mono low band shows in each channel's."""
    onset, _, decay = fit[:3]
    count = min(lows.shape[1] - onset, round(3 * decay * rate))
    p = _pulse(fit, np.arange(count) / rate)
    norm = float(p @ p)
    return lows[:, onset: onset + count] @ p / norm if norm > 0 else np.ones(len(lows))
