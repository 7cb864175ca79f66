"""Every kind of bad input is named in one sentence with the file's name."""

import hashlib
import struct

import numpy as np
import pytest
import soundfile as sf

from restorekit.errors import AudioFormatError, ParameterError
from restorekit.io import blocks, info, load

RATE = 44100


def _noise(rng, frames=RATE, channels=2):
    return (0.1 * rng.standard_normal((frames, channels))).astype(np.float32)


def _truncate(path, fraction=0.5):
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * fraction)])


def _raises(error_class, path, match, call=load):
    with pytest.raises(error_class, match=match) as caught:
        call(path)
    assert type(caught.value) is error_class
    message = str(caught.value)
    assert str(path) in message and "\n" not in message
    return message


def test_missing_file(tmp_path):
    _raises(AudioFormatError, tmp_path / "nope.wav", "does not exist")


def test_directory(tmp_path):
    _raises(AudioFormatError, tmp_path, "is a folder")


def test_empty_file(tmp_path):
    path = tmp_path / "empty.wav"
    path.touch()
    _raises(AudioFormatError, path, "empty")


@pytest.mark.parametrize("content", [b"this is a text file, not audio\n" * 20,
                                     bytes(range(256)) * 8])
def test_not_audio(tmp_path, content):
    path = tmp_path / "notes.wav"
    path.write_bytes(content)
    _raises(AudioFormatError, path, "not an audio file")


def test_zero_length_audio(tmp_path):
    path = tmp_path / "zero.wav"
    sf.write(path, np.zeros((0, 1), dtype=np.float32), RATE, subtype="PCM_16")
    _raises(AudioFormatError, path, "no audio frames", call=info)


@pytest.mark.parametrize("ext,fmt,subtype", [("wav", "WAV", "PCM_16"), ("wav", "WAV", "FLOAT"),
                                             ("aiff", "AIFF", "PCM_24"),
                                             ("rf64", "RF64", "PCM_16")])
def test_truncated_pcm_is_found_from_the_header(tmp_path, rng, ext, fmt, subtype):
    path = tmp_path / f"cut.{ext}"
    sf.write(path, _noise(rng), RATE, format=fmt, subtype=subtype)
    _truncate(path)
    # libsndfile alone would quietly return half the frames
    assert sf.info(path).frames < RATE
    message = _raises(AudioFormatError, path, "truncated", call=info)
    assert "1.000 s" in message and "0.5" in message
    _raises(AudioFormatError, path, "truncated", call=load)


@pytest.mark.parametrize("ext,fmt,subtype", [("flac", "FLAC", "PCM_16"),
                                             ("mp3", "MP3", "MPEG_LAYER_III")])
