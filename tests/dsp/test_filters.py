"""dsp.filters: the designs' responses, zero-phase running and padding, decay lengths."""

import math

import numpy as np
import pytest
from scipy.signal import sosfilt, sosfreqz

from restorekit.dsp.filters import (
    causal_filter,
    decay_length,
    highpass_sos,
    notch_comb_sos,
    playback_eq_sos,
    zero_phase_filter,
)
from restorekit.errors import ParameterError

RATE = 44100


def gain_db(sos, freqs, *, rate=RATE, passes=1):
    """Magnitude response in dB at ``freqs``, raised to ``passes`` (2: zero phase)."""
    _, h = sosfreqz(sos, worN=np.atleast_1d(np.asarray(freqs, dtype=float)), fs=rate)
    return passes * 20 * np.log10(np.maximum(np.abs(h), 1e-300))


# -- designs ------------------------------------------------------------------------------
def test_highpass_is_6_db_down_at_the_cutoff_run_twice():
    sos = highpass_sos(30.0, sample_rate=RATE, order=4)
    assert sos.shape == (2, 6)
    low, cut, high = gain_db(sos, [10.0, 30.0, 200.0], passes=2)
    assert cut == pytest.approx(-6.02, abs=0.01)
    assert low < -70.0  # 1 / (1 + 3^8) squared: -76 dB
    assert abs(high) < 1e-5


def test_notch_comb_is_deep_at_each_harmonic_and_f_over_q_wide_as_applied():
    q = 30.0
    sos = notch_comb_sos(50.0, sample_rate=RATE, harmonics=8, q=q, zero_phase=True)
    assert sos.shape == (8, 6)
    assert np.all(gain_db(sos, 50.0 * np.arange(1, 9), passes=2) < -150.0)
    for k in (1, 4, 8):
        # each notch alone (in the comb its neighbours' skirts add a few hundredths of
        # a dB): the -3 dB points, found on a fine grid, lie f / q apart
        f, width = 50.0 * k, 50.0 * k / q
        notch = notch_comb_sos(50.0, sample_rate=RATE, harmonics=[k], q=q, zero_phase=True)
        grid = np.linspace(f - width, f + width, 4001)
        inside = grid[gain_db(notch, grid, passes=2) < -3.0103]
        assert inside[-1] - inside[0] == pytest.approx(width, rel=0.005)
    # between the harmonics the music is left alone
    assert np.all(np.abs(gain_db(sos, [75.0, 1000.0, 5000.0], passes=2)) < 0.25)
    # one pass of the one-pass design has the same -3 dB width
    single = notch_comb_sos(50.0, sample_rate=RATE, harmonics=[1], q=q)
    grid = np.linspace(48.0, 52.0, 4001)
    inside = grid[gain_db(single, grid) < -3.0103]
    assert inside[-1] - inside[0] == pytest.approx(50.0 / q, rel=0.005)


def test_notch_comb_takes_chosen_harmonics():
    sos = notch_comb_sos(60.0, sample_rate=RATE, harmonics=[1, 3, 5])
    assert sos.shape == (3, 6)
    assert np.all(gain_db(sos, [60.0, 180.0, 300.0]) < -150.0)
    assert abs(gain_db(sos, 120.0)[0]) < 0.1


# Published figures of whole curves, normalised to 0 dB at 1 kHz: (turnover, roll-off,
# shelf) -> (gain at 50 Hz, gain at 10 kHz), from Table 1 of the Audacity wiki's
# "Playback equalization for 78 rpm shellacs" (Graumann 1958). Curves without a shelf
# get a 1 Hz one here, where it no longer changes 50 Hz.
PUBLISHED = {
    "columbia_78": ((300.3, -16.07, 1.0), (16.7, -15.0)),
    "old_rca": ((799.8, -8.01, 1.0), (22.2, -9.9)),
    "decca_78": ((299.7, -5.40, 1.0), (15.4, -5.7)),
    "ccir_78": ((353.7, -10.36, 1.0), (17.0, -10.5)),
    "iec_n78": ((353.7, -10.36, 50.05), (14.0, -10.5)),
    "nab_1942": ((500.5, -16.07, 1.0), (20.5, -15.6)),
    "aes": ((399.9, -12.31, 1.0), (18.1, -12.3)),
    "riaa": ((500.5, -13.66, 50.05), (16.95, -13.7)),
}


