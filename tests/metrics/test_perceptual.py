"""pesq and stoi: sensible values on a speech-like signal, NaN where undefined."""

from __future__ import annotations

import numpy as np
import pytest

from restorekit.audio import Audio
from restorekit.errors import RestorekitWarning
from restorekit.metrics import pesq, stoi


@pytest.fixture
def speech(speech_like, rng):
    """Three seconds of speech-like signal at 22.05 kHz (so both models resample)."""
    return speech_like(22050, 3.0, rng)


def with_noise(x, rng, snr_db):
    noise = rng.standard_normal(x.size)
    return x + noise * np.sqrt(np.mean(x**2) / 10 ** (snr_db / 10) / np.mean(noise**2))


def test_pesq_of_identical_speech_is_near_its_ceiling(speech):
    # 4.64 is the highest MOS-LQO wide-band PESQ gives.
    assert pesq(speech, speech, 22050) > 4.0


def test_pesq_drops_as_noise_rises(speech, rng):
    scores = [pesq(speech, with_noise(speech, rng, snr), 22050) for snr in (40, 20, 0)]
    assert 4.64 > scores[0] > scores[1] > scores[2] >= 1.0


def test_pesq_mixes_stereo_to_mono(speech, rng):
    noisy = with_noise(speech, rng, 20)
    stereo = pesq(np.stack([speech, speech]), np.stack([noisy, noisy]), 22050)
    assert stereo == pytest.approx(pesq(speech, noisy, 22050), abs=1e-6)


def test_pesq_accepts_audio(speech):
    audio = Audio(speech, 22050)
    assert pesq(audio, audio, 22050) > 4.0


def test_pesq_of_a_too_short_signal_is_nan(speech):
    short = speech[:2000]  # 0.09 s; PESQ needs 0.25 s
    with pytest.warns(RestorekitWarning, match="1/4 of a second"):
        assert np.isnan(pesq(short, short, 22050))


def test_pesq_of_a_silent_reference_is_nan(speech):
    with pytest.warns(RestorekitWarning, match="silent"):
        assert np.isnan(pesq(np.zeros_like(speech), speech, 22050))


def test_stoi_of_identical_speech_is_one(speech):
    assert stoi(speech, speech, 22050) == pytest.approx(1.0, abs=1e-6)
    assert stoi(speech, speech, 22050, extended=True) == pytest.approx(1.0, abs=1e-6)


def test_stoi_drops_as_noise_rises(speech, rng):
    scores = [stoi(speech, with_noise(speech, rng, snr), 22050) for snr in (20, 0, -10)]
    assert 1.0 > scores[0] > scores[1] > scores[2]


def test_stoi_of_a_too_short_or_silent_signal_is_nan(speech):
    short = speech[:4000]  # 0.18 s: fewer than 30 STOI frames
    with pytest.warns(RestorekitWarning, match="30 frames"):
        assert np.isnan(stoi(short, short, 22050))
    with pytest.warns(RestorekitWarning, match="silent"):
        assert np.isnan(stoi(np.zeros_like(speech), speech, 22050))