def test_truncated_compressed_files_are_found_when_decoding(tmp_path, rng, ext, fmt, subtype):
    path = tmp_path / f"cut.{ext}"
    sf.write(path, _noise(rng, frames=4 * RATE), RATE, format=fmt, subtype=subtype)
    _truncate(path)
    _raises(AudioFormatError, path, "truncated|could not be decoded")
    with pytest.raises(AudioFormatError, match="truncated|could not be decoded"):
        for _ in blocks(path, block_seconds=0.5):
            pass


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_samples_in_a_float_file(tmp_path, rng, bad):
    x = _noise(rng)
    x[RATE // 2, 1] = bad
    path = tmp_path / "nan.wav"
    sf.write(path, x, RATE, subtype="FLOAT")
    message = _raises(AudioFormatError, path, "NaN or infinite")
    assert "0.500 s" in message
    with pytest.raises(AudioFormatError, match="NaN or infinite"):
        list(blocks(path, block_seconds=0.1))


@pytest.mark.parametrize("rate", [1, 5_000_000])
def test_absurd_sample_rate_in_the_header(tmp_path, rng, rate):
    path = tmp_path / "rate.wav"
    sf.write(path, _noise(rng, frames=1000), RATE, subtype="PCM_16")
    data = bytearray(path.read_bytes())
    assert data[12:16] == b"fmt " and struct.unpack("<I", data[24:28])[0] == RATE
    data[24:28] = struct.pack("<I", rate)
    path.write_bytes(bytes(data))
    _raises(AudioFormatError, path, "sample rate", call=info)


def test_bad_load_parameters_name_the_parameter(tmp_path, rng):
    path = tmp_path / "ok.wav"
    sf.write(path, _noise(rng), RATE)
    with pytest.raises(ParameterError, match="start"):
        load(path, start=2.0)
    with pytest.raises(ParameterError, match="start"):
        load(path, start=-1)
    with pytest.raises(ParameterError, match="duration"):
        load(path, duration=float("nan"))
    with pytest.raises(ParameterError, match="sample_rate"):
        load(path, sample_rate=10)
    with pytest.raises(ParameterError, match="block_seconds"):
        blocks(path, block_seconds=0)


def test_reading_never_changes_the_file(tmp_path, rng):
    path = tmp_path / "keep.flac"
    sf.write(path, _noise(rng), RATE, subtype="PCM_24")
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    load(path)
    list(blocks(path, block_seconds=0.1, overlap_seconds=0.01))
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


def test_load_part_mono_and_resample(tmp_path, rng):
    x = _noise(rng)
    path = tmp_path / "x.wav"
    sf.write(path, x, RATE, subtype="FLOAT")
    a = load(path, start=0.25, duration=0.5)
    np.testing.assert_array_equal(a.samples, x[RATE // 4: 3 * RATE // 4].T)
    assert a.source == path
    assert load(path, mono=True).channels == 1
    b = load(path, sample_rate=22050)
    assert b.sample_rate == 22050 and abs(b.frames - 22050) <= 1


def test_info_reports_the_header(tmp_path, rng):
    path = tmp_path / "x.flac"
    sf.write(path, _noise(rng, frames=22050, channels=1), 22050, subtype="PCM_24")
    meta = info(path)
    assert (meta.format, meta.subtype, meta.bits) == ("FLAC", "PCM_24", 24)
    assert (meta.sample_rate, meta.channels, meta.frames, meta.duration) == (22050, 1, 22050,
                                                                            1.0)
    assert not meta.lossy and not meta.is_float


@pytest.mark.parametrize("block_seconds,overlap_seconds", [(0.1, 0.0), (0.07, 0.013),
                                                            (1.0, 0.5), (5.0, 1.0)])
@pytest.mark.parametrize("ext,subtype", [("wav", "FLOAT"), ("flac", "PCM_16"),
                                         ("ogg", "VORBIS")])
def test_blocks_reassemble_the_file_exactly(tmp_path, rng, ext, subtype, block_seconds,
                                            overlap_seconds):
    path = tmp_path / f"x.{ext}"
    sf.write(path, _noise(rng, frames=RATE + 123), RATE, subtype=subtype)
    whole = load(path).samples
    pieces = list(blocks(path, block_seconds=block_seconds, overlap_seconds=overlap_seconds))
    np.testing.assert_array_equal(np.concatenate([b.core_samples for b in pieces], axis=1),
                                  whole)
    context = round(overlap_seconds * RATE)
    for block in pieces:
        np.testing.assert_array_equal(
            block.audio.samples, whole[:, block.start: block.start + block.audio.frames])
        core_start = block.start + block.core.start
        assert block.core.start == min(context, core_start)
        assert [b.index for b in pieces] == list(range(len(pieces)))


@pytest.mark.shared_data
def test_real_mp3_transfers_read_completely(shared_data):
    path = sorted((shared_data / "real78").glob("*.mp3"))[0]
    meta = info(path)
    total = sum(b.core.stop - b.core.start for b in blocks(path, block_seconds=10.0))
    assert total == meta.frames and meta.lossy