@pytest.mark.parametrize("name", sorted(PUBLISHED))
@pytest.mark.parametrize("rate", [44100, 96000])
def test_playback_eq_matches_the_published_curves(name, rate):
    (turnover, rolloff, shelf), (at_50, at_10k) = PUBLISHED[name]
    sos = playback_eq_sos(turnover_hz=turnover, rolloff_db=rolloff, shelf_hz=shelf,
                          sample_rate=rate)
    g50, g1k, g10k = gain_db(sos, [50.0, 1000.0, 10000.0], rate=rate)
    assert g1k == pytest.approx(0.0, abs=1e-9)
    assert g50 == pytest.approx(at_50, abs=0.1)
    assert g10k == pytest.approx(at_10k, abs=0.1)


def test_playback_eq_follows_the_analogue_network_closely():
    # RIAA's time constants 3180, 318 and 75 us; the digital curve within 0.05 dB of the
    # analogue one from 20 Hz to 10 kHz at 44.1 kHz (the bilinear transform: 0.8 dB)
    freqs = np.geomspace(20.0, 10000.0, 200)

    def analogue(f):
        s = 2j * np.pi * f
        return np.abs((1 + s * 318e-6) / ((1 + s * 3180e-6) * (1 + s * 75e-6)))

    expected = 20 * np.log10(analogue(freqs) / analogue(1000.0))
    sos = playback_eq_sos(turnover_hz=1e6 / (2 * np.pi * 318), shelf_hz=1e6 / (2 * np.pi * 3180),
                          rolloff_db=-10 * np.log10(1 + (2 * np.pi * 1e4 * 75e-6) ** 2),
                          sample_rate=RATE)
    assert np.max(np.abs(gain_db(sos, freqs) - expected)) < 0.05


def test_rolloff_is_the_treble_network_loss_at_10_khz():
    for turnover in (None, 250.0, 800.0):
        shelf = None if turnover is None else 20.0
        flat = playback_eq_sos(turnover_hz=turnover, rolloff_db=0.0, shelf_hz=shelf,
                               sample_rate=RATE)
        for rolloff in (-5.0, -13.7, -20.0):
            cut = playback_eq_sos(turnover_hz=turnover, rolloff_db=rolloff, shelf_hz=shelf,
                                  sample_rate=RATE)
            # the network loses rolloff at 10 kHz relative to DC; relative to 1 kHz a
            # little less, as much as it lost at 1 kHz already
            corner = 10000.0 / math.sqrt(10 ** (-rolloff / 10) - 1)
            at_1k = -10 * math.log10(1 + (1000.0 / corner) ** 2)
            change = gain_db(cut, 10000.0)[0] - gain_db(flat, 10000.0)[0]
            assert change == pytest.approx(rolloff - at_1k, abs=0.02)
    # with no bass section the whole curve at 10 kHz is the roll-off within 0.5 dB
    assert gain_db(playback_eq_sos(turnover_hz=None, rolloff_db=-8.0, shelf_hz=None,
                                   sample_rate=RATE), 10000.0)[0] == pytest.approx(-8.0, abs=0.5)


def test_turnover_is_3_db_over_the_treble_plateau_and_the_bass_rises_6_db_per_octave():
    sos = playback_eq_sos(turnover_hz=500.0, rolloff_db=0.0, shelf_hz=5.0, sample_rate=RATE)
    at_turnover, plateau = gain_db(sos, [500.0, 8000.0])
    assert at_turnover - plateau == pytest.approx(3.01, abs=0.05)
    # the shelf stops the boost: 20 log10(500 / 5) = 40 dB over the plateau at most
    assert gain_db(sos, 0.5)[0] - plateau == pytest.approx(40.0, abs=0.1)
    # far below the turnover and above the shelf: 6 dB per octave
    wide = playback_eq_sos(turnover_hz=1000.0, rolloff_db=0.0, shelf_hz=1.0,
                           sample_rate=RATE)
    octave = gain_db(wide, [25.0, 50.0])
    assert octave[0] - octave[1] == pytest.approx(6.0, abs=0.05)


