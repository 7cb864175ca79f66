import numpy as np

from restorekit.audio import Audio
from restorekit.evaluate import events_in_removed


def test_one_event_per_burst_at_its_largest_sample():
    r = np.zeros((2, 8000))
    r[0, 1000:1010] = np.hanning(10) * 0.2          # a click with a zero crossing inside
    r[0, 1010:1020] = -np.hanning(10) * 0.3
    r[1, 1004] = 0.1                                 # the same click, weaker, in channel 1
    r[1, 5000] = -0.4                                # another click, channel 1 only
    found = events_in_removed(Audio(r, 8000))
    np.testing.assert_array_equal(found, [1000 + np.argmax(np.abs(r[0, 1000:1020])), 5000])


def test_rounding_and_steady_noise_are_not_clicks(rng):
    assert events_in_removed(np.full(4000, 1e-6), sample_rate=8000).size == 0
    noise = 0.01 * rng.standard_normal(8000)
    noise[3000] = 0.2
    found = events_in_removed(noise, sample_rate=8000)
    assert 3000 in found
    assert found.size <= 3                           # 4 sigma: rare false alarms only


def test_the_scale_is_local():
    r = np.zeros(16000)
    r[:8000] = 0.1 * np.sign(np.sin(np.arange(8000)))   # a loud removed stretch...
    r[12000] = 0.05                                      # ...does not hide a quiet click later
    assert 12000 in events_in_removed(r, sample_rate=16000)
