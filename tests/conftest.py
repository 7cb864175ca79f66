"""Shared fixtures: small signals made with a seeded generator, and the real-data folder."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from restorekit.audio import Audio

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20261122)


def _tone(freq: float, *, sample_rate: int, duration: float, amplitude: float = 0.5,
          channels: int = 1, phase: float = 0.0) -> Audio:
    t = np.arange(round(duration * sample_rate)) / sample_rate
    x = amplitude * np.sin(2 * np.pi * freq * t + phase)
    return Audio(np.tile(x, (channels, 1)), sample_rate)


@pytest.fixture
def tone():
    """``tone(freq, *, sample_rate, duration, amplitude=0.5, channels=1, phase=0)``: a sine."""
    return _tone


@pytest.fixture
def stereo_music(rng) -> Audio:
    """Two seconds of the project's synthesised music at 44.1 kHz."""
    from restorekit.synth import synthesize_music

    return synthesize_music(sample_rate=44100, duration=2.0, rng=rng)


@pytest.fixture
def shared_data() -> Path:
    """``../shared/data`` with the real recordings; skips when a clone has none."""
    if not (SHARED_DATA / "MANIFEST.tsv").is_file():
        pytest.skip("../shared/data is not present in this checkout")
    return SHARED_DATA


#: small denoisers at 8 kHz: the spectral backbone (the default) and the first U-Net
SMALL_DENOISERS = {
    "spectral": dict(sample_rate=8000, n_fft=128, hop=32, width=16, dilations=(1, 2),
                     level_frames=9, refine=4),
    "waveunet": dict(sample_rate=8000, backbone="waveunet", combine="mean",
                     channels=(8, 16), blocks=1, stem=8),
}


@pytest.fixture
def small_config():
    """A :class:`DenoiserConfig` of a spectral denoiser small enough to run in a test."""
    from restorekit.models.denoiser import DenoiserConfig

    return DenoiserConfig(**SMALL_DENOISERS["spectral"])


@pytest.fixture(params=sorted(SMALL_DENOISERS))
def each_small_config(request):
    """Both backbones, small."""
    from restorekit.models.denoiser import DenoiserConfig

    return DenoiserConfig(**SMALL_DENOISERS[request.param])