def test_flat_curve_is_the_identity():
    sos = playback_eq_sos(turnover_hz=None, rolloff_db=0.0, shelf_hz=None, sample_rate=RATE)
    np.testing.assert_array_equal(sos, [[1, 0, 0, 1, 0, 0]])


def test_playback_eq_works_at_low_rates():
    for rate in (8000, 16000, 22050):
        sos = playback_eq_sos(turnover_hz=500.0, rolloff_db=-13.7, shelf_hz=50.0,
                              sample_rate=rate)
        assert np.all(np.abs(np.roots(sos[0, 3:])) < 1) and np.all(np.abs(np.roots(
            sos[0, :3])) < 1)  # stable and minimum phase
        assert gain_db(sos, 1000.0, rate=rate)[0] == pytest.approx(0.0, abs=1e-9)


@pytest.mark.parametrize(("call", "match"), [
    (lambda: highpass_sos(0.0, sample_rate=RATE), "cutoff_hz"),
    (lambda: highpass_sos(30.0, sample_rate=RATE, order=0), "order"),
    (lambda: notch_comb_sos(50.0, sample_rate=RATE, q=0.1), "q"),
    (lambda: notch_comb_sos(50.0, sample_rate=RATE, harmonics=0), "harmonics"),
    (lambda: notch_comb_sos(50.0, sample_rate=RATE, harmonics=[1, 1]), "distinct"),
    (lambda: notch_comb_sos(5000.0, sample_rate=RATE, harmonics=5), "harmonic 5"),
    (lambda: playback_eq_sos(turnover_hz=500.0, rolloff_db=0.0, shelf_hz=None,
                             sample_rate=RATE), "shelf_hz"),
    (lambda: playback_eq_sos(turnover_hz=500.0, rolloff_db=0.0, shelf_hz=500.0,
                             sample_rate=RATE), "below"),
    (lambda: playback_eq_sos(turnover_hz=None, rolloff_db=0.0, shelf_hz=50.0,
                             sample_rate=RATE), "turnover_hz"),
    (lambda: playback_eq_sos(turnover_hz=500.0, rolloff_db=3.0, shelf_hz=50.0,
                             sample_rate=RATE), "rolloff_db"),
    (lambda: zero_phase_filter([[1.0, 0, 0]], np.zeros(10)), "sections"),
    (lambda: zero_phase_filter([[1.0, 0, 0, 2.0, 0, 0]], np.zeros(10)), "a0 = 1"),
    (lambda: zero_phase_filter([[1.0, 0, 0, 1.0, 0, 0]], np.zeros(10), padtype="odd"),
     "padtype"),
    (lambda: decay_length([[1.0, 0, 0, 1.0, -1.0, 0]]), "unstable"),
])
def test_bad_arguments_are_refused(call, match):
    with pytest.raises(ParameterError, match=match):
        call()


# -- running ------------------------------------------------------------------------------
def test_zero_phase_response_is_symmetric_and_the_squared_magnitude(rng):
    sos = highpass_sos(100.0, sample_rate=RATE)
    impulse = np.zeros(20001)
    impulse[10000] = 1.0
    response = zero_phase_filter(sos, impulse, padtype="zero")
    np.testing.assert_allclose(response, response[::-1], atol=1e-12)
    spectrum = np.abs(np.fft.rfft(np.roll(response, -10000)))
    freqs = np.fft.rfftfreq(impulse.size, 1 / RATE)
    _, h = sosfreqz(sos, worN=freqs, fs=RATE)
    np.testing.assert_allclose(spectrum, np.abs(h) ** 2, atol=1e-9)


def test_zero_padding_gives_the_two_sided_convolution(rng):
    # with zeros beyond both ends, the result is the input convolved with the
    # autocorrelation of the impulse response, truncated where that has decayed
    sos = highpass_sos(200.0, sample_rate=RATE, order=2)
    x = rng.standard_normal(3000)
    reach = 4 * decay_length(sos)  # far enough to be exact here
    h = sosfilt(sos, np.r_[1.0, np.zeros(reach)])
    g = np.correlate(h, h, mode="full")  # lags -reach..reach
    expected = np.convolve(x, g, mode="full")[reach: reach + x.size]
    # the padding reaches the one-pass decay length: what lies past it is dropped,
    # at most 1e-7 of the peak response times the largest input
    error = np.abs(zero_phase_filter(sos, x, padtype="zero") - expected).max()
    assert error <= 1e-7 * np.abs(g).max() * np.abs(x).max()


