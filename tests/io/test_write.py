import hashlib
import os
import stat

import numpy as np
import pytest
import soundfile as sf

from restorekit.audio import Audio
from restorekit.dsp import true_peak
from restorekit.errors import ParameterError
from restorekit.io import info, load, save
from restorekit.io.write import container_for
from restorekit.metrics import METRICS

RATE = 44100


def _on_grid(rng, bits, shape=(2, RATE)):
    scale = 2 ** (bits - 1)
    return Audio(rng.integers(-scale // 4, scale // 4, shape) / scale, RATE)


def _sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_float32_round_trip_is_exact(tmp_path, rng):
    a = Audio(0.1 * rng.standard_normal((2, RATE)), RATE)  # peaks ~0.5: no limiting
    path = save(a, tmp_path / "f.wav", subtype="FLOAT")
    np.testing.assert_array_equal(load(path).samples, a.samples)
    assert info(path).subtype == "FLOAT"


@pytest.mark.parametrize("ext,subtype,bits", [("wav", "PCM_24", 24), ("flac", "PCM_24", 24),
                                              ("wav", "PCM_16", 16), ("flac", "PCM_16", 16),
                                              ("aiff", "PCM_24", 24)])
def test_pcm_round_trip_of_on_grid_samples_is_bit_exact(tmp_path, rng, ext, subtype, bits):
    a = _on_grid(rng, bits)
    path = save(a, tmp_path / f"x.{ext}", subtype=subtype)
    np.testing.assert_array_equal(load(path).samples, a.samples)
    again = save(load(path), tmp_path / f"again.{ext}", like=info(path))
    np.testing.assert_array_equal(load(again).samples, a.samples)


def test_pcm24_error_is_within_dither_bounds(tmp_path, rng):
    a = Audio(0.1 * rng.standard_normal((1, RATE)), RATE)
    error = load(save(a, tmp_path / "x.wav", subtype="PCM_24")).samples - a.samples
    lsb = 2.0**-23
    assert np.abs(error).max() <= 1.5 * lsb + 1e-12
    assert np.var(error) == pytest.approx(lsb**2 / 4, rel=0.1)


def test_pcm16_dithered_sine_thd_n_matches_theory(tmp_path, tone):
    """TPDF dither of +-1 LSB plus rounding leaves white noise of power LSB^2 / 4."""
    amplitude = 10 ** (-1 / 20)
    a = tone(1000, sample_rate=48000, duration=2.0, amplitude=amplitude)
    written = load(save(a, tmp_path / "sine16.wav", subtype="PCM_16"))
    measured = METRICS["thd_n"](a.samples, written.samples, 48000)
    theory = 10 * np.log10((2.0**-15) ** 2 / 4 / (amplitude**2 / 2))
    assert measured == pytest.approx(theory, abs=1.0)


def test_dither_can_be_switched_off_and_is_reproducible(tmp_path, tone):
    a = tone(1000, sample_rate=RATE, duration=0.2, amplitude=0.25)
    one = load(save(a, tmp_path / "a.wav", subtype="PCM_16")).samples
    two = load(save(a, tmp_path / "b.wav", subtype="PCM_16")).samples
    plain = load(save(a, tmp_path / "c.wav", subtype="PCM_16", dither=False)).samples
    np.testing.assert_array_equal(one, two)
    assert np.abs(plain - a.samples).max() <= 2.0**-16 + 1e-9
    assert not np.array_equal(one, plain)


@pytest.mark.parametrize("ext", ["ogg", "mp3"])
def test_lossy_formats_write_and_read_back(tmp_path, tone, ext):
    a = tone(440, sample_rate=RATE, duration=1.0, amplitude=0.5, channels=2)
    back = load(save(a, tmp_path / f"x.{ext}"))
    assert back.channels == 2 and abs(back.frames - a.frames) < 3000
    assert info(tmp_path / f"x.{ext}").lossy


def test_like_keeps_the_sources_rate_and_depth(tmp_path, rng):
    source = tmp_path / "source.flac"
    sf.write(source, 0.1 * rng.standard_normal((RATE, 1)), RATE, subtype="PCM_16")
    processed = load(source).resample(22050)
    out = save(processed, tmp_path / "out.flac", like=info(source))
    meta = info(out)
    assert (meta.sample_rate, meta.subtype) == (RATE, "PCM_16")
    assert abs(meta.frames - RATE) <= 1


def test_refuses_to_write_over_its_input(tmp_path, rng):
    source = tmp_path / "source.wav"
    sf.write(source, 0.1 * rng.standard_normal((RATE, 1)), RATE)
    before = _sha(source)
    audio = load(source)
    for kwargs in ({}, {"overwrite": True}, {"like": info(source), "overwrite": True}):
        with pytest.raises(ParameterError, match="it is the input file") as caught:
            save(audio, source, **kwargs)
        assert str(source) in str(caught.value)
    # the same file under another name, via a symlink and a '..' detour
    (tmp_path / "sub").mkdir()
    os.symlink(source, tmp_path / "link.wav")
    for alias in (tmp_path / "link.wav", tmp_path / "sub" / ".." / "source.wav"):
        with pytest.raises(ParameterError, match="it is the input file"):
            save(audio.with_samples(audio.samples), alias, overwrite=True)
    assert _sha(source) == before


def test_existing_output_needs_overwrite_and_keeps_its_mode(tmp_path, rng):
    a = Audio(0.1 * rng.standard_normal(RATE), RATE)
    path = save(a, tmp_path / "out.wav")
    with pytest.raises(ParameterError, match="already exists"):
        save(a, path)
    os.chmod(path, 0o640)
    save(Audio(np.zeros(RATE), RATE), path, overwrite=True)
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert np.abs(load(path).samples).max() == 0


def test_a_failed_write_leaves_nothing_behind(tmp_path, rng, monkeypatch):
    a = Audio(0.1 * rng.standard_normal(RATE), RATE)
    existing = save(a, tmp_path / "out.wav")
    before = _sha(existing)

    def explode(*args, **kwargs):
        with open(args[0], "wb") as f:
            f.write(b"half a file")
        raise OSError("disk full")

    monkeypatch.setattr(sf, "write", explode)
    with pytest.raises(OSError, match="disk full"):
        save(a, tmp_path / "new.wav")
    with pytest.raises(OSError, match="disk full"):
        save(a, existing, overwrite=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.wav"]
    assert _sha(existing) == before


def test_bad_destinations_and_parameters(tmp_path, rng):
    a = Audio(np.zeros(100), 8000)
    with pytest.raises(ParameterError, match="unknown extension"):
        save(a, tmp_path / "x.xyz")
    with pytest.raises(ParameterError, match="cannot hold subtype"):
        save(a, tmp_path / "x.flac", subtype="FLOAT")
    with pytest.raises(ParameterError, match="does not exist"):
        save(a, tmp_path / "missing" / "x.wav")
    with pytest.raises(ParameterError, match="is a folder"):
        save(a, tmp_path)
    with pytest.raises(ParameterError, match="true_peak_db"):
        save(a, tmp_path / "x.wav", true_peak_db=3.0)
    with pytest.raises(ParameterError, match="needs an Audio"):
        save(np.zeros(10), tmp_path / "x.wav")


@pytest.mark.parametrize("subtype", ["PCM_16", "PCM_24", "FLOAT"])
def test_overloaded_audio_never_wraps(tmp_path, tone, subtype):
    hot = tone(997, sample_rate=RATE, duration=0.5, amplitude=1.8)
    back = load(save(hot, tmp_path / "hot.wav", subtype=subtype)).samples
    assert np.abs(back).max() <= 1.0
    # a wrapped sample would flip sign against the original
    assert np.all(np.sign(back[np.abs(hot.samples) > 0.5])
                  == np.sign(hot.samples[np.abs(hot.samples) > 0.5]))


def test_true_peak_ceiling(tmp_path, tone):
    hot = tone(11025, sample_rate=RATE, duration=0.5, amplitude=1.0, phase=np.pi / 4)
    back = load(save(hot, tmp_path / "tp.wav", subtype="FLOAT", true_peak_db=-1.0))
    assert 20 * np.log10(true_peak(back.samples, sample_rate=RATE)) <= -1.0 + 0.1
    quiet = tone(1000, sample_rate=RATE, duration=0.5, amplitude=0.5)
    np.testing.assert_array_equal(
        load(save(quiet, tmp_path / "q.wav", subtype="FLOAT", true_peak_db=-1.0)).samples,
        quiet.samples)


def test_wav_switches_to_rf64_past_4_gib():
    assert container_for("WAV", subtype="PCM_16", channels=2, frames=10**6) == "WAV"
    two_hours_float_stereo = 2 * 3600 * 192000
    assert container_for("WAV", subtype="FLOAT", channels=2,
                         frames=two_hours_float_stereo) == "RF64"
    assert container_for("FLAC", subtype="PCM_24", channels=8, frames=10**10) == "FLAC"


def test_a_wav_past_the_riff_limit_is_written_as_rf64(tmp_path, rng, monkeypatch):
    """The switch is exercised for real by lowering the limit instead of writing 4 GiB."""
    import restorekit.io.write as write

    monkeypatch.setattr(write, "_RIFF_LIMIT", 1000)
    a = _on_grid(rng, 16, shape=(2, 1000))
    path = save(a, tmp_path / "big.wav", subtype="PCM_16")
    assert path.read_bytes()[:4] == b"RF64" and info(path).format == "RF64"
    np.testing.assert_array_equal(load(path).samples, a.samples)
