import numpy as np
import pytest

from restorekit.analysis.events import ImpulseEvents
from restorekit.analysis.profile import BandEnergy, ImpulseProfile, band_energy
from restorekit.errors import AudioFormatError

RATE = 1000


def _events(positions, peaks, polarity):
    n = len(positions)
    return ImpulseEvents(sample_rate=RATE, frames=10 * RATE, channels=1,
                         start=np.asarray(positions), width=np.full(n, 2),
                         position=np.asarray(positions), peak=np.asarray(peaks, float),
                         polarity=np.asarray(polarity), channel=np.full(n, -1),
                         ringing_ms=np.full(n, 1.0), score=np.full(n, 10.0))


def test_statistics_are_the_hand_computed_ones():
    ev = _events([1000, 1500, 2500, 4500], [0.1, 0.2, 0.3, 0.4], [1, 1, 1, -1])
    energy = BandEnergy()
    profile = ImpulseProfile.from_events(ev, energy, method="ar")
    assert profile.count == 4 and profile.rate_per_s == pytest.approx(0.4)
    assert profile.mean_amplitude == pytest.approx(0.25)
    assert profile.max_amplitude == pytest.approx(0.4)
    assert profile.mean_interval_s == pytest.approx((0.5 + 1.0 + 2.0) / 3)
    assert profile.positive_fraction == pytest.approx(0.75)
    assert profile.mean_width_ms == pytest.approx(2.0)
    assert profile.amplitude_quantiles["0.5"] == pytest.approx(0.25)
    assert sum(profile.interval_histogram["counts"]) == 3
    assert np.isnan(profile.hf_emphasis)  # no band energy was measured
    text = "\n".join(profile.lines())
    assert "Total impulses detected: 4" in text and "Impulses per second: 0.40" in text
    assert "High-freq emphasis (>2kHz): nanx" in text


def test_json_round_trip(tmp_path):
    ev = _events([100, 900], [0.1, 0.3], [1, -1])
    profile = ImpulseProfile.from_events(ev, BandEnergy(), method="both", source="x.wav")
    back = ImpulseProfile.load(profile.save(tmp_path / "p.json"))
    assert back.count == 2 and back.source == "x.wav" and np.isnan(back.hf_emphasis)
    assert back.amplitude_quantiles == profile.amplitude_quantiles
    (tmp_path / "bad.json").write_text("[1, 2]")
    with pytest.raises(AudioFormatError, match="bad.json"):
        ImpulseProfile.load(tmp_path / "bad.json")


def test_emphasis_sees_bright_impulses_on_dull_music():
    rate = 44100
    t = np.arange(2 * rate) / rate
    music = 0.3 * np.sin(2 * np.pi * 220 * t)  # nothing above 2 kHz
    positions = np.arange(2000, 2 * rate - 2000, 4410)
    x = music.copy()
    x[positions] += 0.2  # one-sample spikes: flat spectrum, so bright against the tone
    energy = band_energy(x[np.newaxis], positions, sample_rate=rate)
    assert energy.emphasis("hf") > 100
    assert energy.emphasis("mid") > 10
    none = band_energy(music[np.newaxis], positions, sample_rate=rate)
    assert none.emphasis("hf") == pytest.approx(1.0, abs=0.5)


def test_a_few_impulses_filter_only_the_stretches_around_them(monkeypatch):
    """Filtering a second around each of a few clicks reads like filtering it all."""
    import restorekit.analysis.profile as profile

    rate = 44100
    rng = np.random.default_rng(5)
    music = np.cumsum(rng.standard_normal((2, 20 * rate)), axis=1) * 1e-3
    positions = np.array([3 * rate, 9 * rate + 17, 15 * rate + 400])
    music[:, positions] += 0.5
    sparse = band_energy(music, positions, sample_rate=rate)
    assert profile._needed(positions, reach=300, size=music.shape[1]) != [
        (0, music.shape[1])]
    monkeypatch.setattr(profile, "_needed", lambda positions, *, reach, size: [(0, size)])
    full = band_energy(music, positions, sample_rate=rate)
    for band in ("hf", "mid"):
        assert sparse.emphasis(band) == pytest.approx(full.emphasis(band), rel=1e-3)


def test_stretches_read_like_the_whole_file_at_edges_in_bunches_and_in_a_core(monkeypatch):
    """Impulses at both ends of the file, bunched closer than a window, and a core that
    leaves some out: every sum matches filtering the whole file."""
    import restorekit.analysis.profile as profile

    rate = 22050
    rng = np.random.default_rng(6)
    music = np.cumsum(rng.standard_normal(20 * rate)) * 1e-3
    positions = np.array([0, 30, 5 * rate, 5 * rate + 20, 5 * rate + 60, 12 * rate,
                          music.size - 1])
    music[positions] += 0.4
    core = slice(10, music.size - 10)
    sparse = band_energy(music, positions, sample_rate=rate, core=core)
    monkeypatch.setattr(profile, "_needed", lambda positions, *, reach, size: [(0, size)])
    full = band_energy(music, positions, sample_rate=rate, core=core)
    for name in ("impulse", "impulse_windows", "background", "background_windows"):
        assert getattr(sparse, name) == pytest.approx(getattr(full, name), rel=1e-6)
    assert sparse.impulse_windows["hf"] == 5  # the two at the very ends are outside core
