"""Continuous noise of disc playback: surface hiss, rumble and mains hum.

All three are additive: each truth holds the exact noise signal it added.
"""

from __future__ import annotations

import numpy as np

from restorekit.checks import check_range
from restorekit.degrade.base import Degradation, Truth

__all__ = ["SurfaceNoise", "Rumble", "Hum", "correlated_noise"]


def correlated_noise(rng: np.random.Generator, channels: int, frames: int,
                     correlation: float) -> np.ndarray:
    """Unit-variance Gaussian noise whose channels correlate pairwise by ``correlation``.

    A stereo pickup reads one groove, so its noise is partly shared and partly its own.
    Independent noise is mixed by the Cholesky factor of the equicorrelation matrix,
    which needs one noise stream per channel and no more.
    """
    white = rng.standard_normal((channels, frames), dtype=np.float32)
    if channels == 1:
        return white
    target = np.full((channels, channels), correlation) + (1 - correlation) * np.eye(channels)
    # a correlation of exactly 1 makes the matrix singular; nudge it to stay positive
    mix = np.linalg.cholesky(target + 1e-9 * np.eye(channels)).astype(np.float32)
    return mix @ white


def _filtered(noise: np.ndarray, sos: np.ndarray) -> np.ndarray:
    from scipy.signal import sosfilt  # imported on use: scipy.signal is slow to import

    # float32 throughout: this is noise, and single precision halves the work
    return sosfilt(sos.astype(noise.dtype), noise, axis=-1)


def _at_rms(noise: np.ndarray, level: float) -> np.ndarray:
    # squares in the noise's own precision, summed in float64 for an exact level
    rms = float(np.sqrt(np.sum(noise * noise, dtype=np.float64) / max(noise.size, 1)))
    return noise * noise.dtype.type(level / rms) if rms > 0 else noise


