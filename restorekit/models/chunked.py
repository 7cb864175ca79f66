"""One chunked overlap-add inference routine, shared by every model.

A model sees a long recording as chunks of ``chunk`` frames. Of each chunk's output,
``margin`` frames at either end are thrown away (weight 0): a model with a receptive field
of at most ``margin`` frames has seen, everywhere else, exactly what it would have seen in
the whole recording. Between the margins the weight rises linearly over ``overlap``
frames, stays flat, and falls again, and the next chunk's rise lies under this one's fall;
the weighted outputs are added and divided by the summed weights, so every frame is a
convex blend of the chunks that saw it (Demucs's ``apply_model`` crossfades the same way,
without the margins, so its seams carry a little of each chunk's edge effect).

For a model with strided layers (a U-Net), give ``chunk``, ``margin`` and ``overlap`` as
multiples of its total stride: every chunk then starts on the same phase of its
downsampling as the whole recording would, and chunked output equals whole-recording
output to rounding, away from the recording's own two ends.

Memory grows with ``chunk * batch``, not with the recording.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch

from restorekit.errors import ParameterError

__all__ = ["apply_chunked", "crossfade_window"]


def crossfade_window(chunk: int, overlap: int, margin: int = 0) -> torch.Tensor:
    """Weights of one chunk: 0 over ``margin``, a linear rise over ``overlap``, flat, and
    the same backwards."""
    window = torch.ones(chunk, dtype=torch.float64)
    if overlap:
        ramp = (torch.arange(overlap, dtype=torch.float64) + 0.5) / overlap
        window[margin: margin + overlap] = ramp
        window[chunk - margin - overlap: chunk - margin] = ramp.flip(0)
    if margin:
        window[:margin] = 0.0
        window[chunk - margin:] = 0.0
    return window


def apply_chunked(model: Callable[[torch.Tensor], torch.Tensor], samples: np.ndarray, *,
                  chunk: int, overlap: int, margin: int = 0, batch: int = 4,
                  device: str | torch.device = "cpu", progress: bool = False) -> np.ndarray:
    """Run ``model`` over ``samples`` (channels, frames) in overlapping chunks.

    Parameters
    ----------
    model : callable
        Maps a float32 tensor (batch, channels, chunk) to (batch, any channels, chunk).
    samples : numpy.ndarray
        (channels, frames), any length.
    chunk : int
        Frames per chunk.
    overlap : int
        Frames over which one chunk's output fades into the next's.
    margin : int
        Frames discarded at each end of every chunk (the model's receptive field).
    batch : int
        Chunks per model call.
    device : str or torch.device
    progress : bool
        Show a progress bar over the chunks.

    Returns
    -------
    numpy.ndarray
        float32, (the model's output channels, frames).
    """
    if samples.ndim != 2:
        raise ParameterError(f"apply_chunked takes (channels, frames), got {samples.shape}.")
    if not (chunk > 0 and overlap >= 0 and margin >= 0 and 2 * (overlap + margin) < chunk):
        raise ParameterError(f"need 2 * (overlap + margin) < chunk, got chunk {chunk}, "
                             f"overlap {overlap}, margin {margin}.")
    channels, frames = samples.shape
    if frames == 0:
        return samples.astype(np.float32)
    hop = chunk - 2 * margin - overlap
    front = margin + overlap  # so the first frame lies where chunk 0 has full weight
    count = max(1, int(np.ceil((front + frames + overlap + margin - chunk) / hop)) + 1)
    total = (count - 1) * hop + chunk
    padded = np.zeros((channels, total), np.float32)
    padded[:, front: front + frames] = samples
    window = crossfade_window(chunk, overlap, margin)
    out = None
    weight = torch.zeros(total, dtype=torch.float64)
    starts = list(range(0, count * hop, hop))
    from tqdm.auto import tqdm

    with torch.inference_mode():
        source = torch.from_numpy(padded)
        for first in tqdm(range(0, len(starts), batch), disable=not progress,
                          desc="chunks", unit="batch"):
            group = starts[first: first + batch]
            x = torch.stack([source[:, s: s + chunk] for s in group]).to(device)
            y = model(x).to("cpu", torch.float64)
            if out is None:
                out = torch.zeros((y.shape[1], total), dtype=torch.float64)
            for s, piece in zip(group, y, strict=True):
                out[:, s: s + chunk] += piece * window
                weight[s: s + chunk] += window
    result = out[:, front: front + frames] / weight[front: front + frames]
    return result.numpy().astype(np.float32)
