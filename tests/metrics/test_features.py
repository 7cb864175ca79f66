"""mfcc_distance, chroma_distance and tonnetz_distance against values worked out by hand."""

from __future__ import annotations

import numpy as np
import pytest

from restorekit.errors import ParameterError
from restorekit.metrics import chroma_distance, mfcc_distance, tonnetz_distance

RATE = 22050
# Fine frequency resolution, so a tone's chroma is librosa's kernel alone, not also
# the window's leakage into neighbouring semitones; the tones last 4 s so that the few
# frames overlapping their abrupt start and end barely count.
FINE = {"n_fft": 16384, "hop_length": 4096}
A4, D_SHARP5 = 440.0, 440.0 * 2**0.5  # a tritone apart: pitch classes 9 and 3


@pytest.fixture
def long_tone(make_tone):
    return lambda freq: make_tone(freq, RATE, seconds=4.0)


def chroma_of_a_pure_tone(pitch_class):
    """librosa's chroma_stft kernel gives the two neighbouring semitones exp(-2) of the
    tone's own class (a Gaussian one semitone wide); each frame is scaled to max 1."""
    chroma = np.zeros(12)
    chroma[pitch_class] = 1.0
    chroma[(pitch_class - 1) % 12] = chroma[(pitch_class + 1) % 12] = np.exp(-2.0)
    return chroma


def tonnetz_by_hand(chroma):
    """Harte et al. (2006): project the L1-normalised chroma onto the circles of fifths,
    minor thirds (radius 1) and major thirds (radius 0.5)."""
    k = np.arange(12)
    phi = np.array([np.sin(7 * np.pi / 6 * k), np.cos(7 * np.pi / 6 * k),
                    np.sin(3 * np.pi / 2 * k), np.cos(3 * np.pi / 2 * k),
                    0.5 * np.sin(2 * np.pi / 3 * k), 0.5 * np.cos(2 * np.pi / 3 * k)])
    return phi @ (chroma / chroma.sum())


@pytest.mark.parametrize("metric", [mfcc_distance, chroma_distance, tonnetz_distance])
def test_identical_signals_are_at_distance_zero(metric, rng):
    x = 0.1 * rng.standard_normal((2, RATE // 2))
    assert metric(x, x, RATE) == 0.0


@pytest.mark.parametrize("gain_db", [-6.0, 10.0])
def test_mfcc_distance_of_a_gain(rng, gain_db):
    # A gain adds gain_db to all 128 mel bands; the orthonormal DCT puts
    # gain_db * sqrt(128) on coefficient 0 and nothing on the others.
    x = 0.1 * rng.standard_normal(RATE // 2)
    value = mfcc_distance(x, x * 10 ** (gain_db / 20), RATE)
    assert value == pytest.approx(abs(gain_db) * np.sqrt(128), rel=1e-6)


@pytest.mark.parametrize("metric", [chroma_distance, tonnetz_distance])
def test_harmony_features_ignore_gain(metric, rng):
    x = 0.1 * rng.standard_normal(RATE // 2)
    assert metric(x, 0.2 * x, RATE) == pytest.approx(0.0, abs=1e-9)


def test_chroma_ignores_the_octave(long_tone):
    assert chroma_distance(long_tone(A4), long_tone(2 * A4), RATE, **FINE) < 0.01


def test_chroma_distance_of_a_tritone(long_tone):
    expected = np.linalg.norm(chroma_of_a_pure_tone(9) - chroma_of_a_pure_tone(3))
    value = chroma_distance(long_tone(A4), long_tone(D_SHARP5), RATE, **FINE)
    assert value == pytest.approx(expected, abs=0.02)  # sqrt(2 + 4 exp(-4)) = 1.440


def test_tonnetz_ignores_the_octave(long_tone):
    assert tonnetz_distance(long_tone(A4), long_tone(2 * A4), RATE, **FINE) < 0.01


@pytest.mark.parametrize("other, pitch_class", [(D_SHARP5, 3), (1.5 * A4, 4)])
def test_tonnetz_distance_of_two_tones(long_tone, other, pitch_class):
    expected = np.linalg.norm(tonnetz_by_hand(chroma_of_a_pure_tone(9))
                              - tonnetz_by_hand(chroma_of_a_pure_tone(pitch_class)))
    value = tonnetz_distance(long_tone(A4), long_tone(other), RATE, **FINE)
    assert value == pytest.approx(expected, abs=0.03)


def test_bad_feature_parameters_are_rejected(rng):
    x = 0.1 * rng.standard_normal(1000)
    with pytest.raises(ParameterError, match="n_mfcc"):
        mfcc_distance(x, x, RATE, n_mfcc=0)
    with pytest.raises(ParameterError, match="hop_length"):
        chroma_distance(x, x, RATE, hop_length=0)
