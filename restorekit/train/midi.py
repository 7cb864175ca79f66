"""Notes to a Standard MIDI File, and a seeded drum-kit part to play beside them.

The corpus renderer (:mod:`restorekit.train.corpus`) takes note lists out of music21
scores, assigns each part a General MIDI program and writes the file here, so that the
tempo, the programs and the drum part are ours to choose, not whatever instruments a
score's encoder happened to name. The format is the 1988 MIDI 1.0 file specification
(format 0: one track, all channels), which FluidSynth renders directly.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = ["Note", "drum_part", "write_midi", "DRUM_CHANNEL"]

#: General MIDI reserves channel 10 (9 counted from 0) for the percussion kit.
DRUM_CHANNEL = 9
_TICKS = 480  # per quarter note
_KICK, _SNARE, _HAT, _OPEN_HAT, _CRASH, _RIDE = 36, 38, 42, 46, 49, 51
_TOMS = (45, 47, 50)


@dataclass(frozen=True)
class Note:
    """One note: start and length in quarter notes, MIDI pitch, velocity, channel."""

    start: float
    length: float
    pitch: int
    velocity: int
    channel: int


def drum_part(beats: float, *, rng: np.random.Generator, beats_per_bar: int = 4,
              swing: float = 0.0) -> list[Note]:
    """A drum-kit accompaniment ``beats`` quarter notes long, drawn from ``rng``.

    Kick on the first and third beats, snare on the backbeats, closed hi-hat on the
    eighths (``swing`` delays the off-beat eighths by that fraction of an eighth), a
    crash every eighth bar and a tom fill before it, all with drawn velocities. It is
    there for what it teaches a denoiser: sharp, broadband, musical transients that look
    much like clicks and must survive restoration.
    """
    notes: list[Note] = []

    def hit(at: float, pitch: int, low: int, high: int) -> None:
        if at < beats:
            notes.append(Note(at, 0.25, pitch, int(rng.integers(low, high)), DRUM_CHANNEL))

    bars = int(np.ceil(beats / beats_per_bar))
    for bar in range(bars):
        top = bar * beats_per_bar
        fill = bar % 8 == 7 and rng.random() < 0.7
        if bar % 8 == 0:
            hit(top, _CRASH, 80, 115)
        for beat in range(beats_per_bar):
            at = top + beat
            if fill and beat >= beats_per_bar - 2:
                for k in range(4):
                    hit(at + k / 4, _TOMS[int(rng.integers(len(_TOMS)))], 70, 120)
                continue
            if beat % 2 == 0:
                hit(at, _KICK, 85, 120)
            else:
                hit(at, _SNARE, 80, 120)
            if rng.random() < 0.15:
                hit(at + 0.75, _SNARE, 25, 50)  # a ghost note
            cymbal = _RIDE if bar % 16 >= 8 else _HAT
            hit(at, cymbal, 50, 90)
            hit(at + 0.5 + swing / 2, _OPEN_HAT if rng.random() < 0.1 else cymbal, 35, 75)
    return notes


def _varlen(value: int) -> bytes:
    """A MIDI variable-length quantity: 7 bits a byte, the high bit meaning 'more'."""
    out = [value & 0x7F]
    value >>= 7
    while value:
        out.append(0x80 | (value & 0x7F))
        value >>= 7
    return bytes(reversed(out))


def write_midi(path: Path, notes: list[Note], *, programs: dict[int, int],
               bpm: float) -> None:
    """Write ``notes`` to ``path`` as a format-0 Standard MIDI File.

    Parameters
    ----------
    path : Path
    notes : list of Note
    programs : dict
        General MIDI program (0-127) of each melodic channel.
    bpm : float
        Tempo, quarter notes per minute.
    """
    events: list[tuple[int, int, bytes]] = []  # (tick, order, bytes): offs before ons
    for n in notes:
        on = int(round(n.start * _TICKS))
        off = max(on + 1, int(round((n.start + n.length) * _TICKS)))
        events.append((on, 1, bytes([0x90 | n.channel, n.pitch, max(1, n.velocity)])))
        events.append((off, 0, bytes([0x80 | n.channel, n.pitch, 0])))
    events.sort(key=lambda e: (e[0], e[1]))
    tempo = int(round(60e6 / bpm))
    track = bytearray(b"\x00\xff\x51\x03" + tempo.to_bytes(3, "big"))
    for channel, program in sorted(programs.items()):
        track += b"\x00" + bytes([0xC0 | channel, program])
    now = 0
    for tick, _, data in events:
        track += _varlen(tick - now) + data
        now = tick
    track += b"\x00\xff\x2f\x00"
    header = b"MThd" + struct.pack(">IHHH", 6, 0, 1, _TICKS)
    Path(path).write_bytes(header + b"MTrk" + struct.pack(">I", len(track)) + bytes(track))
