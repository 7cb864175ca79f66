"""thd and thd_n against values worked out by hand."""

from __future__ import annotations

import numpy as np
import pytest

from restorekit.errors import ParameterError, RestorekitWarning
from restorekit.metrics import thd, thd_n

RATE = 48000


def sine(freq, amplitude=0.5, seconds=1.0):
    t = np.arange(round(seconds * RATE)) / RATE
    return amplitude * np.sin(2 * np.pi * freq * t)


@pytest.mark.parametrize("fundamental", [1000.0, 1234.5, 97.3])
def test_a_third_harmonic_at_minus_40_db(fundamental):
    # Harmonic amplitude 1 % of the fundamental: power ratio 1e-4, i.e. -40 dB.
    reference = sine(fundamental)
    estimate = reference + sine(3 * fundamental, amplitude=0.005)
    assert thd(reference, estimate, RATE) == pytest.approx(-40.0, abs=0.5)


def test_harmonics_add_up_in_power():
    # 2nd at -40 dB and 5th at -46 dB: 10 log10(1e-4 + 0.25e-4) = -39.03 dB.
    reference = sine(440.0)
    estimate = reference + sine(880.0, 0.005) + sine(2200.0, 0.0025)
    assert thd(reference, estimate, RATE) == pytest.approx(10 * np.log10(1.25e-4), abs=0.1)


def test_a_clean_sine_has_no_measurable_distortion():
    x = sine(1234.5)
    assert thd(x, x, RATE) < -200.0
    assert thd_n(x, x, RATE) < -200.0


def test_the_fundamental_can_come_from_the_estimate_or_be_given():
    estimate = sine(1000.0) + sine(3000.0, amplitude=0.005)
    assert thd(estimate, estimate, RATE) == pytest.approx(-40.0, abs=0.5)
    assert thd(np.zeros_like(estimate), estimate, RATE) == pytest.approx(-40.0, abs=0.5)
    assert thd(np.zeros_like(estimate), estimate, RATE,
               fundamental_hz=1000.0) == pytest.approx(-40.0, abs=0.5)


def test_harmonics_above_the_limit_are_not_counted():
    reference = sine(1000.0)
    estimate = reference + sine(4000.0, amplitude=0.005)
    assert thd(reference, estimate, RATE, n_harmonics=3) < -200.0


@pytest.mark.parametrize("snr_db", [40.0, 60.0, 96.0])
def test_thd_n_of_a_sine_in_white_noise_is_minus_the_snr(rng, snr_db):
    # Sine power 0.125; noise scaled to 0.125 / 10**(snr/10) exactly. THD+N leaves out
    # the noise under the fundamental's and DC's bands, 44 of 24001 bins (-0.008 dB).
    x = sine(1234.5)
    noise = rng.standard_normal(x.size)
    noise *= np.sqrt(0.125 / 10 ** (snr_db / 10) / np.mean(noise**2))
    assert thd_n(x, x + noise, RATE) == pytest.approx(-snr_db, abs=0.1)


def test_thd_n_ignores_dc():
    x = sine(1000.0)
    assert thd_n(x, x + 0.1, RATE) < -200.0


def test_stereo_averages_the_channels_in_db():
    reference = np.stack([sine(1000.0), sine(1000.0)])
    estimate = reference + np.stack([sine(3000.0, 0.005), sine(3000.0, 0.05)])
    assert thd(reference, estimate, RATE) == pytest.approx((-40.0 - 20.0) / 2, abs=0.1)


def test_undefined_cases_warn_and_return_nan():
    with pytest.warns(RestorekitWarning, match="too few"):
        assert np.isnan(thd(sine(1000.0)[:50], sine(1000.0)[:50], RATE))
    with pytest.warns(RestorekitWarning, match="too close"):  # 5 Hz in 0.1 s: 0.5 bin
        assert np.isnan(thd(sine(5.0, seconds=0.1), sine(5.0, seconds=0.1), RATE))
    with pytest.warns(RestorekitWarning, match="no energy"):
        assert np.isnan(thd_n(sine(1000.0), np.zeros(RATE), RATE))


def test_bad_parameters_are_rejected():
    x = sine(1000.0)
    with pytest.raises(ParameterError, match="n_harmonics"):
        thd(x, x, RATE, n_harmonics=1)
    with pytest.raises(ParameterError, match="fundamental_hz"):
        thd(x, x, RATE, fundamental_hz=30000.0)
