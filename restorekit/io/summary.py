"""Level statistics of a file of any length, read once in chunks: ``summarize``.

This is what ``restorekit info`` prints. Unlike :func:`restorekit.io.load` it does not
refuse a file with NaN or infinite samples: it counts them, because finding them is the
point of looking.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass

import numpy as np

from restorekit.dsp import LoudnessMeter, TruePeakMeter
from restorekit.dsp.units import amplitude_to_db
from restorekit.errors import ParameterError
from restorekit.io.read import AudioInfo, info, read_chunks

__all__ = ["FileSummary", "summarize"]


@dataclass(frozen=True)
class FileSummary:
    """Header facts plus level statistics of one file.

    Attributes
    ----------
    info : AudioInfo
    sample_peak, true_peak : float
        Largest absolute sample, and largest 4x-oversampled value (BS.1770-4 Annex 2),
        over all channels, linear full scale.
    loudness : float
        Integrated loudness in LUFS (BS.1770-4); ``-inf`` for silence, NaN where the
        standard does not define it (more than 5 channels, rates below 8 kHz).
    dc_offset : tuple of float
        Mean of each channel.
    clipped : int
        Samples at full scale (within one LSB of the file's word length).
    nonfinite : int
        NaN or infinite samples (possible only in float files); they count as zero
        in every other statistic.
    """

    info: AudioInfo
    sample_peak: float
    true_peak: float
    loudness: float
    dc_offset: tuple[float, ...]
    clipped: int
    nonfinite: int

    def lines(self) -> list[str]:
        """Human-readable ``name: value`` lines, as ``restorekit info`` prints them."""
        meta = self.info
        depth = f", {meta.bits}-bit" if meta.bits else ""
        dc = ", ".join(f"{x:+.6f}" for x in self.dc_offset)
        if math.isnan(self.loudness):
            loudness = "n/a (BS.1770 covers up to 5 channels at 8 kHz or more)"
        elif math.isinf(self.loudness):
            loudness = "-inf LUFS (silent, or shorter than one 0.4 s gating block)"
        else:
            loudness = f"{self.loudness:.2f} LUFS (integrated)"
        return [
            f"{meta.path}",
            f"  format:       {meta.format} / {meta.subtype}{depth}",
            f"  sample rate:  {meta.sample_rate} Hz",
            f"  channels:     {meta.channels}",
            f"  duration:     {meta.duration:.3f} s ({meta.frames} frames)",
            f"  sample peak:  {amplitude_to_db(self.sample_peak, floor_db=-math.inf):.2f} dBFS",
            f"  true peak:    {amplitude_to_db(self.true_peak, floor_db=-math.inf):.2f} dBTP",
            f"  loudness:     {loudness}",
            f"  DC offset:    {dc}",
            f"  clipped:      {self.clipped} samples",
            f"  non-finite:   {self.nonfinite} samples",
        ]


def summarize(path: str | os.PathLike, *, chunk_seconds: float = 10.0) -> FileSummary:
    """Measure a file's peaks, loudness, DC offset, clipping and non-finite samples.

    Parameters
    ----------
    path : str or os.PathLike
    chunk_seconds : float
        How much is decoded at a time; memory use is bounded by it, not by the file.

    Returns
    -------
    FileSummary
    """
    meta = info(path)
    lsb = 2.0 ** (1 - meta.bits) if meta.bits and not meta.is_float else 0.0
    full_scale = 1.0 - lsb
    peaks = TruePeakMeter(sample_rate=meta.sample_rate, channels=meta.channels)
    try:
        loudness = LoudnessMeter(sample_rate=meta.sample_rate, channels=meta.channels)
    except ParameterError:  # BS.1770 weights at most 5 channels and needs >= 8 kHz
        loudness = None
    sums = np.zeros(meta.channels)
    sample_peak, clipped, nonfinite = 0.0, 0, 0
    chunk_frames = max(1, round(chunk_seconds * meta.sample_rate))
    for chunk in read_chunks(meta, chunk_frames=chunk_frames):
        finite = np.isfinite(chunk)
        if not finite.all():
            nonfinite += int(chunk.size - np.count_nonzero(finite))
            chunk = np.where(finite, chunk, 0.0).astype(np.float32)
        magnitude = np.abs(chunk)
        sample_peak = max(sample_peak, float(magnitude.max()))
        clipped += int(np.count_nonzero(magnitude >= full_scale))
        sums += chunk.sum(axis=1, dtype=np.float64)
        peaks.process(chunk)
        if loudness is not None:
            loudness.process(chunk)
    return FileSummary(info=meta, sample_peak=sample_peak, true_peak=peaks.true_peak,
                       loudness=math.nan if loudness is None else loudness.integrated(),
                       dc_offset=tuple(float(s / meta.frames) for s in sums),
                       clipped=clipped, nonfinite=nonfinite)
