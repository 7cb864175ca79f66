"""Fixtures for the dsp tests: seeded generators and small test signals."""

from __future__ import annotations

import numpy as np
import pytest


@pytest.fixture
def rng() -> np.random.Generator:
    """A fresh generator with a fixed seed, so every test draws the same numbers."""
    return np.random.default_rng(20240611)


def _sine(frequency: float, *, sample_rate: int, seconds: float, amplitude: float = 1.0,
          phase: float = 0.0) -> np.ndarray:
    t = np.arange(round(seconds * sample_rate)) / sample_rate
    return amplitude * np.sin(2 * np.pi * frequency * t + phase)


def _fade(x: np.ndarray, *, frames: int) -> np.ndarray:
    """Raised-cosine fade in and out, so a tone starts and stops without a splash."""
    ramp = 0.5 - 0.5 * np.cos(np.pi * np.arange(frames) / frames)
    window = np.ones(x.shape[-1])
    window[:frames], window[-frames:] = ramp, ramp[::-1]
    return x * window


@pytest.fixture
def sine():
    """``sine(frequency, sample_rate=, seconds=, amplitude=1, phase=0)`` -> 1-D float64."""
    return _sine


@pytest.fixture
def fade():
    """``fade(x, frames=)``: raised-cosine fade in and out over ``frames``."""
    return _fade
