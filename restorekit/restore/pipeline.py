"""Streaming a chain stage by stage, each stage with only the context it needs.

Cutting a file into blocks and giving every block the context of the whole chain costs
that context once per stage: a hum filter's five seconds either side, paid again by the
declicker and the hiss reducer on every block. Here each stage reads the stream the
stage before it writes, keeps a buffer of its own context, and hands on restored blocks
as soon as it has seen far enough ahead (demucs's chunked apply, turned into a pipe).
Memory holds a block and a few contexts per stage; work is one pass per stage plus its
own, small, overlap.

Every window is restored with its ``offset`` in the file (see
:meth:`~restorekit.restore.base.Restorer.restore`), so the output is the whole-file
result whatever the block size.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from restorekit.audio import Audio
from restorekit.restore.base import Chain, Restorer

__all__ = ["stages_of", "run_stage", "Chunk"]

Chunk = tuple[int, np.ndarray]  # (first frame in the file, samples (channels, frames))


def stages_of(restorer: Restorer) -> list[Restorer]:
    """The restorers a pipeline runs one after another: a chain's stages, flattened.

    A chain with a ``mix`` below 1 is kept whole (its blend needs its own input).
    """
    if isinstance(restorer, Chain) and restorer.mix == 1.0:
        return [s for r in restorer.restorers for s in stages_of(r)]
    return [restorer]


def run_stage(restorer: Restorer, chunks: Iterator[Chunk], *, sample_rate: int,
              block: int, impulses: list[int]) -> Iterator[Chunk]:
    """Restore a stream of consecutive chunks with one restorer; yield consecutive chunks.

    Each window restored extends the restorer's :meth:`~Restorer.reach` beyond the
    ``block`` frames it hands on; ``impulses`` gets the count of events repaired in each block.
    """
    reach = restorer.reach(sample_rate)
    buffer = np.zeros((0, 0), dtype=np.float32)
    first = 0  # file frame of buffer[:, 0]
    done = 0  # file frames handed on so far
    ended = False
    while True:
        if not ended:
            try:
                start, samples = next(chunks)
            except StopIteration:
                ended = True
            else:
                buffer = samples if buffer.size == 0 else np.concatenate(
                    [buffer, samples], axis=1)
                if buffer is samples:
                    first = start
        end = first + buffer.shape[1]  # file frames seen so far
        while done < end and (ended or end - done >= block + reach):
            stop = min(done + block, end)
            lo, hi = max(first, done - reach), min(end, stop + reach)
            window = Audio(buffer[:, lo - first: hi - first], sample_rate)
            result = restorer.restore(window, offset=lo)
            positions = result.events.position + lo
            impulses.append(int(np.count_nonzero((positions >= done) & (positions < stop))))
            yield done, result.audio.samples[:, done - lo: stop - lo]
            done = stop
            # what no later window reaches back to can go
            drop = max(0, done - reach - first)
            buffer, first = buffer[:, drop:], first + drop
        if ended:
            return
