"""snr, si_sdr, mse and mae against values worked out by hand."""

from __future__ import annotations

import numpy as np
import pytest

from restorekit.errors import RestorekitWarning
from restorekit.metrics import mae, mse, si_sdr, snr

RATE = 8000


def noise_with_power(rng, power, shape):
    """White noise scaled so its mean square is exactly ``power``."""
    noise = rng.standard_normal(shape)
    return noise * np.sqrt(power / np.mean(noise**2))


def test_snr_of_a_tone_in_noise_of_known_power(rng, make_tone):
    # A 0.5-amplitude sine over whole periods has power 0.5**2 / 2 = 0.125; noise of
    # power 0.00125 is 100 times weaker: 20 dB.
    reference = make_tone(250, RATE)
    estimate = reference + noise_with_power(rng, 0.00125, reference.shape)
    assert snr(reference, estimate, RATE) == pytest.approx(20.0, abs=1e-9)


def test_snr_is_close_to_theory_for_unscaled_noise(rng, make_tone):
    reference = make_tone(250, RATE, seconds=4.0)
    estimate = reference + 0.05 * rng.standard_normal(reference.shape)
    # Expected 10 log10(0.125 / 0.0025) = 16.99 dB; 32000 noise samples estimate the
    # noise power to within about 1 % (0.04 dB) per standard deviation.
    assert snr(reference, estimate, RATE) == pytest.approx(16.9897, abs=0.2)


def test_snr_limits():
    x = np.array([0.1, -0.2, 0.3])
    assert snr(x, x, RATE) == np.inf
    assert snr(np.zeros(3), x, RATE) == -np.inf
    assert snr(np.zeros(3), np.zeros(3), RATE) == np.inf


def test_snr_pools_energy_over_channels(rng, make_tone):
    clean = make_tone(250, RATE)
    noise = noise_with_power(rng, 0.0125, clean.shape)
    reference = np.stack([clean, clean])
    estimate = np.stack([clean, clean + noise])
    # Signal energy counts twice, noise once: 10 log10(2 * 0.125 / 0.0125) = 13.01 dB.
    assert snr(reference, estimate, RATE) == pytest.approx(10 * np.log10(20), abs=1e-9)


@pytest.mark.parametrize("gain", [0.5, 3.0, -2.0])
def test_si_sdr_ignores_the_estimates_gain(rng, make_tone, gain):
    reference = make_tone(250, RATE)
    estimate = reference + 0.1 * rng.standard_normal(reference.shape)
    assert si_sdr(reference, gain * estimate, RATE) == pytest.approx(
        si_sdr(reference, estimate, RATE), abs=1e-9)


def test_si_sdr_with_orthogonal_noise_is_the_energy_ratio(rng, make_tone):
    reference = make_tone(250, RATE)
    noise = rng.standard_normal(reference.shape)
    noise -= noise.mean()
    noise -= np.dot(noise, reference) / np.dot(reference, reference) * reference
    noise *= np.sqrt(0.125 / 50 / np.mean(noise**2))  # 50 times weaker: 16.99 dB
    # Orthogonal zero-mean noise leaves alpha = 1, so SI-SDR is plain SNR.
    assert si_sdr(reference, 2.0 * (reference + noise), RATE) == pytest.approx(
        10 * np.log10(50), abs=1e-9)


def test_si_sdr_ignores_dc_offsets(rng, make_tone):
    reference = make_tone(250, RATE)
    estimate = reference + 0.1 * rng.standard_normal(reference.shape)
    assert si_sdr(reference + 0.3, estimate - 0.2, RATE) == pytest.approx(
        si_sdr(reference, estimate, RATE), abs=1e-9)


def test_si_sdr_limits_and_undefined_case(make_tone):
    reference = make_tone(250, RATE)
    assert si_sdr(reference, reference, RATE) == np.inf
    # A scaled copy is perfect too, up to float64 rounding (about -300 dB).
    assert si_sdr(reference, 0.3 * reference, RATE) > 250.0
    with pytest.warns(RestorekitWarning, match="constant"):
        assert np.isnan(si_sdr(np.full(100, 0.2), np.ones(100), RATE))


def test_si_sdr_averages_channels(rng, make_tone):
    reference = make_tone(250, RATE)
    noisy = reference + 0.1 * rng.standard_normal(reference.shape)
    worse = reference + 0.3 * rng.standard_normal(reference.shape)
    stereo = si_sdr(np.stack([reference, reference]), np.stack([noisy, worse]), RATE)
    assert stereo == pytest.approx((si_sdr(reference, noisy, RATE)
                                    + si_sdr(reference, worse, RATE)) / 2, abs=1e-9)


def test_mse_and_mae_by_hand():
    reference = np.array([[0.0, 0.5, -0.5, 1.0]])
    estimate = np.array([[0.5, 0.5, 0.5, 0.0]])
    # Differences -0.5, 0, -1, 1: squares 0.25, 0, 1, 1; magnitudes 0.5, 0, 1, 1.
    assert mse(reference, estimate, RATE) == pytest.approx(2.25 / 4)
    assert mae(reference, estimate, RATE) == pytest.approx(2.5 / 4)
    assert mse(reference, reference, RATE) == 0.0
    assert mae(reference, reference, RATE) == 0.0


def test_si_sdr_of_a_silent_estimate_is_minus_infinity(rng):
    from restorekit.metrics.waveform import si_sdr

    reference = rng.normal(size=(2, 1000))
    assert si_sdr(reference, np.zeros((2, 1000)), 8000) == float("-inf")
    assert si_sdr(reference, np.full((2, 1000), 0.3), 8000) == float("-inf")
