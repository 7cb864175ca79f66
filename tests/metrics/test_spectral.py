"""lsd, mrstft and the spectral shape distances against values worked out by hand."""

from __future__ import annotations

import numpy as np
import pytest

from restorekit.errors import ParameterError
from restorekit.metrics import centroid_distance, lsd, mrstft, rolloff_distance, spectral_flatness

RATE = 16000
BIN = RATE / 2048  # width in Hz of one bin at the default n_fft


@pytest.fixture
def noise(rng):
    return 0.1 * rng.standard_normal((2, RATE))


@pytest.mark.parametrize("metric", [lsd, mrstft, spectral_flatness, centroid_distance,
                                    rolloff_distance])
def test_identical_signals_are_at_distance_zero(metric, noise):
    assert metric(noise, noise, RATE) == 0.0


@pytest.mark.parametrize("gain_db", [-6.0, 3.0, 20.0])
def test_lsd_of_a_broadband_gain_is_the_gain(noise, gain_db):
    # Every bin's level moves by the same gain_db, so the RMS over bins is |gain_db|.
    estimate = noise * 10 ** (gain_db / 20)
    assert lsd(noise, estimate, RATE) == pytest.approx(abs(gain_db), abs=1e-6)


def test_lsd_of_two_silences_is_zero():
    assert lsd(np.zeros(4000), np.zeros(4000), RATE) == 0.0


@pytest.mark.parametrize("gain", [0.5, 2.0])
def test_mrstft_of_a_gain_by_hand(noise, gain):
    # |S_e| = g |S_r| everywhere: spectral convergence |1 - g|, log-magnitude L1 |ln g|,
    # the same at every resolution.
    # (The power floor eps touches a handful of near-empty bins, hence the tolerance.)
    expected = abs(1 - gain) + abs(np.log(gain))
    assert mrstft(noise, gain * noise, RATE) == pytest.approx(expected, abs=1e-4)


def test_mrstft_takes_other_resolutions(noise):
    value = mrstft(noise, 0.5 * noise, RATE, resolutions=[(256, 64)])
    assert value == pytest.approx(0.5 + np.log(2), abs=1e-4)
    with pytest.raises(ParameterError, match="resolutions"):
        mrstft(noise, noise, RATE, resolutions=[])
    with pytest.raises(ParameterError, match="resolutions"):
        mrstft(noise, noise, RATE, resolutions=512)
    with pytest.raises(ParameterError, match="hop_length"):
        mrstft(noise, noise, RATE, resolutions=[(256, 0)])


def test_flatness_of_white_noise_against_a_tone(rng, make_tone):
    # A white-noise periodogram has exponentially distributed bins, whose geometric
    # mean is exp(-Euler's gamma) = 0.5615 of their arithmetic mean; a tone is ~0.
    noise = 0.1 * rng.standard_normal(RATE)
    value = spectral_flatness(make_tone(1000, RATE), noise, RATE)
    assert value == pytest.approx(np.exp(-np.euler_gamma), abs=0.01)


def test_flatness_ignores_gain(noise):
    assert spectral_flatness(noise, 0.01 * noise, RATE) == pytest.approx(0.0, abs=1e-9)


@pytest.mark.parametrize("low, high", [(1000.0, 3000.0), (440.0, 660.0)])
def test_centroid_distance_of_two_tones_is_their_spacing(make_tone, low, high):
    # Steady frames read each tone's frequency; the two frames at each end also see the
    # tone start or stop abruptly (a broadband splash), so use 3 s to keep them few.
    value = centroid_distance(make_tone(low, RATE, seconds=3.0),
                              make_tone(high, RATE, seconds=3.0), RATE)
    assert value == pytest.approx(high - low, abs=BIN)


@pytest.mark.parametrize("low, high", [(1000.0, 3000.0), (440.0, 660.0)])
def test_rolloff_distance_of_two_tones_is_their_spacing(make_tone, low, high):
    value = rolloff_distance(make_tone(low, RATE, seconds=3.0),
                             make_tone(high, RATE, seconds=3.0), RATE)
    assert value == pytest.approx(high - low, abs=BIN)


def test_rolloff_of_white_noise_against_silence(rng):
    # Flat magnitude: 85 % of it lies below 0.85 of the Nyquist frequency; a silent
    # frame's rolloff is 0 Hz.
    noise = 0.1 * rng.standard_normal(RATE)
    value = rolloff_distance(noise, np.zeros(RATE), RATE)
    assert value == pytest.approx(0.85 * RATE / 2, rel=0.01)
    with pytest.raises(ParameterError, match="roll_percent"):
        rolloff_distance(noise, noise, RATE, roll_percent=1.5)


def test_spectral_metrics_reject_bad_sizes(noise):
    with pytest.raises(ParameterError, match="n_fft"):
        lsd(noise, noise, RATE, n_fft=1)
    with pytest.raises(ParameterError, match="eps"):
        lsd(noise, noise, RATE, eps=0.0)
