"""The per-sample click scores and the residual-domain LSAR impulse estimate."""

import numpy as np
import pytest
from scipy.signal import lfilter

from restorekit.analysis import scores
from restorekit.analysis.impulses import impulse_estimate
from restorekit.dsp.ar import burg, fit_ar_blocks, lsar_interpolate

RATE = 44100


def ar2_music(n, rng):
    """A resonant AR(2) process: predictable like a note, with a white innovation."""
    return lfilter([1.0], [1.0, -1.8 * np.cos(0.05), 0.81], 0.01 * rng.standard_normal(n))


def test_matched_form_is_the_adjoint_of_the_blockwise_residual(rng):
    coefficients = np.c_[np.ones(4), 0.3 * rng.standard_normal((4, 6))]
    x, y = rng.standard_normal(1100), rng.standard_normal(1100)
    residual = scores.block_residual(x, coefficients, block=250)
    np.testing.assert_allclose(residual @ y, x @ scores.matched_residual(y, coefficients, 250))
    # and the residual is each block's own prediction error, with history
    t, a = 600, coefficients[2]
    assert residual[t] == pytest.approx(sum(a[k] * x[t - k] for k in range(7)))


def test_decaying_pulse_is_a_correlation_with_the_pulse(rng):
    m = rng.standard_normal(300)
    y, norm = scores._decaying_pulse(m, 0.8)
    pulse = 0.8 ** np.arange(300)
    np.testing.assert_allclose(y[:50], [m[t:] @ pulse[: 300 - t] for t in range(50)])
    assert norm == pytest.approx(np.sqrt(np.sum(0.8 ** (2 * np.arange(1000)))))


def test_local_scale_ignores_a_click_but_follows_an_onset():
    pieces = np.full(40, 1.0)
    pieces[20] = 50.0  # a click fills one piece
    scale = scores.local_scale(pieces, per_block=16)
    assert scale[20] == 1.0  # its own piece and the next ones are not looked at
    onset = np.concatenate([np.full(22, 1.0), np.full(18, 30.0)])
    scale = scores.local_scale(onset, per_block=8)
    assert scale[21] == 30.0 and scale[23] == 30.0  # the loud music at an onset counts
    assert scale[20] == 1.0  # but a click two pieces before the onset stays visible


def test_scores_are_exact_wherever_they_are_worked_out(rng):
    x = ar2_music(20000, rng)
    x[[3000, 12345]] += [0.3, -0.2]
    coefficients = fit_ar_blocks(x, order=20, block=2205, method="autocorrelation")
    every = scores.ar_scores(x, coefficients, block=2205, sample_rate=RATE)
    some = scores.ar_scores(x, coefficients, block=2205, sample_rate=RATE, least=5.0)
    worked = some.score > 0
    np.testing.assert_allclose(some.score[worked], every.score[worked])
    assert worked.mean() < 0.1
    assert every.score[3000] > 20 and every.score[12345] > 20
    assert np.all(every.score[every.score > 0] >= every.onset[every.score > 0])


def test_impulse_estimate_is_the_lsar_interpolation_error(rng):
    x = ar2_music(4000, rng)
    x[1500:1520] += 0.2 * 0.7 ** np.arange(20)  # a jump and a quick decay
    a, _ = burg(x, order=12)
    coefficients = a[np.newaxis]
    residual = scores.block_residual(x, coefficients, block=x.size)
    matched = scores.matched_residual(residual, coefficients, x.size)
    impulse = impulse_estimate(matched, [(1495, 1525)], coefficients, block=x.size)
    missing = np.zeros(x.size, dtype=bool)
    missing[1495:1525] = True
    np.testing.assert_allclose(impulse[missing],
                               (x - lsar_interpolate(x, missing, a))[missing], atol=1e-9)
    assert not impulse[~missing].any()
    # the music's own innovation inside the gap cannot be told apart from the click,
    # but the click's jump stands well above it
    assert np.argmax(np.abs(impulse)) == 1500
    assert impulse[1500] == pytest.approx(0.2, rel=0.25)


def test_gaps_solved_together_match_gaps_solved_alone(rng):
    """All gaps go into one banded system; none may leak into its neighbour."""
    x = ar2_music(6000, rng)
    coefficients = fit_ar_blocks(x, order=12, block=2000, method="autocorrelation")
    residual = scores.block_residual(x, coefficients, block=2000)
    matched = scores.matched_residual(residual, coefficients, 2000)
    spans = [(500, 530), (560, 565), (2500, 2600), (5100, 5103)]
    together = impulse_estimate(matched, spans, coefficients, block=2000)
    alone = sum(impulse_estimate(matched, [span], coefficients, block=2000)
                for span in spans)
    # the first two are closer than an AR order: they are one gap, solved jointly
    joint = impulse_estimate(matched, spans[:2], coefficients, block=2000)
    np.testing.assert_allclose(together[:1000], joint[:1000], atol=1e-12)
    np.testing.assert_allclose(together[1000:], alone[1000:], atol=1e-12)
