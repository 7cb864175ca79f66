"""What the recording chain does to the frequency response, the speed and the level.

Three degradations that change the signal itself rather than add anything to it:

BandLimit     the narrow band and the resonances of acoustic recording and shellac playback
WowFlutter    pitch wander from an off-centre disc and an uneven turntable drive
Saturation    the soft overload of the cutting amplifier and cutter head

All three keep the output time-aligned with the input, because restorers are scored
sample by sample against the clean signal: the filters run forwards and backwards (zero
phase), wow and flutter start with no offset, and the saturation curve is memoryless.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from restorekit.audio import Audio
from restorekit.checks import check_range
from restorekit.degrade.base import Degradation, Truth
from restorekit.errors import ParameterError

__all__ = ["BandLimit", "WowFlutter", "Saturation"]

# Cut-offs above this fraction of the sample rate leave a Butterworth low-pass no room
# to roll off before the Nyquist frequency.
_HIGHEST_CUTOFF = 0.45
_BUTTERWORTH_ORDER = 4


class BandLimit(Degradation):
    """The band and the resonances of acoustic recording and shellac playback.

    Before microphones (until 1925) a performer played into a horn that drove a
    diaphragm and the cutting stylus directly. Such a chain passes roughly 100 Hz to
    5 kHz: the horn cuts the bass, the mass of the diaphragm and stylus cuts the treble,
    and the horn and diaphragm add a few strong resonances in between, which give
    acoustic records their "honky" colour (Copeland 2008, ch. 5). The playback
    soundbox and later electrical pickups narrow the band in the same way.

    This is modelled as a Butterworth high-pass at ``low_hz`` and low-pass at
    ``high_hz`` (each 4th order, run forwards and backwards: −6 dB at the cut-off,
    48 dB/octave beyond it), plus ``resonances`` peaking filters from the Audio EQ
    Cookbook (Bristow-Johnson) at log-uniform frequencies between the two cut-offs.
    Each resonance is designed with half its gain and run forwards and backwards, so it
    peaks at exactly ``gain_db`` and, like the rest, adds no delay: the output stays
    aligned with the input. ``high_hz`` is clamped to 0.45 × the sample rate.

    Parameters
    ----------
    low_hz, high_hz : float or (float, float)
        High-pass and low-pass cut-offs in Hz (every ``low_hz`` below every ``high_hz``).
    resonances : int or (int, int)
        How many resonances, 0 to 10.
    resonance_gain_db : float or (float, float)
        Peak gain of each resonance in dB, −24 to 24 (negative: a dip).
    resonance_q : float or (float, float)
        Quality factor of each resonance's filter, 0.1 to 50 (higher: narrower).
    p : float
        Probability of applying this degradation.

    References
    ----------
    P. Copeland, *Manual of Analogue Sound Restoration Techniques*, British Library,
    2008. R. Bristow-Johnson, *Cookbook formulae for audio EQ biquad filter
    coefficients* (the "Audio EQ Cookbook").
    """

    name = "band_limit"
    additive = False

    def __init__(self, *, low_hz=(80.0, 250.0), high_hz=(3000.0, 6000.0), resonances=(1, 3),
                 resonance_gain_db=(3.0, 10.0), resonance_q=(2.0, 6.0), p: float = 1.0) -> None:
        super().__init__(p=p)
        self.low_hz = check_range(low_hz, name="low_hz", low=1.0, high=20_000.0)
        self.high_hz = check_range(high_hz, name="high_hz", low=10.0, high=100_000.0)
        if self.low_hz[1] >= self.high_hz[0]:
            raise ParameterError(f"every low_hz must be below every high_hz, got low_hz "
                                 f"{self.low_hz} and high_hz {self.high_hz}.")
        self.resonances = _check_count(resonances, name="resonances", high=10)
        self.resonance_gain_db = check_range(resonance_gain_db, name="resonance_gain_db",
                                             low=-24.0, high=24.0)
        self.resonance_q = check_range(resonance_q, name="resonance_q", low=0.1, high=50.0)

    def draw(self, audio: Audio, rng: np.random.Generator) -> dict[str, Any]:
        low = float(rng.uniform(*self.low_hz))
        high = min(float(rng.uniform(*self.high_hz)), _HIGHEST_CUTOFF * audio.sample_rate)
        if high <= low:
            raise ParameterError(f"band_limit cannot keep a band above low_hz = {low:g} Hz "
                                 f"in {audio.sample_rate} Hz audio (the low-pass must stay "
                                 f"under {high:g} Hz); lower low_hz.")
        count = int(rng.integers(self.resonances[0], self.resonances[1] + 1))
        # Uniform in log frequency, as pitch is heard, so no octave is favoured.
        freqs = np.exp(rng.uniform(np.log(low), np.log(high), size=count))
        return {"low_hz": low, "high_hz": high,
                "resonance_hz": freqs.tolist(),
                "resonance_gain_db": rng.uniform(*self.resonance_gain_db, size=count).tolist(),
                "resonance_q": rng.uniform(*self.resonance_q, size=count).tolist()}

    def apply(self, audio: Audio, params: Mapping[str, Any],
              rng: np.random.Generator) -> tuple[np.ndarray, Truth]:
        from scipy.signal import butter, sosfiltfilt  # slow to import

        rate = audio.sample_rate
        sections = [
            butter(_BUTTERWORTH_ORDER, params["low_hz"], "highpass", fs=rate, output="sos"),
            butter(_BUTTERWORTH_ORDER, params["high_hz"], "lowpass", fs=rate, output="sos"),
        ]
        for freq, gain_db, q in zip(params["resonance_hz"], params["resonance_gain_db"],
                                    params["resonance_q"], strict=True):
            sections.append(peaking_sos(freq, gain_db / 2.0, q, sample_rate=rate))
        # Mirror-image padding three periods of the high-pass long lets the filters
        # settle before frame 0, so the output starts without a start-up transient.
        padlen = min(audio.frames - 1, round(3 * rate / params["low_hz"]))
        out = sosfiltfilt(np.concatenate(sections), audio.samples.astype(np.float64),
                          axis=1, padtype="even", padlen=padlen)
        return out.astype(np.float32), Truth(self.name)


def peaking_sos(freq: float, gain_db: float, q: float, *, sample_rate: int) -> np.ndarray:
    """The Audio EQ Cookbook peaking filter as one second-order section, shape (1, 6).

    Gain ``gain_db`` at ``freq`` Hz, unity far from it; ``q`` sets the bandwidth.
    """
    amplitude = 10.0 ** (gain_db / 40.0)
    w0 = 2.0 * np.pi * freq / sample_rate
    alpha = np.sin(w0) / (2.0 * q)
    b = [1.0 + alpha * amplitude, -2.0 * np.cos(w0), 1.0 - alpha * amplitude]
    a = [1.0 + alpha / amplitude, -2.0 * np.cos(w0), 1.0 - alpha / amplitude]
    return np.array([b + a]) / a[0]


class WowFlutter(Degradation):
    """Slow pitch wander (wow) and fast pitch jitter (flutter) of disc playback.

    A disc whose spindle hole is off centre, or that is warped, passes the stylus at a
    speed that rises and falls once per revolution: 1.3 Hz at 78 rpm, 0.55 Hz at 33⅓.
    An uneven turntable drive (idler, belt, motor cogging) adds faster flutter, around
    6 to 12 Hz. Each depth is a peak relative speed error, the quantity flutter meters
    report (AES6-2008): a depth of 0.003 is ±0.3 % in speed and pitch.

    The output reads the input at the moving position ``t + d(t)`` with
    ``d(t) = Σ A sin(2π f t + φ)`` for one wow and one flutter sinusoid, random phases
    and ``A = depth / (2π f)``, so that the speed ``1 + d'(t)`` swings by exactly
    ``depth``. ``d(0)`` is subtracted, so the output starts aligned with the input
    (it drifts from it by at most ``2 A`` seconds). Reading between samples uses a
    32-tap Kaiser-windowed sinc, flat to about 0.42 × the sample rate; positions past
    either end repeat the edge sample. Every channel gets the same modulation.

    Parameters
    ----------
    wow_hz, flutter_hz : float or (float, float)
        Modulation rates in Hz, 0.01 to 10 and 1 to 100.
    wow_depth, flutter_depth : float or (float, float)
        Peak relative speed errors, 0 to 0.05 (0 turns that part off).
    p : float
        Probability of applying this degradation.

    References
    ----------
    AES6-2008, *Method for measurement of weighted peak flutter of sound recording and
    reproducing equipment*. J. O. Smith, *Digital Audio Resampling Home Page*
    (windowed-sinc interpolation), https://ccrma.stanford.edu/~jos/resample/.
    """

    name = "wow_flutter"
    additive = False

    def __init__(self, *, wow_hz=(0.5, 1.3), wow_depth=(0.0005, 0.003), flutter_hz=(6.0, 12.0),
                 flutter_depth=(0.0001, 0.0008), p: float = 1.0) -> None:
        super().__init__(p=p)
        self.wow_hz = check_range(wow_hz, name="wow_hz", low=0.01, high=10.0)
        self.wow_depth = check_range(wow_depth, name="wow_depth", low=0.0, high=0.05)
        self.flutter_hz = check_range(flutter_hz, name="flutter_hz", low=1.0, high=100.0)
        self.flutter_depth = check_range(flutter_depth, name="flutter_depth", low=0.0,
                                         high=0.05)

    def draw(self, audio: Audio, rng: np.random.Generator) -> dict[str, Any]:
        params = {}
        for part in ("wow", "flutter"):
            params[f"{part}_hz"] = float(rng.uniform(*getattr(self, f"{part}_hz")))
            params[f"{part}_depth"] = float(rng.uniform(*getattr(self, f"{part}_depth")))
            params[f"{part}_phase"] = float(rng.uniform(0.0, 2.0 * np.pi))
        return params

    def apply(self, audio: Audio, params: Mapping[str, Any],
              rng: np.random.Generator) -> tuple[np.ndarray, Truth]:
        t = np.arange(audio.frames) / audio.sample_rate
        offset = np.zeros(audio.frames)
        for part in ("wow", "flutter"):
            freq, phase = params[f"{part}_hz"], params[f"{part}_phase"]
            amplitude = params[f"{part}_depth"] / (2.0 * np.pi * freq)
            offset += amplitude * (np.sin(2.0 * np.pi * freq * t + phase) - np.sin(phase))
        position = (t + offset) * audio.sample_rate
        return sinc_interpolate(audio.samples, position).astype(np.float32), Truth(self.name)


# The interpolation kernel, tabulated at _PHASES fractional offsets; the weights between
# two table rows are interpolated linearly, which is accurate to about -100 dB.
_HALF_TAPS = 16
_PHASES = 512
_KAISER_BETA = 8.6  # side lobes near -90 dB
_BLOCK = 8192  # frames per block: small (frames, taps) work arrays stay in cache


def _sinc_table() -> np.ndarray:
    taps = np.arange(-_HALF_TAPS + 1, _HALF_TAPS + 1)
    x = np.arange(_PHASES + 1)[:, np.newaxis] / _PHASES - taps  # distance to each tap
    window = np.i0(_KAISER_BETA * np.sqrt(np.clip(1.0 - (x / _HALF_TAPS) ** 2, 0.0, None)))
    kernel = np.sinc(x) * window / np.i0(_KAISER_BETA)
    return kernel / kernel.sum(axis=1, keepdims=True)  # each row passes DC exactly


def sinc_interpolate(samples: np.ndarray, position: np.ndarray) -> np.ndarray:
    """Read ``samples`` (channels, frames) at fractional frame ``position``, as float64.

    Band-limited interpolation with a 32-tap Kaiser-windowed sinc; positions and taps
    outside the signal take the nearest edge sample. At whole-number positions it
    returns the samples themselves (to rounding).
    """
    from numpy.lib.stride_tricks import sliding_window_view

    frames = samples.shape[1]
    table = _sinc_table()
    slope = np.diff(table, axis=0)
    position = np.clip(position, 0.0, frames - 1)
    base = np.floor(position).astype(np.int64)
    phase = (position - base) * _PHASES
    row = phase.astype(np.int64)
    mix = (phase - row)[:, np.newaxis]
    # Window i of the edge-padded signal holds the taps of frame i: frames i-15 to i+16.
    padded = np.pad(samples.astype(np.float64), ((0, 0), (_HALF_TAPS - 1, _HALF_TAPS)),
                    mode="edge")
    windows = sliding_window_view(padded, 2 * _HALF_TAPS, axis=1)
    out = np.empty((samples.shape[0], position.size))
    for start in range(0, position.size, _BLOCK):
        block = slice(start, start + _BLOCK)
        weights = table[row[block]] + slope[row[block]] * mix[block]
        out[:, block] = np.einsum("cft,ft->cf", windows[:, base[block]], weights)
    return out


class Saturation(Degradation):
    """The soft overload of the cutting amplifier and cutter head.

    Valve amplifiers and magnetic cutter heads do not clip hard: their gain falls
    smoothly as the level rises, compressing loud peaks and adding mostly odd
    harmonics. The standard memoryless model of such a stage is the hyperbolic tangent
    (Pakarinen & Yeh 2009). Here ``y = tanh(drive · x) / drive``: its slope at zero is
    1, so quiet passages pass unchanged (within (drive · x)² / 3 relative), while loud
    ones are pulled in, never above ``1 / drive``. The curve is odd, strictly
    increasing and finite for every finite input; it has no memory, so it adds no delay.

    Parameters
    ----------
    drive : float or (float, float)
        How hard the stage is driven, 0.01 to 100: a full-scale sample comes out at
        ``tanh(drive) / drive`` (0.76 at 1, 0.48 at 2, 0.33 at 3); the default
        range (1, 2) is "light": a -3 dBFS peak loses 1.3 to 4 dB.
    p : float
        Probability of applying this degradation.

    References
    ----------
    J. Pakarinen and D. T. Yeh, "A review of digital techniques for modeling
    vacuum-tube guitar amplifiers", Computer Music Journal 33(2), 2009.
    """

    name = "saturation"
    additive = False

    def __init__(self, *, drive=(1.0, 2.0), p: float = 1.0) -> None:
        super().__init__(p=p)
        self.drive = check_range(drive, name="drive", low=0.01, high=100.0)

    def draw(self, audio: Audio, rng: np.random.Generator) -> dict[str, Any]:
        return {"drive": float(rng.uniform(*self.drive))}

    def apply(self, audio: Audio, params: Mapping[str, Any],
              rng: np.random.Generator) -> tuple[np.ndarray, Truth]:
        drive = params["drive"]
        out = np.tanh(drive * audio.samples.astype(np.float64)) / drive
        return out.astype(np.float32), Truth(self.name)


def _check_count(value: Any, *, name: str, high: int) -> tuple[int, int]:
    """Like :func:`check_range`, for whole numbers from 0 to ``high``."""
    lo, hi = check_range(value, name=name, low=0, high=high)
    if lo != int(lo) or hi != int(hi):
        raise ParameterError(f"{name} must be whole numbers, got {value!r}.")
    return int(lo), int(hi)
