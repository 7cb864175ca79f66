"""What a file's header promises, read without libsndfile.

libsndfile quietly shortens a truncated WAV or AIFF to the frames that are really there,
so the only way to notice a cut-off transfer is to read the length the header declares
and compare it with the data on disk. These parsers read just the chunk headers
(RIFF/RF64: Microsoft & IBM 1991 and EBU Tech 3306; AIFF: Apple 1989).
"""

from __future__ import annotations

import struct
from pathlib import Path

__all__ = ["declared_data_bytes"]

# Writers that stream (recorders, pipes) leave these placeholders for "unknown length".
_UNKNOWN_SIZES = {0, 0xFFFFFFFF}


def declared_data_bytes(path: Path) -> tuple[int, int] | None:
    """Return ``(declared, available)`` sizes of the audio data chunk in bytes.

    ``declared`` is what the header says; ``available`` is what the file holds after the
    chunk's start. Returns ``None`` for formats other than WAV/RF64/AIFF, or when the
    header declares an unknown length, or when it cannot be parsed (libsndfile then
    gets to say what is wrong).
    """
    try:
        with open(path, "rb") as f:
            head = f.read(12)
            size = path.stat().st_size
            if len(head) < 12:
                return None
            if head[:4] in (b"RIFF", b"RF64") and head[8:12] == b"WAVE":
                return _riff_data(f, size, rf64=head[:4] == b"RF64")
            if head[:4] == b"FORM" and head[8:12] in (b"AIFF", b"AIFC"):
                return _aiff_data(f, size)
    except OSError:
        return None
    return None


def _chunks(f, size: int, *, big_endian: bool):
    """Yield ``(chunk_id, chunk_size, data_offset)`` for each chunk after the 12-byte head."""
    fmt = ">4sI" if big_endian else "<4sI"
    pos = 12
    while pos + 8 <= size:
        f.seek(pos)
        chunk_id, chunk_size = struct.unpack(fmt, f.read(8))
        yield chunk_id, chunk_size, pos + 8
        pos += 8 + chunk_size + (chunk_size & 1)  # chunks are padded to even length


def _riff_data(f, size: int, *, rf64: bool) -> tuple[int, int] | None:
    data64 = None
    for chunk_id, chunk_size, offset in _chunks(f, size, big_endian=False):
        if chunk_id == b"ds64" and rf64:
            f.seek(offset)
            # ds64: riffSize (8 bytes), dataSize (8 bytes), sampleCount (8 bytes), ...
            _, data64 = struct.unpack("<QQ", f.read(16))
        elif chunk_id == b"data":
            declared = data64 if (rf64 and chunk_size == 0xFFFFFFFF) else chunk_size
            if declared is None or declared in _UNKNOWN_SIZES:
                return None
            return declared, size - offset
    return None


def _aiff_data(f, size: int) -> tuple[int, int] | None:
    for chunk_id, chunk_size, offset in _chunks(f, size, big_endian=True):
        if chunk_id == b"SSND":
            # SSND starts with two 4-byte fields (offset, blockSize) before the samples.
            declared = chunk_size - 8
            if chunk_size in _UNKNOWN_SIZES or declared <= 0:
                return None
            return declared, size - offset - 8
    return None
