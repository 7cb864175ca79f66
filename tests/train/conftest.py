"""Fixtures for training tests: a folder of clean audio and a tiny config."""

from __future__ import annotations

import numpy as np
import pytest

from restorekit.io import save
from restorekit.synth import synthesize_music, synthesize_voice


@pytest.fixture(scope="session")
def clean_dir(tmp_path_factory):
    """Three short clean pieces at 8 kHz: two to train on, one in ``heldout/``."""
    root = tmp_path_factory.mktemp("clean")
    (root / "heldout").mkdir()
    rng = np.random.default_rng(5)
    save(synthesize_music(sample_rate=8000, duration=3.0, rng=rng, channels=1),
         root / "music.flac")
    save(synthesize_voice(sample_rate=8000, duration=3.0, rng=rng), root / "voice.wav")
    save(synthesize_music(sample_rate=8000, duration=3.0, rng=rng, tempo_bpm=70.0),
         root / "heldout" / "slow.flac")
    return root


@pytest.fixture
def tiny_config(clean_dir):
    """A config that trains a 6k-weight model for two epochs in about a second."""
    from restorekit.train.config import load_config

    return load_config("configs/denoiser_tiny.yaml", data__folders=[str(clean_dir)],
                       data__synthetic=0)
