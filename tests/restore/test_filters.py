"""Derumble, Dehum, PlaybackEQ: what each removes and keeps, block invariance, errors."""

import json

import numpy as np
import pytest
from scipy.signal import sosfilt

from restorekit.analysis.noise import rumble_level
from restorekit.audio import Audio
from restorekit.degrade.noise import Hum, Rumble
from restorekit.dsp.filters import playback_eq_sos
from restorekit.errors import ParameterError
from restorekit.metrics import get_metric
from restorekit.restore.filters import CURVES, Dehum, Derumble, PlaybackEQ

SR = 44100
# partials between the hum harmonics of 50 and 60 Hz, and above them
PARTIALS = (77.0, 127.0, 176.0, 226.0, 277.0, 327.0, 376.0, 523.3, 880.0, 1760.0, 3520.0)


def _music(seconds=6.0, rate=SR, partials=PARTIALS):
    """A stereo tone complex at ``partials``, 0.05 each, the right channel phase-shifted."""
    t = np.arange(round(seconds * rate)) / rate
    music = np.zeros((2, t.size))
    for k, f in enumerate(partials):
        music += 0.05 * np.sin(2 * np.pi * f * t + np.array([[k], [2 * k]]))
    return music


def _amplitude(y, frequency, rate=SR):
    """Amplitude of the ``frequency`` sinusoid in each channel, by least squares."""
    t = np.arange(y.shape[-1]) / rate
    basis = np.stack([np.sin(2 * np.pi * frequency * t), np.cos(2 * np.pi * frequency * t)],
                     axis=1)
    fit, *_ = np.linalg.lstsq(basis, np.atleast_2d(y).T, rcond=None)
    return np.hypot(*fit)


def _db(ratio):
    return 20 * np.log10(ratio)


def _block_error(restorer, samples, rate, *, first, keep, context):
    """Largest difference between a window's kept part and the whole file's result."""
    whole = restorer.restore(Audio(samples, rate)).audio.samples
    lo, hi = max(0, first - context), min(samples.shape[1], first + keep + context)
    part = restorer.restore(Audio(samples[:, lo:hi], rate)).audio.samples
    kept = part[:, first - lo: first - lo + keep]
    return float(np.abs(kept - whole[:, first: first + keep]).max())


