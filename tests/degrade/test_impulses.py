"""Clicks, crackle and thumps: the realised statistics match the parameters."""

import numpy as np
import pytest

from restorekit.audio import Audio
from restorekit.degrade import Clicks, Crackle, Thumps
from restorekit.errors import ParameterError

RATE = 44100


@pytest.fixture(scope="module")
def silence_60s():
    return Audio(np.zeros((2, 60 * RATE), dtype=np.float32), RATE)


@pytest.fixture(scope="module")
def clicks_60s(silence_60s):
    clicks = Clicks(impulse_rate=10.0, impulse_amplitude=(0.1, 0.5), positive_fraction=0.7,
                    scratch_fraction=0.05)
    return clicks(silence_60s, np.random.default_rng(11))


def test_realised_rate_amplitudes_and_polarity_match_the_parameters(clicks_60s):
    truth = clicks_60s.truth
    events = truth.events
    # rate: Poisson count over 60 s
    assert len(events["start"]) / 60 == pytest.approx(10.0, rel=0.10)
    # amplitudes and polarity measured on the added signal, at the louder channel
    added = truth.added
    loud = np.argmax(np.abs(added[:, events["position"]]), axis=0)
    at_peak = added[loud, events["position"]]
    isolated = np.diff(events["start"], prepend=-10**9, append=10**9)
    alone = (isolated[:-1] > 2000) & (isolated[1:] > 2000)  # no neighbour within 45 ms
    measured = np.abs(at_peak[alone])
    for q in (0.1, 0.25, 0.5, 0.75, 0.9):
        # log-uniform between 0.1 and 0.5: the q-quantile is 0.1 * 5**q
        assert np.quantile(measured, q) == pytest.approx(0.1 * 5**q, rel=0.10)
    assert np.mean(np.sign(at_peak) > 0) == pytest.approx(0.7, abs=0.05)
    np.testing.assert_allclose(measured, events["peak"][alone], rtol=1e-5)


def test_clicks_hit_both_channels_nearly_together(clicks_60s):
    gains = clicks_60s.truth.events["gain"]
    assert np.all(gains.max(axis=1) == 1.0) and np.all(gains >= 0.4)
    events = clicks_60s.truth.events
    gap = np.diff(events["start"], prepend=-10**9, append=10**9)
    alone = (gap[:-1] > 2000) & (gap[1:] > 2000)
    at_peak = clicks_60s.truth.added[:, events["position"][alone]]
    # both channels carry every isolated click, with the same sign, at the drawn gains
    np.testing.assert_allclose(np.abs(at_peak), events["peak"][alone] * gains[alone].T,
                               rtol=1e-5)
    assert np.all(np.sign(at_peak[0]) == np.sign(at_peak[1]))


def test_widths_scratches_and_where_the_signal_is(clicks_60s):
    events = clicks_60s.truth.events
    ms = events["width"] / RATE * 1000
    scratch = events["scratch"] == 1
    assert scratch.mean() == pytest.approx(0.05, abs=0.03)
    assert np.all((ms[~scratch] >= 0.04) & (ms[~scratch] <= 3.05))
    assert np.all(ms[scratch] >= 2.9)
    # the added signal is zero outside the events' spans, non-zero at each peak
    covered = np.zeros(clicks_60s.audio.frames, bool)
    for start, length in zip(events["start"], events["length"], strict=True):
        covered[start: start + length] = True
    assert not np.any(clicks_60s.truth.added[:, ~covered])


def test_ringing_puts_energy_near_the_resonance():
    audio = Audio(np.zeros(RATE), RATE)
    clicks = Clicks(impulse_rate=20.0, impulse_amplitude=0.3, width_ms=0.1,
                    ringing_hz=4000.0, ringing_level=0.8, ringing_decay_ms=0.5)
    added = clicks(audio, np.random.default_rng(0)).truth.added[0]
    power = np.abs(np.fft.rfft(added)) ** 2
    freqs = np.fft.rfftfreq(added.size, 1 / RATE)
    near = power[(freqs > 3500) & (freqs < 4500)].mean()
    assert near > 3 * power[(freqs > 500) & (freqs < 1500)].mean()
    assert near > 3 * power[(freqs > 9000) & (freqs < 12000)].mean()


def test_crackle_is_dense_small_and_bright(silence_60s):
    audio = silence_60s.slice(0, 10)
    d = Crackle(crackle_level=(0.02, 0.02), density=(500, 500))(audio,
                                                                np.random.default_rng(2))
    events = d.truth.events
    assert len(events["start"]) / 10 == pytest.approx(500, rel=0.1)
    gap = np.diff(events["start"], prepend=-10**9, append=10**9)
    alone = (gap[:-1] > 20) & (gap[1:] > 20)
    at_peak = np.abs(d.truth.added).max(axis=0)[events["position"][alone]]
    np.testing.assert_allclose(at_peak, events["peak"][alone], rtol=1e-5)
    assert at_peak.max() <= 0.02 * 1.0001
    assert events["peak"].min() >= 0.02 * 0.25 * 0.9999
    power = np.abs(np.fft.rfft(d.truth.added[0])) ** 2
    freqs = np.fft.rfftfreq(audio.frames, 1 / RATE)
    assert power[freqs > 5000].mean() > 3 * power[freqs < 1000].mean()


def test_thumps_are_low_and_decay(silence_60s):
    d = Thumps(thump_rate=1.0, amplitude=0.2, frequency_hz=(30, 30), decay_ms=(100, 100))(
        silence_60s.slice(0, 20), np.random.default_rng(3))
    added = d.truth.added[0]
    power = np.abs(np.fft.rfft(added)) ** 2
    freqs = np.fft.rfftfreq(added.size, 1 / RATE)
    assert power[freqs < 100].sum() > 0.95 * power.sum()
    assert np.abs(added).max() == pytest.approx(0.2, rel=0.3)


@pytest.mark.parametrize("kwargs", [{"impulse_rate": -1}, {"impulse_amplitude": (0.5, 0.1)},
                                    {"impulse_amplitude": (0, 0.5)}, {"positive_fraction": 2},
                                    {"width_ms": "wide"}, {"ringing_hz": (10, 20)}])
def test_bad_click_parameters_are_refused(kwargs):
    with pytest.raises(ParameterError):
        Clicks(**kwargs)