def test_reflect_padding_does_not_ring_on_an_offset():
    # a 0.5 offset under a 1 kHz tone: zeros make a 0.5 step at each end that a
    # high-pass rings on, the mirror image does not
    sos = highpass_sos(30.0, sample_rate=RATE)
    t = np.arange(RATE) / RATE
    x = 0.5 + 0.1 * np.sin(2 * np.pi * 1000 * t)
    tone = x - 0.5
    reflected = zero_phase_filter(sos, x)
    zeroed = zero_phase_filter(sos, x, padtype="zero")
    assert np.max(np.abs(reflected - tone)) < 0.02
    assert np.max(np.abs(zeroed - tone)) > 0.2


def test_shape_type_and_input_are_kept(rng):
    sos = highpass_sos(30.0, sample_rate=RATE)
    x = rng.standard_normal((2, 500)).astype(np.float32)
    before = x.copy()
    for run in (lambda a: zero_phase_filter(sos, a), lambda a: causal_filter(sos, a)):
        y = run(x)
        assert y.shape == x.shape and y.dtype == np.float32
        assert run(x[0]).shape == (500,)
    np.testing.assert_array_equal(x, before)
    # one frame: nothing to mirror, so it is repeated (a constant: nothing passes)
    assert abs(zero_phase_filter(sos, np.array([0.3]))[0]) < 1e-6


def test_causal_filter_is_sosfilt_from_rest(rng):
    sos = playback_eq_sos(turnover_hz=500.0, rolloff_db=-13.7, shelf_hz=50.0,
                          sample_rate=RATE)
    x = rng.standard_normal((2, 4000))
    np.testing.assert_array_equal(causal_filter(sos, x), sosfilt(sos, x, axis=-1))


# -- decay --------------------------------------------------------------------------------
def test_decay_length_of_a_one_pole_filter_is_exact():
    # h[n] = (1 - a) a^n: the tail beyond n sums to a^(n + 1), the peak is 1 - a
    for a in (0.5, 0.9, 0.999):
        sos = np.array([[1 - a, 0, 0, 1, -a, 0]])
        expected = math.ceil(math.log(1e-7 * (1 - a)) / math.log(a)) - 1
        assert decay_length(sos, zero_phase=False) == expected
    assert decay_length([[1.0, 0, 0, 1.0, 0, 0]]) == 0


@pytest.mark.parametrize("zero_phase", [True, False])
def test_the_tail_past_the_decay_length_is_within_tolerance(zero_phase):
    sos = notch_comb_sos(50.0, sample_rate=8000, harmonics=3, q=20.0, zero_phase=True)
    n = decay_length(sos, zero_phase=zero_phase)
    impulse = np.zeros(8 * n)
    impulse[0] = 1.0
    h = sosfilt(sos, impulse)
    if zero_phase:
        h = np.correlate(h, h, mode="full")[h.size - 1:]
    tail = (2.0 if zero_phase else 1.0) * np.sum(np.abs(h[n + 1:]))
    assert tail <= 1e-7 * np.max(np.abs(h))
    assert (2.0 if zero_phase else 1.0) * np.sum(np.abs(h[n:])) > 1e-7 * np.max(np.abs(h))


def test_narrower_notches_ring_longer():
    lengths = [decay_length(notch_comb_sos(50.0, sample_rate=RATE, harmonics=1, q=q,
                                           zero_phase=True)) for q in (10.0, 30.0, 90.0)]
    assert lengths[0] < lengths[1] < lengths[2]
    # the pole decays at exp(-pi * width * t); to 1e-7 takes some 16 / (pi * width) s
    assert lengths[1] / RATE == pytest.approx(16 / (np.pi * 50 / 30 * 0.644), rel=0.2)