class SurfaceNoise(Degradation):
    """Surface noise: band-limited hiss whose level swells once per disc revolution.

    The stylus rubbing the shellac's grain makes a broadband hiss, shaped by the
    pickup into ``band_hz``. Wear and dirt are not even round the disc, so the level is
    modulated at the rotation rate (``rpm / 60`` = 1.3 Hz at 78 rpm) and its first
    ``harmonics`` multiples, by up to ``modulation_depth``. The RMS over the whole
    signal is ``surface_noise_level`` (full scale = 1).
    """

    name = "surface_noise"
    additive = True

    def __init__(self, *, surface_noise_level=(0.015, 0.03), band_hz=(300.0, 10000.0),
                 rpm=78.0, modulation_depth=(0.2, 0.5), harmonics=3,
                 stereo_correlation=(0.3, 0.8), p=1.0):
        super().__init__(p=p)
        self.surface_noise_level = check_range(surface_noise_level,
                                               name="surface_noise_level", low=0, high=1)
        self.band_hz = check_range(band_hz, name="band_hz", low=10, high=40000)
        self.rpm = check_range(rpm, name="rpm", low=8, high=160)[0]
        self.modulation_depth = check_range(modulation_depth, name="modulation_depth",
                                            low=0, high=0.95)
        self.harmonics = int(check_range(harmonics, name="harmonics", low=1, high=20)[0])
        self.stereo_correlation = check_range(stereo_correlation, name="stereo_correlation",
                                              low=0, high=1)

    def draw(self, audio, rng):
        return {"level": rng.uniform(*self.surface_noise_level),
                "rotation_hz": self.rpm / 60.0,
                "depth": rng.uniform(*self.modulation_depth),
                "phases": rng.uniform(0, 2 * np.pi, self.harmonics).tolist(),
                "correlation": rng.uniform(*self.stereo_correlation)}

    def apply(self, audio, params, rng):
        from scipy.signal import butter

        rate = audio.sample_rate
        low, high = self.band_hz[0], min(self.band_hz[1], 0.45 * rate)
        noise = correlated_noise(rng, audio.channels, audio.frames, params["correlation"])
        noise = _filtered(noise, butter(2, [low, high], btype="bandpass", fs=rate,
                                        output="sos"))
        # the swell is slow (a few Hz): compute it every 1 ms, join the points linearly
        step = max(1, rate // 1000)
        coarse = np.arange(0, audio.frames + 2 * step, step) / rate
        # harmonic k weighs 1/k; weights sum to 1 so the envelope never goes negative
        weights = 1.0 / np.arange(1, self.harmonics + 1)
        weights /= weights.sum()
        swell = (1.0 + params["depth"] * sum(
            w * np.sin(2 * np.pi * (k + 1) * params["rotation_hz"] * coarse + phase)
            for k, (w, phase) in enumerate(zip(weights, params["phases"], strict=True)))
        ).astype(np.float32)
        ramp = np.arange(step, dtype=np.float32) / step
        envelope = (swell[:-1, None] + np.diff(swell)[:, None] * ramp).reshape(-1)
        added = _at_rms(noise * envelope[: audio.frames], params["level"]).astype(np.float32)
        return audio.samples + added, Truth(self.name, added=added)


class Rumble(Degradation):
    """Rumble: very low-frequency noise (< 30 Hz) from the turntable's motor and bearing.

    Lowpass-filtered Gaussian noise below ``cutoff_hz`` (4th-order Butterworth, with a
    2 Hz high-pass so no DC creeps in), at RMS ``level``; mostly common to both channels.
    """

    name = "rumble"
    additive = True

    def __init__(self, *, level=(0.002, 0.02), cutoff_hz=(15.0, 30.0),
                 stereo_correlation=(0.7, 1.0), p=1.0):
        super().__init__(p=p)
        self.level = check_range(level, name="level", low=0, high=1)
        self.cutoff_hz = check_range(cutoff_hz, name="cutoff_hz", low=3, high=200)
        self.stereo_correlation = check_range(stereo_correlation, name="stereo_correlation",
                                              low=0, high=1)

    def draw(self, audio, rng):
        return {"level": rng.uniform(*self.level), "cutoff_hz": rng.uniform(*self.cutoff_hz),
                "correlation": rng.uniform(*self.stereo_correlation)}

    def apply(self, audio, params, rng):
        from scipy.signal import butter

        rate = audio.sample_rate
        noise = correlated_noise(rng, audio.channels, audio.frames, params["correlation"])
        sos = np.concatenate([butter(4, params["cutoff_hz"], fs=rate, output="sos"),
                              butter(1, 2.0, btype="highpass", fs=rate, output="sos")])
        added = _at_rms(_filtered(noise, sos), params["level"]).astype(np.float32)
        return audio.samples + added, Truth(self.name, added=added)


class Hum(Degradation):
    """Mains hum: the supply frequency and its harmonics picked up by the playback chain.

    The fundamental is one of ``mains_hz`` (50 Hz in Europe, 60 Hz in the Americas),
    detuned by up to ±0.2 % as real mains are; ``harmonics`` multiples follow with
    amplitudes falling as 1/k, odd ones twice as strong (transformer and rectifier
    buzz). The RMS of the whole hum is ``level_db`` dBFS; the same on every channel.
    """

    name = "hum"
    additive = True

    def __init__(self, *, level_db=(-60.0, -40.0), mains_hz=(50.0, 60.0), harmonics=(3, 8),
                 p=1.0):
        super().__init__(p=p)
        self.level_db = check_range(level_db, name="level_db", low=-140, high=0)
        self.mains_hz = tuple(float(f) for f in np.atleast_1d(mains_hz))
        check_range((min(self.mains_hz), max(self.mains_hz)), name="mains_hz", low=10,
                    high=1000)
        self.harmonics = check_range(harmonics, name="harmonics", low=1, high=60)

    def draw(self, audio, rng):
        count = int(rng.integers(int(self.harmonics[0]), int(self.harmonics[1]) + 1))
        return {"level_db": rng.uniform(*self.level_db),
                "fundamental_hz": float(rng.choice(self.mains_hz)) * rng.uniform(0.998, 1.002),
                "harmonics": count, "phases": rng.uniform(0, 2 * np.pi, count).tolist()}

    def apply(self, audio, params, rng):
        t = np.arange(audio.frames) / audio.sample_rate
        hum = np.zeros(audio.frames)
        for k, phase in zip(range(1, params["harmonics"] + 1), params["phases"], strict=True):
            freq = k * params["fundamental_hz"]
            if freq < 0.45 * audio.sample_rate:
                hum += (2.0 if k % 2 else 1.0) / k * np.sin(2 * np.pi * freq * t + phase)
        hum = _at_rms(hum, 10 ** (params["level_db"] / 20))
        added = np.tile(hum.astype(np.float32), (audio.channels, 1))
        return audio.samples + added, Truth(self.name, added=added)
