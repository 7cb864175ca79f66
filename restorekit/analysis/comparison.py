"""Comparing a real transfer with the generator fitted to it.

:func:`compare_synthetic_vs_real` prepares a clean source like the transfer (same
channels, length, long-term spectrum and level; the transfer's unpredictable residual
as surface hiss; its band limit after the damage), fits the generator to the transfer's
profile (:func:`restorekit.analysis.fit.fit_to_profile`), renders the calibrated damage
and prints the "COMPARISON: Real vs Synthetic" table.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import numpy as np

from restorekit.analysis.events import ImpulseEvents
from restorekit.analysis.fit import COMPARED, fit_to_profile, measure, render_fitted
from restorekit.analysis.profile import ImpulseProfile
from restorekit.audio import Audio

__all__ = ["Comparison", "compare_synthetic_vs_real", "prepare_clean", "residual_level"]


@dataclass(frozen=True)
class Comparison:
    """The real and the fitted synthetic profiles, side by side.

    ``clean`` and ``cutoff_hz`` are the prepared clean source and band limit the fit
    rendered with: ``render_fitted(clean, parameters, seed=..., cutoff_hz=cutoff_hz)``
    draws the fitted damage again with another seed.
    """

    real: ImpulseProfile
    synthetic: ImpulseProfile
    parameters: dict[str, Any]
    real_events: ImpulseEvents | None = None
    synthetic_events: ImpulseEvents | None = None
    clean: Audio | None = None
    cutoff_hz: float | None = None

    def rows(self) -> list[tuple[str, float, float, float]]:
        """``(name, real, synthetic, relative difference)`` per compared figure."""
        out = []
        for label, field in COMPARED:
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

    def plot(self, path: str | os.PathLike) -> None:
        """Overlay the two: amplitude and interval histograms, and the five figures."""
        from restorekit.analysis.comparison_plot import plot_comparison

        plot_comparison(self, path)


def compare_synthetic_vs_real(real_audio_path: str | os.PathLike, clean_audio: Audio,
                              sample_rate: int, *, seed: int = 0, method: str = "ar",
                              plot: str | os.PathLike | None = None,
                              verbose: bool = True) -> Comparison:
    """Profile a real transfer, fit the generator to it, and compare the two profiles.

    ``clean_audio`` is the music the synthetic damage is laid on. It is resampled to
    ``sample_rate`` (the real file is read at that rate too), looped or cut to the real
    file's length, brought to its RMS level, and given its unpredictable residual as
    surface noise; the fitted damage is then band-limited at the real file's bandwidth. Prints
    the "COMPARISON: Real vs Synthetic" table unless ``verbose`` is False, and writes
    the overlay plot to ``plot`` if given.
    """
    from restorekit.analysis.spectrum import bandwidth
    from restorekit.io import load

    real_audio = load(real_audio_path, sample_rate=sample_rate)
    real = measure(real_audio, method=method, source=str(real_audio_path))
    clean = prepare_clean(clean_audio.resample(sample_rate), real_audio)
    cutoff = bandwidth(real_audio).cutoff_hz
    fixed = {"surface_noise_level": residual_level(real_audio)}
    params = fit_to_profile(real, clean=clean, seed=seed, cutoff_hz=cutoff, **fixed)
    synthetic = measure(render_fitted(clean, params, seed=seed, cutoff_hz=cutoff),
                        method=method, source="synthetic")
    comparison = Comparison(real=real.profile, synthetic=synthetic.profile,
                            parameters=params, real_events=real.events,
                            synthetic_events=synthetic.events, clean=clean,
                            cutoff_hz=cutoff)
    if verbose:
        print("\n".join(comparison.lines()))
    if plot is not None:
        comparison.plot(plot)
    return comparison


def residual_level(audio: Audio) -> float:
    """The typical robust scale of the AR residual: the transfer's unpredictable hiss.

    Music seldom pauses long enough to measure the surface noise alone, but the noise
    is what a 50 ms AR model cannot predict, so the residual's median scale is a fair
    measure of it (an upper bound where the music itself is noisy).
    """
    from restorekit.analysis.scores import block_residual, robust_scale
    from restorekit.dsp.ar import fit_ar_blocks

    block = round(0.05 * audio.sample_rate)
    levels = []
    for x in audio.samples.astype(np.float64):
        if x.size <= 4 * block or not np.any(x):
            continue
        coefficients = fit_ar_blocks(x, order=20, block=block, method="autocorrelation")
        levels.append(np.median(robust_scale(block_residual(x, coefficients, block=block),
                                             block)))
    return float(np.median(levels)) if levels else 0.0


def prepare_clean(clean: Audio, real: Audio) -> Audio:
    """``clean`` with ``real``'s channels, length, long-term spectrum and RMS level.

    The emphasis figures compare impulses with the music beside them, so the clean
    source must sound like the transfer's music: its average spectrum is equalised to
    the transfer's (a linear-phase FIR whose response is the ratio of the two Welch
    spectra, smoothed over a third of an octave and held within +-30 dB).
    """
    from scipy.signal import fftconvolve, firwin2, welch

    samples = clean.samples.astype(np.float64)
    if samples.shape[0] != real.channels:
        samples = np.resize(samples.mean(axis=0), (real.channels, samples.shape[1]))
    repeats = -(-real.frames // samples.shape[1])
    samples = np.tile(samples, (1, repeats))[:, : real.frames]
    rate = real.sample_rate
    n_fft = min(4096, 1 << int(np.log2(max(64, real.frames // 4))))
    freqs, want = welch(real.samples.astype(np.float64).mean(axis=0), fs=rate,
                        nperseg=n_fft)
    _, have = welch(samples.mean(axis=0), fs=rate, nperseg=n_fft)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio_db = 10 * np.log10(np.maximum(want, 1e-20) / np.maximum(have, 1e-20))
    # smooth over a third of an octave around each frequency
    smooth = np.array([ratio_db[(freqs >= f / 2 ** (1 / 6)) & (freqs <= f * 2 ** (1 / 6))].mean()
                       if f > 0 else ratio_db[0] for f in freqs])
    gain = 10 ** (np.clip(smooth, -30, 30) / 20)
    taps = firwin2(1025 if rate >= 16000 else 513, freqs, gain, fs=rate)
    samples = fftconvolve(samples, taps[np.newaxis], mode="same", axes=-1)
    rms = float(np.sqrt(np.mean(samples ** 2)))
    target = float(np.sqrt(np.mean(real.samples.astype(np.float64) ** 2)))
    gain = target / rms if rms > 0 else 1.0
    return Audio((samples * gain).astype(np.float32), rate)
