"""Small, seeded test signals (plain numpy arrays) for the metric tests."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import signal


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20240607)


@pytest.fixture
def make_tone():
    """Factory: ``make_tone(freq, sample_rate, seconds=1.0, amplitude=0.5)``, a sine array.

    (Named apart from the top-level ``tone`` fixture, which returns ``Audio``.)
    """

    def make(freq: float, sample_rate: int, seconds: float = 1.0,
             amplitude: float = 0.5) -> np.ndarray:
        t = np.arange(round(seconds * sample_rate)) / sample_rate
        return amplitude * np.sin(2 * np.pi * freq * t)

    return make


@pytest.fixture
def speech_like():
    """Factory: ``speech_like(sample_rate, seconds, rng)``, a crude vowel-like signal.

    A glottal pulse train with a gliding pitch (100-160 Hz) through three formant
    resonators, cut into 3 Hz syllables with a pause each second: enough voice-like
    structure for PESQ's voice activity detector and STOI's envelope analysis.
    """

    def make(sample_rate: int, seconds: float, rng: np.random.Generator) -> np.ndarray:
        n = round(seconds * sample_rate)
        t = np.arange(n) / sample_rate
        pitch = 120 + 30 * np.sin(2 * np.pi * 0.7 * t) + 10 * np.sin(2 * np.pi * 2.3 * t)
        pulses = np.diff(np.floor(np.cumsum(pitch) / sample_rate), prepend=0.0)
        source = pulses + 0.02 * rng.standard_normal(n)
        voiced = np.zeros(n)
        for formant, bandwidth in [(700, 130), (1220, 70), (2600, 160)]:
            radius = np.exp(-np.pi * bandwidth / sample_rate)
            poles = [1, -2 * radius * np.cos(2 * np.pi * formant / sample_rate), radius**2]
            voiced += signal.lfilter([1 - radius], poles, source)
        syllables = np.clip(np.sin(2 * np.pi * 3.0 * t), 0, None) ** 2
        syllables[t % 1.0 > 0.8] = 0.0
        x = voiced * syllables
        return 0.3 * x / np.abs(x).max()

    return make
