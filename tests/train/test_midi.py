import numpy as np

from restorekit.train.midi import DRUM_CHANNEL, Note, _varlen, drum_part, write_midi


def test_variable_length_quantities_match_the_midi_specification():
    # the examples of the Standard MIDI File 1.0 specification
    assert _varlen(0) == b"\x00"
    assert _varlen(0x40) == b"\x40"
    assert _varlen(0x7F) == b"\x7f"
    assert _varlen(0x80) == b"\x81\x00"
    assert _varlen(0x2000) == b"\xc0\x00"
    assert _varlen(0x0FFFFFFF) == b"\xff\xff\xff\x7f"


def test_drum_part_is_seeded_and_on_the_percussion_channel():
    a = drum_part(32, rng=np.random.default_rng(1))
    b = drum_part(32, rng=np.random.default_rng(1))
    assert a == b and a
    assert {n.channel for n in a} == {DRUM_CHANNEL}
    assert all(0 <= n.start < 32 for n in a)
    assert {36, 38} <= {n.pitch for n in a}  # kick and snare


def test_written_file_has_a_header_and_one_track(tmp_path):
    path = tmp_path / "x.mid"
    write_midi(path, [Note(0, 1, 60, 90, 0), Note(1, 1, 64, 90, 0)], programs={0: 40},
               bpm=120)
    data = path.read_bytes()
    assert data[:4] == b"MThd" and data[14:18] == b"MTrk"
    length = int.from_bytes(data[18:22], "big")
    assert len(data) == 22 + length
    assert data.endswith(b"\xff\x2f\x00")
    assert b"\xc0\x28" in data  # program change to 40 (violin) on channel 1
