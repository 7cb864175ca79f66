"""Reading and writing audio files safely.

- :func:`info` — a file's header, checked (truncation, absurd values).
- :func:`load` — a whole file, or a part, as :class:`~restorekit.audio.Audio`.
- :func:`blocks` — stream a long file in overlapping blocks.
- :func:`save` — atomic, clip-guarded, dithered writes that never touch the input.
- :func:`summarize` — level statistics of a file of any length, streamed.
"""

from restorekit.io.read import AudioInfo, Block, blocks, info, load
from restorekit.io.summary import FileSummary, summarize
from restorekit.io.write import save

__all__ = ["AudioInfo", "Block", "FileSummary", "blocks", "info", "load", "save",
           "summarize"]