def _windows(frames, keep):
    """Kept parts at the start, just after it, in the middle and at the end."""
    return (0, 12345, frames // 2 - keep // 2, frames - keep)


# -- Derumble ----------------------------------------------------------------------------
def test_derumble_removes_10_hz_and_keeps_200_hz(tone):
    low = tone(10.0, sample_rate=SR, duration=4.0, channels=2)
    high = tone(200.0, sample_rate=SR, duration=4.0, channels=2)
    both = Audio(low.samples + high.samples, SR)
    out = Derumble().restore(both).audio.samples
    assert np.all(_db(_amplitude(out, 10.0) / _amplitude(low.samples, 10.0)) <= -30.0)
    assert np.all(np.abs(_db(_amplitude(out, 200.0) / _amplitude(high.samples, 200.0)))
                  < 0.1)


def test_derumble_takes_out_generated_rumble(rng):
    clean = Audio(_music(4.0), SR)
    rumbly = Rumble(level=0.02, cutoff_hz=15.0)(clean, rng).audio
    out = Derumble().restore(rumbly).audio
    before, after = rumble_level(rumbly).level_db, rumble_level(out).level_db
    assert after <= before - 20.0
    snr = get_metric("snr")
    assert snr(clean.samples, out.samples, SR) >= snr(clean.samples, rumbly.samples, SR) + 15


def test_derumble_takes_an_offset_without_a_thump_at_the_ends():
    # a DC offset is rumble at 0 Hz: the ends are mirrored, not padded with zeros, so it
    # goes without the filter ringing on a step at either end
    x = _music(2.0)
    derumble = Derumble()
    without = derumble.restore(Audio(x, SR)).audio.samples
    offset = derumble.restore(Audio(x + 0.2, SR)).audio.samples
    assert np.abs(offset - without).max() < 1e-4


# -- Dehum -------------------------------------------------------------------------------
def _hummy(rng, *, mains=50.0, harmonics=8, level_db=-30.0, seconds=6.0, partials=PARTIALS):
    clean = Audio(_music(seconds, partials=partials), SR)
    degraded = Hum(level_db=level_db, mains_hz=mains, harmonics=harmonics)(clean, rng)
    hum = degraded.truth.added.astype(np.float64)
    noise = Audio(hum[:, : 2 * SR] + 1e-4 * rng.standard_normal((2, 2 * SR)), SR)
    return clean, degraded, noise


def _hum_power(samples, degraded):
    """Power at the generated hum's harmonics, by least squares over the whole signal."""
    f0, count = degraded.truth.params["fundamental_hz"], degraded.truth.params["harmonics"]
    return sum(float(np.sum(_amplitude(samples, k * f0) ** 2)) for k in range(1, count + 1))


@pytest.mark.parametrize("fitted", [True, False])
def test_dehum_takes_hum_down_25_db_and_improves_snr(rng, fitted):
    clean, degraded, noise = _hummy(rng)
    dehum = Dehum().fit(noise) if fitted else Dehum()
    done = dehum.restore(degraded.audio)
    drop = 10 * np.log10(_hum_power(degraded.audio.samples, degraded)
                         / _hum_power(done.audio.samples - clean.samples, degraded))
    assert drop >= 25.0
    snr = get_metric("snr")
    gain = snr(clean.samples, done.audio.samples, SR) - snr(clean.samples,
                                                            degraded.audio.samples, SR)
    assert gain >= 10.0
    assert done.report["source"] == ("fitted noise" if fitted else "input (not fitted)")
    assert done.report["frequency_hz"] == pytest.approx(
        degraded.truth.params["fundamental_hz"], rel=1e-4)
    assert len(done.report["notches_hz"]) == 8


def test_dehum_at_a_given_60_hz(rng):
    clean, degraded, _ = _hummy(rng, mains=60.0)
    done = Dehum(frequency_hz=60.0).restore(degraded.audio)
    # the generator detunes mains by up to 0.2 %; the notches are wide enough for that
    drop = 10 * np.log10(_hum_power(degraded.audio.samples, degraded)
                         / _hum_power(done.audio.samples - clean.samples, degraded))
    assert drop >= 25.0
    assert done.report["notches_hz"] == pytest.approx([60.0 * k for k in range(1, 9)])


def test_dehum_notches_only_the_harmonics_found(rng):
    # a partial 3 Hz above the 4th harmonic: inside that notch, were it made
    partials = (*PARTIALS, 203.0)
    clean, degraded, noise = _hummy(rng, harmonics=3, partials=partials)
    found = Dehum().fit(noise).restore(degraded.audio)
    assert len(found.report["notches_hz"]) == 3
    kept = _db(_amplitude(found.audio.samples, 203.0) / _amplitude(clean.samples, 203.0))
    assert np.all(np.abs(kept) < 0.05)
    every = Dehum(frequency_hz=50.0).restore(degraded.audio)
    cut = _db(_amplitude(every.audio.samples, 203.0) / _amplitude(clean.samples, 203.0))
    assert np.all(cut < -2.0)


def test_without_hum_the_audio_passes_unchanged(rng):
    x = _music(3.0) + 1e-3 * rng.standard_normal((2, 3 * SR))
    audio = Audio(x, SR)
    fitted = Dehum().fit(Audio(1e-3 * rng.standard_normal((2, SR)), SR))
    for dehum in (Dehum(), fitted):
        done = dehum.restore(audio)
        assert np.abs(done.removed.samples).max() == 0.0
        assert done.report["hum"] == "none detected"
        assert done.report["notches_hz"] == []
        json.dumps(done.report)
    assert fitted.context(SR) == 0  # nothing to filter, nothing to reach for


def test_dehum_continues_the_hum_past_the_ends(rng):
    # hum alone: without the fitted continuation the notches would ring on its start
    # and end for tenths of a second; with it, the first and last 0.1 s are clean too
    _, degraded, _ = _hummy(rng, seconds=3.0, partials=())
    out = Dehum(frequency_hz=degraded.truth.params["fundamental_hz"]).restore(
        degraded.audio).audio.samples
    edge = SR // 10
    level = np.sqrt(np.mean(degraded.audio.samples.astype(float) ** 2))
    assert np.sqrt(np.mean(out[:, :edge] ** 2)) < 1e-3 * level
    assert np.sqrt(np.mean(out[:, -edge:] ** 2)) < 1e-3 * level


# -- PlaybackEQ ----------------------------------------------------------------------------
def test_playback_eq_gains_at_1_and_10_khz_and_the_turnover(tone):
    def gain(eq, frequency):
        x = tone(frequency, sample_rate=SR, duration=1.0, channels=2).samples
        y = eq.restore(Audio(x, SR)).audio.samples
        settled = slice(SR // 2, None)  # after the causal start-up
        return float(_db(_amplitude(y[:, settled], frequency)
                         / _amplitude(x[:, settled], frequency))[0])

    columbia = PlaybackEQ(curve="columbia_78")
    assert gain(columbia, 1000.0) == pytest.approx(0.0, abs=0.01)
    # the published whole curve at 10 kHz (Graumann 1958): -15.0 dB
    assert gain(columbia, 10000.0) == pytest.approx(-15.0, abs=0.1)
    # treble only: the curve at 10 kHz is the roll-off within 0.5 dB
    assert gain(PlaybackEQ(rolloff_db=-10.0), 10000.0) == pytest.approx(-10.0, abs=0.5)
    # bass only: +3 dB at the turnover over the treble plateau, and a rising boost
    bass = PlaybackEQ(turnover_hz=500.0, shelf_hz=5.0)
    assert gain(bass, 500.0) - gain(bass, 8000.0) == pytest.approx(3.0, abs=0.05)
    assert gain(bass, 50.0) > gain(bass, 100.0) + 5.0


def test_playback_eq_undoes_the_recording_curve_waveform_and_all(rng):
    # record: the inverse of the playback curve (a causal, minimum-phase network);
    # play back: the waveform itself returns, phase included
    clean = _music(2.0) + 0.01 * rng.standard_normal((2, 2 * SR))
    eq = PlaybackEQ(curve="decca_78")
    sos = playback_eq_sos(turnover_hz=eq.turnover_hz, rolloff_db=eq.rolloff_db,
                          shelf_hz=eq.shelf_hz, sample_rate=SR)
    pre_emphasis = np.hstack([sos[:, 3:], sos[:, :3]]) / sos[0, 0]
    recorded = sosfilt(pre_emphasis, clean, axis=-1)
    out = eq.restore(Audio(recorded, SR)).audio.samples
    assert np.abs(out - clean).max() < 1e-5


def test_every_curve_builds_and_flat_changes_nothing(rng):
    x = Audio(_music(0.5), SR)
    for name, curve in CURVES.items():
        done = PlaybackEQ(curve=name).restore(x)
        assert done.report["curve"] == name
        json.dumps(done.report)
        json.dumps(curve.to_dict())
    assert np.abs(PlaybackEQ().restore(x).removed.samples).max() == 0.0
    shelved = PlaybackEQ(curve="european_78")
    assert shelved.shelf_hz == 20.0 and PlaybackEQ(curve="riaa").shelf_hz == 50.05
    assert PlaybackEQ(curve="riaa", rolloff_db=-10.0).turnover_hz == 500.5


# -- the block rule ------------------------------------------------------------------------
def _block_signal(rng, seconds, rate=SR):
    """Music, broadband noise, rumble-like drift and 50 Hz hum: something for all three."""
    t = np.arange(round(seconds * rate)) / rate
    x = _music(seconds, rate) + 0.05 * rng.standard_normal((2, t.size))
    x += 0.05 * np.sin(2 * np.pi * 7.0 * t) + 0.01 * np.sin(2 * np.pi * 50.03 * t + 1.0)
    return x


@pytest.mark.parametrize("make", [
    lambda noise: Derumble(),
    lambda noise: Derumble(cutoff_hz=80.0, order=6),
    lambda noise: Dehum(frequency_hz=50.0),
    lambda noise: Dehum().fit(noise),
    lambda noise: PlaybackEQ(curve="riaa"),
    lambda noise: PlaybackEQ(curve="old_rca"),
])
def test_a_window_reaching_context_gives_the_same_samples_as_the_whole(rng, make):
    samples = _block_signal(rng, 14.0)
    hum = 0.01 * np.sin(2 * np.pi * 50.03 * np.arange(2 * SR) / SR)
    restorer = make(Audio(np.stack([hum, hum]) + 1e-3 * rng.standard_normal((2, 2 * SR)),
                          SR))
    context, keep = restorer.context(SR), 4000
    assert restorer.grid(SR) == 1 and context > 0
    for first in _windows(samples.shape[1], keep):
        assert _block_error(restorer, samples, SR, first=first, keep=keep,
                            context=context) <= 1e-6


@pytest.mark.parametrize("restorer", [Derumble(), Dehum(frequency_hz=50.0),
                                      PlaybackEQ(curve="old_rca")])
def test_too_little_context_shows(rng, restorer):
    # the check can fail: a tenth of the context leaves the filters' tails out
    samples = _block_signal(rng, 4.0)
    context = restorer.context(SR) // 10
    assert _block_error(restorer, samples, SR, first=samples.shape[1] // 2, keep=4000,
                        context=context) > 1e-5


def test_contexts_are_the_decay_lengths():
    # about 0.22 s for the 30 Hz high-pass, 4.9 s for 1.7 Hz notches at 50 Hz, and in
    # seconds the same at any rate
    assert Derumble().context(SR) / SR == pytest.approx(0.222, abs=0.01)
    assert Derumble().context(96000) / 96000 == pytest.approx(0.222, abs=0.01)
    assert Dehum(frequency_hz=50.0).context(SR) / SR == pytest.approx(4.86, abs=0.1)
    assert Dehum(frequency_hz=50.0, q=10.0).context(SR) < Dehum(frequency_hz=50.0).context(SR)
    # not fitted: the lowest fundamental detection can return
    assert Dehum().context(SR) >= Dehum(frequency_hz=50.0).context(SR)
    assert 0 < PlaybackEQ(curve="riaa").context(SR) < SR // 5
    assert PlaybackEQ().context(SR) == 0


# -- errors --------------------------------------------------------------------------------
@pytest.mark.parametrize(("make", "match"), [
    (lambda: Derumble(cutoff_hz=5.0), "cutoff_hz"),
    (lambda: Derumble(cutoff_hz=250.0), "cutoff_hz"),
    (lambda: Derumble(order=0), "order"),
    (lambda: Dehum(frequency_hz=5.0), "frequency_hz"),
    (lambda: Dehum(harmonics=0), "harmonics"),
    (lambda: Dehum(q=1.0), "q"),
    (lambda: PlaybackEQ(curve="victor"), "curve"),
    (lambda: PlaybackEQ(turnover_hz=20.0), "turnover_hz"),
    (lambda: PlaybackEQ(rolloff_db=5.0), "rolloff_db"),
    (lambda: PlaybackEQ(shelf_hz=50.0), "shelf_hz"),
    (lambda: PlaybackEQ(turnover_hz=300.0, shelf_hz=400.0), "shelf_hz"),
    (lambda: Derumble(mix=2.0), "mix"),
])
def test_bad_parameters_are_refused(make, match):
    with pytest.raises(ParameterError, match=match):
        make()


@pytest.mark.parametrize("restorer", [Derumble(), Dehum(), Dehum(frequency_hz=60.0),
                                      PlaybackEQ(curve="aes")])
def test_noise_that_does_not_match_the_audio_is_refused(rng, restorer):
    stereo_noise = Audio(0.01 * rng.standard_normal((2, 2 * SR)), SR)
    restorer.fit(stereo_noise)
    with pytest.raises(ParameterError, match="2-channel noise"):
        restorer.restore(Audio(_music(1.0)[:1], SR))
    with pytest.raises(ParameterError, match="48000 Hz"):
        restorer.restore(Audio(_music(1.0, 48000), 48000))
    with pytest.raises(ParameterError):
        restorer.fit(np.zeros((2, SR)))
