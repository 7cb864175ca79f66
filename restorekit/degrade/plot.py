"""A picture of what each degradation does: waveform and spectrogram, side by side."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from restorekit.audio import Audio
from restorekit.degrade.base import Degradation
from restorekit.dsp.stft import stft

__all__ = ["plot_degradations"]


def plot_degradations(audio: Audio, degradations: Sequence[Degradation], *,
                      rng: np.random.Generator, seconds: float = 2.0):
    """Apply each degradation to ``audio`` on its own and draw what it changed.

    One row per degradation (the clean signal first): the left panel shows the first
    channel's waveform, clean in grey and degraded on top; the right panel the degraded
    signal's spectrogram (2048-point Hann STFT, dB). Returns a matplotlib Figure.

    Parameters
    ----------
    audio : Audio
        Clean music.
    degradations : sequence of Degradation
    rng : numpy.random.Generator
    seconds : float
        How much of the start of ``audio`` to show.
    """
    import matplotlib.pyplot as plt

    audio = audio.slice(0, min(seconds, audio.duration))
    rows = [("clean", audio)] + [(d.name, d(audio, rng).audio) for d in degradations]
    fig, axes = plt.subplots(len(rows), 2, figsize=(13, 1.9 * len(rows)), squeeze=False,
                             gridspec_kw={"width_ratios": [1.4, 1]})
    t = np.arange(audio.frames) / audio.sample_rate
    for (name, out), (wave_ax, spec_ax) in zip(rows, axes, strict=True):
        wave_ax.plot(t, audio.samples[0], color="0.75", linewidth=0.6)
        wave_ax.plot(t, out.samples[0], color="C0" if name == "clean" else "C3",
                     linewidth=0.5)
        wave_ax.set_ylabel(name, rotation=0, ha="right", va="center")
        wave_ax.set_xlim(0, t[-1])
        power = np.abs(stft(out.samples[0], n_fft=2048, hop_length=512)) ** 2
        db = 10 * np.log10(np.maximum(power, 1e-12))
        spec_ax.imshow(db, origin="lower", aspect="auto", cmap="magma",
                       vmin=db.max() - 90, vmax=db.max(),
                       extent=[0, t[-1], 0, audio.sample_rate / 2000])
        spec_ax.set_ylabel("kHz")
    axes[-1, 0].set_xlabel("seconds")
    axes[-1, 1].set_xlabel("seconds")
    axes[0, 0].set_title("waveform, first channel (grey: clean)")
    axes[0, 1].set_title("spectrogram of the degraded signal")
    fig.tight_layout()
    return fig
