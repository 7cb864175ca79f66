"""fit_to_profile and compare_synthetic_vs_real, on a 'real' file whose truth we know."""

import numpy as np
import pytest

from restorekit.analysis.comparison import compare_synthetic_vs_real
from restorekit.analysis.fit import _log_uniform_range, fit_to_profile
from restorekit.degrade import simulate_vinyl_artifacts
from restorekit.errors import ParameterError
from restorekit.io import save
from restorekit.synth import synthesize_music

RATE = 22050


def test_log_uniform_range_inverts_the_quantiles():
    lo, hi = _log_uniform_range(0.1 * 5**0.1, 0.1 * 5**0.9)
    assert (lo, hi) == pytest.approx((0.1, 0.5))


@pytest.fixture(scope="module")
def real_like(tmp_path_factory):
    """A stand-in for a real transfer: music damaged with known parameters."""
    music = synthesize_music(sample_rate=RATE, duration=12.0, rng=np.random.default_rng(7))
    damaged = simulate_vinyl_artifacts(music, rng=np.random.default_rng(8), impulse_rate=8.0,
                                       impulse_amplitude=(0.15, 0.6),
                                       surface_noise_level=0.005, crackle_level=0.002)
    path = save(damaged.audio, tmp_path_factory.mktemp("real") / "transfer.wav")
    return path, damaged


def test_fitted_damage_reads_like_the_real_one(real_like, tmp_path):
    """The issue's tolerances (15 % rate and amplitudes, 20 % emphasis), on a stand-in
    transfer whose clicks the generator can make. Measured: +6 %, -4 %, -2 %, -8 %, -1 %."""
    path, _ = real_like
    clean = synthesize_music(sample_rate=RATE, duration=12.0, rng=np.random.default_rng(9))
    plot = tmp_path / "overlay.png"
    comparison = compare_synthetic_vs_real(path, clean, RATE, seed=1, verbose=False,
                                           plot=plot)
    diffs = [abs(diff) for *_, diff in comparison.rows()]
    assert max(diffs[:3]) <= 0.15 and max(diffs[3:]) <= 0.20
    assert comparison.lines()[0] == "COMPARISON: Real vs Synthetic"
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(comparison.real_events) == comparison.real.count


def test_fit_needs_impulses():
    from restorekit.analysis import ImpulseEvents, ImpulseProfile
    from restorekit.analysis.profile import BandEnergy

    clean = synthesize_music(sample_rate=RATE, duration=2.0, rng=np.random.default_rng(0))
    events = ImpulseEvents.empty(sample_rate=RATE, frames=clean.frames, channels=2)
    empty = ImpulseProfile.from_events(events, BandEnergy(), method="ar")
    with pytest.raises(ParameterError, match="no impulses"):
        fit_to_profile(empty, clean=clean)


def test_music_whose_detections_are_its_own_transients_is_fitted_with_no_clicks():
    """What the detector finds in clean music is best matched by adding nothing to
    other clean music of the same kind; a fixed crackle level is kept."""
    from restorekit.analysis.fit import measure

    music = synthesize_music(sample_rate=RATE, duration=12.0, rng=np.random.default_rng(0))
    other = synthesize_music(sample_rate=RATE, duration=12.0, rng=np.random.default_rng(1))
    found = measure(music)
    assert found.profile.count > 0  # the music's own false alarms
    fitted = fit_to_profile(found, clean=other, seed=1, iterations=1, refine=0,
                            crackle=False, surface_noise_level=0.0)
    assert fitted["impulse_rate"] == 0.01 and fitted["crackle_level"] == 0.0
    kept = fit_to_profile(found, clean=other, seed=1, iterations=1, refine=0,
                          surface_noise_level=0.0, crackle_level=0.002)
    assert kept["crackle_level"] == 0.002
