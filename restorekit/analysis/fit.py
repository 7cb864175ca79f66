"""Closing the loop: fit the artifact generator to a real transfer, and compare the two.

:func:`fit_to_profile` turns a measured :class:`ImpulseProfile` into keyword arguments for
:func:`restorekit.degrade.simulate_vinyl_artifacts`. It starts from the profile's own
numbers (rate, amplitude quantiles, polarity) and then calibrates on clean music: it
damages the music with the candidate parameters, profiles the result with the same
detector, and corrects the rate and amplitudes by the ratio of what it asked for to what
the detector saw. Comparing like with like — detected against detected — cancels the
detector's own misses and biases.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import numpy as np

from restorekit.analysis.impulses import detect_impulses
from restorekit.analysis.profile import ImpulseProfile, band_energy
from restorekit.audio import Audio
from restorekit.errors import ParameterError

__all__ = ["fit_to_profile", "profile_audio", "compare_synthetic_vs_real", "Comparison"]

_COMPARED = (("Impulses per second", "rate_per_s"), ("Mean amplitude", "mean_amplitude"),
             ("Max amplitude", "max_amplitude"), ("High-freq emphasis (>2kHz)", "hf_emphasis"),
             ("Mid-freq emphasis (0.5-2kHz)", "mid_emphasis"))


def profile_audio(audio: Audio, *, method: str = "ar", sensitivity: float = 1.0,
                  source: str = "") -> ImpulseProfile:
    """Detect and profile the impulses of audio already in memory."""
    events = detect_impulses(audio, method=method, sensitivity=sensitivity).joint()
    energy = band_energy(audio.samples, events.position, sample_rate=audio.sample_rate)
    return ImpulseProfile.from_events(events, energy, method=method, source=source)


def _log_uniform_range(q10: float, q90: float) -> tuple[float, float]:
    """The (lo, hi) of a log-uniform law whose 10th and 90th percentiles are q10, q90."""
    span = (np.log(q90) - np.log(q10)) / 0.8
    lo = np.exp(np.log(q10) - 0.1 * span)
    return float(lo), float(lo * np.exp(span))


def _start(profile: ImpulseProfile) -> dict[str, Any]:
    q = profile.amplitude_quantiles
    lo, hi = _log_uniform_range(max(q["0.1"], 1e-4), max(q["0.9"], q["0.1"] * 1.01, 1e-4))
    hi = min(hi, 1.0)
    return {"impulse_rate": max(profile.rate_per_s, 0.01),
            "impulse_amplitude": (min(lo, hi), hi),
            "positive_fraction": float(np.clip(profile.positive_fraction, 0, 1))
            if np.isfinite(profile.positive_fraction) else 0.5}


def fit_to_profile(profile: ImpulseProfile, *, clean: Audio, rng: np.random.Generator,
                   iterations: int = 3, **fixed: Any) -> dict[str, Any]:
    """Generator parameters whose damage, once detected, reads like ``profile``.

    Parameters
    ----------
    profile : ImpulseProfile
        Measured on the real transfer (same ``method`` is used here).
    clean : Audio
        Clean music of a similar level to calibrate on (a minute or so).
    rng : numpy.random.Generator
        For the calibration runs.
    iterations : int
        Calibration rounds (1 to 10); each damages and profiles ``clean`` once.
    **fixed
        Other :func:`~restorekit.degrade.simulate_vinyl_artifacts` arguments to keep
        (e.g. ``surface_noise_level``), passed to every calibration run.

    Returns
    -------
    dict
        Keyword arguments for ``simulate_vinyl_artifacts``: ``impulse_rate``,
        ``impulse_amplitude``, ``positive_fraction`` and the ``fixed`` ones.
    """
    from restorekit.degrade import simulate_vinyl_artifacts

    if not 1 <= iterations <= 10:
        raise ParameterError(f"iterations must be from 1 to 10, got {iterations!r}.")
    if profile.count == 0:
        raise ParameterError("the profile holds no impulses; there is nothing to fit.")
    params = {**_start(profile), **fixed}
    for _ in range(iterations):
        damaged = simulate_vinyl_artifacts(clean, rng=rng, **params)
        seen = profile_audio(damaged.audio, method=profile.method)
        if seen.count == 0:
            params["impulse_amplitude"] = tuple(min(1.0, 2 * a)
                                                for a in params["impulse_amplitude"])
            continue
        rate = params["impulse_rate"] * profile.rate_per_s / seen.rate_per_s
        gain = profile.mean_amplitude / seen.mean_amplitude
        lo, hi = params["impulse_amplitude"]
        params["impulse_rate"] = float(np.clip(rate, 0.01, 2000))
        hi = float(np.clip(hi * gain, 1e-6, 1.0))
        params["impulse_amplitude"] = (float(np.clip(lo * gain, 1e-6, hi)), hi)
    return params


@dataclass(frozen=True)
class Comparison:
    """The real and the fitted synthetic profiles, side by side."""

    real: ImpulseProfile
    synthetic: ImpulseProfile
    parameters: dict[str, Any]

    def rows(self) -> list[tuple[str, float, float, float]]:
        """``(name, real, synthetic, relative difference)`` per compared figure."""
        out = []
        for label, field in _COMPARED:
            a, b = getattr(self.real, field), getattr(self.synthetic, field)
            out.append((label, a, b, (b - a) / a if a else float("nan")))
        return out

    def lines(self) -> list[str]:
        """The printed table."""
        lines = ["COMPARISON: Real vs Synthetic",
                 f"  {'':30s} {'real':>12s} {'synthetic':>12s} {'diff':>8s}"]
        for label, a, b, d in self.rows():
            lines.append(f"  {label:30s} {a:12.6g} {b:12.6g} {d:+8.1%}")
        return lines


def compare_synthetic_vs_real(real_audio_path: str | os.PathLike, clean_audio: Audio,
                              sample_rate: int, *, rng: np.random.Generator | None = None,
                              method: str = "ar", verbose: bool = True) -> Comparison:
    """Profile a real transfer, fit the generator to it, and compare the two profiles.

    ``clean_audio`` (resampled to ``sample_rate``) is the music the synthetic damage is
    laid on; the real file is read at ``sample_rate`` too, so both are detected alike.
    Prints the "COMPARISON: Real vs Synthetic" table unless ``verbose`` is False.
    """
    from restorekit.degrade import simulate_vinyl_artifacts
    from restorekit.io import load

    rng = np.random.default_rng(0) if rng is None else rng
    real = profile_audio(load(real_audio_path, sample_rate=sample_rate), method=method,
                         source=str(real_audio_path))
    clean = clean_audio.resample(sample_rate)
    params = fit_to_profile(real, clean=clean, rng=rng)
    synthetic = profile_audio(simulate_vinyl_artifacts(clean, rng=rng, **params).audio,
                              method=method, source="synthetic")
    comparison = Comparison(real=real, synthetic=synthetic, parameters=params)
    if verbose:
        print("\n".join(comparison.lines()))
    return comparison
