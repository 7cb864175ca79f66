import numpy as np
import pytest

from restorekit.dsp import on_grid, quantize, tpdf_dither
from restorekit.errors import ParameterError


def error_in_lsb(x, *, bits, rng, dither=True):
    """Total requantisation error, decoded value minus input, in LSBs."""
    scale = 2.0 ** (bits - 1)
    codes = quantize(x, bits=bits, dither=dither, rng=rng)
    return codes - x * scale


@pytest.mark.parametrize("bits", [8, 16, 24])
def test_dithered_error_is_zero_mean_with_power_lsb2_over_4(rng, bits):
    # Rounding (LSB^2/12) plus +-1 LSB TPDF dither (LSB^2/6) = LSB^2/4.
    x = rng.uniform(-0.5, 0.5, size=200_000)
    error = error_in_lsb(x, bits=bits, rng=rng)
    assert abs(error.mean()) < 0.01  # 3 standard errors of the mean is 0.003
    assert error.var() == pytest.approx(0.25, rel=0.05)


def test_dither_alone_is_triangular_with_power_lsb2_over_6(rng):
    lsb = 2.0 ** -15
    noise = (tpdf_dither(np.zeros(200_000), bits=16, rng=rng)) / lsb
    assert noise.min() >= -1 and noise.max() <= 1
    assert noise.var() == pytest.approx(1 / 6, rel=0.05)
    # A triangle on [-1, 1] puts 1/4 of its mass beyond +-1/2.
    assert np.mean(np.abs(noise) > 0.5) == pytest.approx(0.25, abs=0.01)


def test_error_power_does_not_depend_on_the_signal(rng):
    # TPDF makes the error's variance the same wherever the signal sits between two
    # codes (Wannamaker et al. 2000); undithered rounding error ranges from 0 to LSB/2.
    bits, scale = 16, 2.0**15
    offsets = np.repeat(np.linspace(0, 0.875, 8), 40_000)  # position between codes
    x = (rng.integers(-1000, 1000, offsets.size) + offsets) / scale
    error = error_in_lsb(x, bits=bits, rng=rng)
    for offset in np.unique(offsets):
        assert error[offsets == offset].var() == pytest.approx(0.25, rel=0.05)
    assert abs(np.corrcoef(error, x)[0, 1]) < 0.01


def test_sine_below_one_lsb_survives_in_the_noise(rng):
    # A 1 kHz sine of 0.4 LSB: plain rounding turns it into silence (an error equal to
    # the signal itself); with dither the error is the usual LSB^2/4 hiss, and the sine
    # is still there on average.
    bits, scale = 16, 2.0**15
    t = np.arange(200_000) / 48000
    carrier = np.sin(2 * np.pi * 1000 * t)
    x = 0.4 / scale * carrier
    assert not quantize(x, bits=bits, dither=False, rng=None).any()
    error = error_in_lsb(x, bits=bits, rng=rng)
    assert error.var() == pytest.approx(0.25, rel=0.05)
    decoded = quantize(x, bits=bits, dither=True, rng=rng).astype(float)
    amplitude = 2 * np.mean(decoded * carrier)  # projection on the sine
    assert amplitude == pytest.approx(0.4, abs=0.01)


def test_snr_of_a_dithered_16_bit_sine(rng):
    # -1 dBFS 1 kHz sine at 16 bits: SNR = (A^2 / 2) / (LSB^2 / 4), 92.3 dB. Measure the
    # THD+N as everything left after fitting the sine (and DC) out of the decoded codes.
    rate, bits = 48000, 16
    amplitude, lsb = 10 ** (-1 / 20), 2.0 ** -(bits - 1)
    t = np.arange(rate) / rate
    x = amplitude * np.sin(2 * np.pi * 1000 * t + 0.3)
    decoded = quantize(x, bits=bits, dither=True, rng=rng) * lsb
    basis = np.stack([np.sin(2 * np.pi * 1000 * t), np.cos(2 * np.pi * 1000 * t),
                      np.ones_like(t)], axis=1)
    fit, *_ = np.linalg.lstsq(basis, decoded, rcond=None)
    residual = decoded - basis @ fit
    measured = 10 * np.log10(np.mean((basis @ fit) ** 2) / np.mean(residual**2))
    expected = 10 * np.log10((amplitude**2 / 2) / (lsb**2 / 4))
    assert expected == pytest.approx(92.3, abs=0.05)
    assert measured == pytest.approx(expected, abs=1.0)


@pytest.mark.parametrize("bits", [8, 16, 24, 32])
def test_codes_are_clipped_at_full_scale(rng, bits):
    top = 2 ** (bits - 1)
    x = np.array([1.0, -1.0, 1.5, -1.5, 0.0])
    expected = [top - 1, -top, top - 1, -top, 0]
    np.testing.assert_array_equal(quantize(x, bits=bits, dither=False, rng=None), expected)
    codes = quantize(np.full(10_000, 1.0), bits=bits, dither=True, rng=rng)
    assert codes.dtype == np.int32
    assert codes.max() == top - 1 and codes.min() >= top - 2


def test_undithered_quantisation_of_grid_values_is_exact(rng):
    codes = rng.integers(-(2**15), 2**15, size=(2, 1000))
    x = (codes / 2.0**15).astype(np.float32)
    assert on_grid(x, bits=16)
    np.testing.assert_array_equal(quantize(x, bits=16, dither=False, rng=None), codes)
    assert on_grid(x, bits=24)  # a 16-bit code is also a 24-bit code


def test_on_grid_spots_anything_off_the_grid():
    lsb = 2.0**-15
    assert on_grid(np.array([0.0, 0.5, -1.0, 1 - lsb]), bits=16)
    assert not on_grid(np.array([0.0, lsb / 2]), bits=16)
    assert not on_grid(np.array([1.0]), bits=16)  # no code for +1.0
    assert not on_grid(np.array([0.0, np.nan]), bits=16)
    assert not on_grid(np.array([np.inf]), bits=16)
    assert not on_grid(np.array([2.0**-20]), bits=16)
    assert on_grid(np.array([2.0**-20]), bits=24)


def test_input_is_not_modified(rng):
    x = rng.uniform(-1, 1, size=(2, 100))
    before = x.copy()
    tpdf_dither(x, bits=16, rng=rng)
    quantize(x, bits=16, dither=True, rng=rng)
    np.testing.assert_array_equal(x, before)


def test_bad_parameters_are_refused(rng):
    with pytest.raises(ParameterError, match="bits"):
        quantize(np.zeros(4), bits=12, dither=False, rng=None)
    with pytest.raises(ParameterError, match="rng"):
        quantize(np.zeros(4), bits=16, dither=True, rng=None)
    with pytest.raises(ParameterError, match="rng"):
        tpdf_dither(np.zeros(4), bits=16, rng=42)
    with pytest.raises(ParameterError, match="finite"):
        quantize(np.array([np.nan]), bits=16, dither=False, rng=None)
    with pytest.raises(ParameterError, match="bits"):
        on_grid(np.zeros(4), bits=True)
