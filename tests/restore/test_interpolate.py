"""LSAR span repair: exact fills, extent choice, onsets left alone, scratches."""

from __future__ import annotations

import numpy as np
import pytest

from restorekit.restore.interpolate import choose_extents, repair_spans

RATE = 44100


def _ar_signal(rng, n=44100, poles=((0.98, 440.0), (0.97, 1210.0))):
    """A resonant AR(4) process: what LSAR's model assumes music to be."""
    from scipy.signal import lfilter

    a = np.array([1.0])
    for r, f in poles:
        w = 2 * np.pi * f / RATE
        a = np.convolve(a, [1.0, -2 * r * np.cos(w), r * r])
    x = lfilter([1.0], a, rng.normal(0, 1.0, n))
    return 0.1 * x / np.std(x)


def test_repair_restores_an_ar_process_under_clicks(rng):
    x = _ar_signal(rng)
    damaged = x.copy()
    starts = np.arange(2000, 42000, 4000)
    for s in starts:
        damaged[s: s + 20] += 0.3 * np.hanning(20)
    done = repair_spans(damaged, starts, starts + 20, sample_rate=RATE, block=2112,
                        penalty=None, novelty=None)
    error = done.samples - x
    click_energy = np.sum((damaged - x) ** 2)
    assert np.sum(error ** 2) < 0.02 * click_energy
    outside = np.ones(x.size, bool)
    for s in starts:
        outside[s: s + 20] = False
    np.testing.assert_array_equal(done.samples[outside], damaged[outside])


def test_choose_extents_cuts_spans_to_the_click(rng):
    x = _ar_signal(rng, n=22050)
    damaged = x.copy()
    damaged[5000:5006] += 0.5
    from restorekit.dsp.ar import fit_ar_blocks

    coefficients = fit_ar_blocks(x, order=20, block=2112, method="autocorrelation")
    ends = choose_extents(damaged, np.array([4998, 15000]), np.array([5130, 15130]),
                          coefficients=coefficients, block=2112)
    # the click's span is kept, and short; the clean span is left alone
    assert 5006 <= ends[0] <= 5030
    assert ends[1] == -1


def test_a_musical_onset_is_not_filled(rng):
    x = _ar_signal(rng, n=22050) * 0.05
    t = np.arange(22050 - 10000) / RATE
    # a struck note: partials, and the hammer's noise dying away over 30 ms
    note = sum(np.sin(2 * np.pi * 330 * k * t) / k for k in range(1, 6)) * np.exp(-t * 3)
    x[10000:] += 0.4 * note + 0.3 * rng.normal(0, 1, t.size) * np.exp(-t / 0.03)
    done = repair_spans(x, np.array([9995]), np.array([10060]), sample_rate=RATE,
                        block=2112, penalty=None, novelty=4.0)
    assert done.starts.size == 0
    np.testing.assert_array_equal(done.samples, x)


def test_long_scratch_keeps_the_tone_going(rng):
    t = np.arange(22050) / RATE
    x = 0.4 * np.sin(2 * np.pi * 523.25 * t) + 0.3 * np.sin(2 * np.pi * 784 * t)
    x += rng.normal(0, 1e-3, x.size)
    damaged = x.copy()
    damaged[8000:8400] = rng.uniform(-0.8, 0.8, 400)  # a 9 ms scratch
    done = repair_spans(damaged, np.array([8000]), np.array([8400]), sample_rate=RATE,
                        block=2112, penalty=None, novelty=None)
    gap_error = done.samples[8000:8400] - x[8000:8400]
    # a fill that decayed to silence would leave an error as large as the tone
    assert np.sqrt(np.mean(gap_error ** 2)) < 0.05 * np.sqrt(np.mean(x ** 2))


def test_no_spans_and_tiny_signals_come_back_unchanged(rng):
    x = rng.normal(0, 0.1, 1000)
    done = repair_spans(x, np.array([], int), np.array([], int), sample_rate=RATE, block=512)
    np.testing.assert_array_equal(done.samples, x)
    tiny = repair_spans(x[:30], np.array([5]), np.array([8]), sample_rate=RATE, block=512)
    np.testing.assert_array_equal(tiny.samples, x[:30])


@pytest.mark.parametrize("start", [0, 3])
def test_spans_at_the_very_start_stay_finite(rng, start):
    x = _ar_signal(rng, n=8000)
    x[start: start + 10] += 0.5
    done = repair_spans(x, np.array([start]), np.array([start + 10]), sample_rate=RATE,
                        block=2112, penalty=None, novelty=None)
    assert np.isfinite(done.samples).all()
    assert np.abs(done.samples[start: start + 10]).max() < 0.5
