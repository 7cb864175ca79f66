"""Noise analysis against known truth: quiet segments, noise floor, hum, rumble,
bandwidth and clipping measured on signals whose noise we made ourselves."""

import json
import math

import numpy as np
import pytest

from restorekit.analysis.noise import (
    analyze_noise,
    bandwidth,
    count_clipped,
    detect_hum,
    find_quiet_segments,
    noise_floor,
    rumble_level,
)
from restorekit.audio import Audio
from restorekit.degrade import AdditiveNoise, BandLimit, Hum, Mp3, Resample, Rumble
from restorekit.errors import ParameterError
from restorekit.synth import synthesize_music

RATE = 44100


def _music(seconds, *, seed, channels=2, rate=RATE):
    return synthesize_music(sample_rate=rate, duration=seconds,
                            rng=np.random.default_rng(seed), channels=channels)


def _white(seconds, *, rms, seed, channels=2, rate=RATE):
    rng = np.random.default_rng(seed)
    return Audio(rms * rng.standard_normal((channels, round(seconds * rate))), rate)


def _as_on_a_78(music, seed):
    """Music with the band of an acoustic 78 (150 Hz to 5 kHz).

    The synthesised kick drum settles on exactly 50 Hz and repeats every bar, so raw
    synthesised music holds a comb of lines around 50 Hz louder than a -50 dBFS hum:
    no spectral method can find such a hum under it. A 78 has no such bass.
    """
    band = BandLimit(low_hz=150.0, high_hz=5000.0, resonances=0)
    return band(music, np.random.default_rng(seed)).audio


# -- quiet segments ------------------------------------------------------------------------
def test_quiet_segment_is_found_in_the_pause(rng):
    music = _music(6.0, seed=1, channels=1).samples[0].astype(np.float64)
    t = np.arange(music.size) / RATE
    pause = (t >= 3.0) & (t < 4.0)
    signal = np.where(pause, 0.0, music) + 1e-3 * rng.standard_normal(music.size)
    segments = find_quiet_segments(Audio(signal, RATE), window_seconds=0.5, count=2)
    start, stop = segments[0]
    assert 3.0 <= start and stop <= 4.0 + 1e-9
    assert stop - start == pytest.approx(0.5, abs=1e-4)


def test_quiet_segments_are_ordered_apart_and_counted(rng):
    level = np.repeat(rng.uniform(0.01, 1.0, 20), RATE // 2)  # 20 half-second steps
    audio = Audio(level * rng.standard_normal(level.size), RATE)
    segments = find_quiet_segments(audio, window_seconds=0.5, count=3, min_gap_seconds=1.0)
    assert len(segments) == 3
    rms = [np.sqrt(np.mean(audio.slice(a, b).samples.astype(np.float64) ** 2))
           for a, b in segments]
    assert rms == sorted(rms)
    starts = np.sort([a for a, _ in segments])
    assert np.all(np.diff(starts) >= 1.5 - 1e-9)
    # the quietest half-second step is the first segment
    quietest = int(np.argmin(level[:: RATE // 2]))
    assert segments[0] == pytest.approx((quietest * 0.5, quietest * 0.5 + 0.5), abs=1e-4)


def test_digital_silence_is_not_a_noise_floor(rng):
    noise = 0.01 * rng.standard_normal(4 * RATE)
    noise[: RATE] = 0.0  # one second of zero padding before the groove starts
    segments = find_quiet_segments(Audio(noise, RATE), count=2, min_gap_seconds=0.0)
    assert all(start >= 1.0 for start, _ in segments)


def test_short_or_silent_audio_is_one_whole_segment(rng):
    short = Audio(0.1 * rng.standard_normal(1000), RATE)
    assert find_quiet_segments(short) == [(0.0, short.duration)]
    silent = Audio(np.zeros(2 * RATE), RATE)
    assert find_quiet_segments(silent) == [(0.0, 2.0)]


# -- noise floor ---------------------------------------------------------------------------
def test_noise_floor_of_white_noise_has_its_level_and_is_flat():
    floor = noise_floor(_white(5.0, rms=0.01, seed=2))
    assert floor.level_db == pytest.approx(-40.0, abs=0.5)
    # white noise of variance s^2 spreads evenly over 0..Nyquist: s^2 / (rate / 2) per Hz
    band = (floor.freqs > 100) & (floor.freqs < 20000)
    level = 10 * np.log10(floor.psd[band])
    assert np.median(level) == pytest.approx(10 * np.log10(1e-4 / (RATE / 2)), abs=0.5)
    assert np.percentile(np.abs(level - np.median(level)), 90) < 2.5
    assert floor.band_level_db(0, RATE / 2) == pytest.approx(floor.level_db, abs=0.1)
    # half the band holds half the power
    assert floor.band_level_db(0, RATE / 4) == pytest.approx(floor.level_db - 3.01, abs=0.3)
    assert len(floor.segments) == 3


def test_noise_floor_measures_the_segments_given(rng):
    quiet = 0.001 * rng.standard_normal(2 * RATE)
    loud = 0.1 * rng.standard_normal(2 * RATE)
    audio = Audio(np.concatenate([loud, quiet]), RATE)
    assert noise_floor(audio, segments=[(2.5, 3.5)]).level_db == pytest.approx(-60, abs=0.5)
    assert noise_floor(audio, segments=[(0.0, 1.0)]).level_db == pytest.approx(-20, abs=0.5)
    # a DC offset is not noise
    shifted = Audio(audio.samples + 0.2, RATE)
    assert noise_floor(shifted).level_db == pytest.approx(-60, abs=0.5)


def test_noise_floor_to_dict_is_lists():
    info = noise_floor(_white(2.0, rms=0.01, seed=3), n_fft=1024).to_dict()
    assert len(info["freqs"]) == len(info["psd"]) == 513
    json.dumps(info)


# -- hum -----------------------------------------------------------------------------------
@pytest.mark.parametrize("mains, seed", [(50.0, 0), (50.0, 1), (60.0, 2)])
def test_hum_is_found_at_its_frequency_and_level(mains, seed):
    music = _as_on_a_78(_music(10.0, seed=seed), seed)
    hummed = Hum(level_db=-50.0, mains_hz=mains)(music, np.random.default_rng(seed + 10))
    truth = hummed.truth.params
    report = detect_hum(hummed.audio)
    assert report.present
    assert report.fundamental_hz == pytest.approx(mains, rel=0.002)
    assert report.fundamental_hz == pytest.approx(truth["fundamental_hz"], abs=0.05)
    assert report.level_db == pytest.approx(truth["level_db"], abs=2.0)
    freq, level, prominence = report.harmonics[0]
    assert freq == pytest.approx(report.fundamental_hz, abs=0.05)
    assert prominence >= 10.0 and level < report.level_db + 1e-9


def test_hum_harmonics_alone_reveal_the_fundamental(rng):
    """A rectifier's buzz: 100, 150 and 200 Hz over noise, no 50 Hz at all."""
    t = np.arange(10 * RATE) / RATE
    buzz = sum(0.003 * np.sin(2 * np.pi * k * 50.02 * t + k) for k in (2, 3, 4))
    report = detect_hum(Audio(buzz + 1e-3 * rng.standard_normal(t.size), RATE))
    assert report.present
    assert report.fundamental_hz == pytest.approx(50.02, abs=0.02)
    assert [round(f) for f, _, _ in report.harmonics] == [100, 150, 200]


def test_no_hum_in_clean_music_or_white_noise():
    for audio in (_music(10.0, seed=3), _as_on_a_78(_music(10.0, seed=4), 4),
                  _white(10.0, rms=0.05, seed=5)):
        report = detect_hum(audio)
        assert not report.present
        assert report.fundamental_hz is None and report.level_db is None
        assert report.describe() == "none detected"


def test_hum_needs_a_second_of_audio(tone):
    assert not detect_hum(tone(50.0, sample_rate=RATE, duration=0.5)).present


# -- rumble --------------------------------------------------------------------------------
@pytest.mark.parametrize("level", [0.003, 0.01])
def test_rumble_level_matches_the_rumble_added(level):
    # the synthesised bass reaches below 30 Hz; a 78's band does not
    music = _as_on_a_78(_music(6.0, seed=6, channels=1), 6)
    rumbled = Rumble(level=level, cutoff_hz=15.0)(music, np.random.default_rng(7))
    report = rumble_level(rumbled.audio)
    assert report.level_db == pytest.approx(20 * np.log10(level), abs=1.5)
    programme = 10 * np.log10(np.var(rumbled.audio.samples, dtype=np.float64))
    assert report.relative_db == pytest.approx(report.level_db - programme, abs=1e-6)
    assert rumble_level(music).level_db < 20 * np.log10(level) - 20


def test_an_excerpt_cut_mid_note_has_no_rumble():
    # starting and stopping at full swing is a step to the filters, not rumble
    t = np.arange(10 * RATE) / RATE
    cut = Audio(0.5 * np.cos(2 * np.pi * 200.0 * t) + 0.3, RATE)
    assert rumble_level(cut).level_db < -80.0


def test_rumble_of_a_few_samples_is_a_number():
    short = Audio(np.random.default_rng(3).standard_normal(50) * 0.1, RATE)
    assert np.isfinite(rumble_level(short).level_db)


def test_rumble_band_follows_the_cutoff():
    t = np.arange(4 * RATE) / RATE
    low = Audio(0.1 * np.sin(2 * np.pi * 20.0 * t) + 0.1 * np.sin(2 * np.pi * 80.0 * t), RATE)
    at_30 = rumble_level(low)
    at_120 = rumble_level(low, cutoff_hz=120.0)
    assert at_30.level_db == pytest.approx(20 * np.log10(0.1 / np.sqrt(2)), abs=0.5)
    assert at_120.level_db == pytest.approx(20 * np.log10(0.1), abs=0.5)
    assert at_30.relative_db == pytest.approx(-3.0, abs=0.5) and at_120.cutoff_hz == 120.0


# -- bandwidth -----------------------------------------------------------------------------
@pytest.mark.parametrize("color", ["white", "pink"])
def test_noise_fills_the_whole_band(color):
    silence = Audio(np.zeros((1, 4 * RATE)), RATE)
    noise = AdditiveNoise(snr_db=0.0, color=color)(silence, np.random.default_rng(8))
    report = bandwidth(noise.audio)
    assert report.kind == "full" and report.brickwall_hz is None
    assert report.cutoff_hz >= 0.95 * RATE / 2


def test_resampled_noise_ends_in_a_brick_wall_at_half_the_low_rate():
    resampled = Resample(rate_hz=16000)(_white(4.0, rms=0.1, seed=9, channels=1),
                                        np.random.default_rng(9))
    report = bandwidth(resampled.audio)
    assert report.kind == "brickwall"
    assert report.cutoff_hz == pytest.approx(8000.0, rel=0.05)
    assert report.drop_db > 40 and report.brickwall_hz == report.cutoff_hz


def test_mp3_at_64_kbps_ends_in_a_brick_wall():
    coded = Mp3(bitrate_kbps=64)(_music(4.0, seed=10), np.random.default_rng(10))
    report = bandwidth(coded.audio)
    assert report.kind == "brickwall"
    assert 10000.0 <= report.cutoff_hz <= 16000.0
    assert "likely lossy/resampled" in report.describe()


@pytest.mark.parametrize("source", ["white", "music"])
def test_band_limit_rolls_off_near_its_cutoff(source):
    audio = (_white(4.0, rms=0.1, seed=11, channels=1) if source == "white"
             else _music(4.0, seed=11))
    limited = BandLimit(low_hz=100.0, high_hz=4000.0, resonances=0)(
        audio, np.random.default_rng(11))
    report = bandwidth(limited.audio)
    assert report.kind == "rolloff" and report.brickwall_hz is None
    assert report.cutoff_hz == pytest.approx(4000.0, rel=0.1)
    assert report.drop_db > 20


def test_a_roll_off_under_a_codec_wall_reports_both():
    limited = BandLimit(low_hz=100.0, high_hz=3000.0, resonances=0)(
        _music(4.0, seed=12), np.random.default_rng(12)).audio
    hissy = AdditiveNoise(snr_db=40.0)(limited, np.random.default_rng(13)).audio
    report = bandwidth(Resample(rate_hz=22050)(hissy, np.random.default_rng(14)).audio)
    assert report.kind == "rolloff"
    assert report.cutoff_hz == pytest.approx(3000.0, rel=0.15)
    assert report.brickwall_hz == pytest.approx(11025.0, rel=0.05)


# -- clipping ------------------------------------------------------------------------------
def test_clipping_counts_flat_topped_runs_exactly():
    left = [0.0, 1.0, 1.0, 1.0, 0.0, -1.0, -1.0, 0.5, 1.0, 0.0, 1.0, 1.0]
    right = [1.0, -1.0, 0.2, 0.9995, 0.9995, 0.9, 0.0, 0.0, 0.0, 0.0, -1.0, -1.0]
    audio = Audio(np.array([left, right]), RATE)
    # left: +3, -2, +1 (too short), +2 (at the end); right: +1, -1, +2 (0.9995), -2
    assert count_clipped(audio) == count_clipped(audio, threshold=0.999, min_run=2)
    assert (count_clipped(audio).runs, count_clipped(audio).samples) == (5, 11)
    assert count_clipped(audio, min_run=3).to_dict() == {"runs": 1, "samples": 3}
    assert count_clipped(audio, min_run=1).runs == 8
    assert count_clipped(audio, threshold=1.0).runs == 4
    assert count_clipped(Audio(np.zeros(100), RATE)).runs == 0


# -- the whole report ----------------------------------------------------------------------
def test_analyze_noise_reports_everything_as_json_and_text():
    music = _as_on_a_78(_music(10.0, seed=15), 15)
    hummed = Hum(level_db=-50.0, mains_hz=50.0, harmonics=5)(music,
                                                             np.random.default_rng(15))
    report = analyze_noise(hummed.audio)
    assert report.sample_rate == RATE and report.duration == pytest.approx(10.0)
    assert report.segments == report.floor.segments
    data = json.loads(json.dumps(report.to_dict(), allow_nan=False))
    assert set(data) == {"duration", "sample_rate", "noise_floor", "hum", "rumble",
                         "bandwidth", "clipping"}
    assert data["hum"]["present"] is True
    lines = report.lines()
    assert lines[0] == "Noise Analysis:" and len(lines) == 6
    assert lines[1].startswith("  Quietest segment: ") and "dBFS" in lines[1]
    assert lines[2].startswith("  Hum: 50.0 Hz detected, ")
    assert lines[3].startswith("  Rumble (<30 Hz): ") and "below programme" in lines[3]
    assert lines[4] == f"  Bandwidth: {report.bandwidth.describe()}"
    assert "rolloff" in lines[4]
    assert lines[5] == "  Clipping: 0 flat-topped runs"


def test_analyze_noise_on_digital_silence_stays_finite():
    report = analyze_noise(Audio(np.zeros((2, RATE)), RATE))
    assert report.floor.level_db == -300.0 and not report.hum.present
    json.dumps(report.to_dict(), allow_nan=False)


# -- validation ----------------------------------------------------------------------------
@pytest.mark.parametrize("function", [find_quiet_segments, noise_floor, detect_hum,
                                      rumble_level, bandwidth, count_clipped,
                                      analyze_noise])
def test_every_function_wants_audio(function):
    with pytest.raises(ParameterError, match="Audio"):
        function(np.zeros(RATE))


@pytest.mark.parametrize("call", [
    lambda a: find_quiet_segments(a, window_seconds=0),
    lambda a: find_quiet_segments(a, count=0),
    lambda a: find_quiet_segments(a, count=2.5),
    lambda a: find_quiet_segments(a, min_gap_seconds=-1),
    lambda a: noise_floor(a, n_fft=8),
    lambda a: noise_floor(a, segments=[(0.5, 0.2)]),
    lambda a: noise_floor(a, segments=[(0.0, 5.0)]),
    lambda a: noise_floor(a, segments=[]),
    lambda a: noise_floor(a, segments="quiet"),
    lambda a: noise_floor(a, segments=[(0.0, 1e-5)]),
    lambda a: noise_floor(a).band_level_db(500, 100),
    lambda a: detect_hum(a, mains=()),
    lambda a: detect_hum(a, mains=(5.0,)),
    lambda a: detect_hum(a, mains="50"),
    lambda a: detect_hum(a, harmonics=0),
    lambda a: detect_hum(a, min_prominence_db=-1),
    lambda a: rumble_level(a, cutoff_hz=0),
    lambda a: rumble_level(a, cutoff_hz=20000),
    lambda a: bandwidth(a, threshold_db=0),
    lambda a: bandwidth(a, threshold_db=math.nan),
    lambda a: count_clipped(a, threshold=0),
    lambda a: count_clipped(a, min_run=0),
])
def test_bad_parameters_are_refused(call):
    with pytest.raises(ParameterError):
        call(_white(1.0, rms=0.1, seed=16))


# -- real recordings -----------------------------------------------------------------------
@pytest.mark.shared_data
def test_real_78s_give_sane_reports(shared_data):
    from restorekit.io import load

    paths = sorted((shared_data / "real78").iterdir())
    assert paths
    for path in paths:
        audio = load(path, duration=30)
        report = analyze_noise(audio)
        data = report.to_dict()
        numbers = [report.floor.level_db, report.rumble.level_db, report.rumble.relative_db,
                   report.bandwidth.cutoff_hz, report.bandwidth.drop_db]
        assert all(math.isfinite(x) for x in numbers)
        assert -150 < report.floor.level_db < 0 and report.rumble.relative_db < 0
        assert 0 < report.bandwidth.cutoff_hz < audio.sample_rate / 2
        assert np.isfinite(report.floor.psd).all()
        json.dumps(data, allow_nan=False)
        if path.name.startswith("cylinder") and path.suffix == ".mp3":
            assert audio.sample_rate == 22050 and report.bandwidth.cutoff_hz < 8000
        print(f"{path.name}: " + " | ".join(line.strip() for line in report.lines()[1:]))
