"""Requantisation to integer sample codes, with triangular (TPDF) dither.

Rounding a signal to a coarser grid makes an error that follows the signal: a quiet
fade turns into a buzz, then into silence. Adding, before rounding, noise with a
triangular probability density spanning ±1 LSB (the sum of two independent uniform
variables of 1 LSB width) makes the first and second moments of the total error
independent of the signal (Vanderkooy & Lipshitz 1987; Wannamaker, Lipshitz, Vanderkooy
& Wright 2000). The error is then a steady hiss of power

    LSB²/12 (rounding) + LSB²/6 (dither) = LSB²/4,

4.77 dB above undithered rounding noise, and signals well below 1 LSB stay audible in it.
Codes are signed integers ``k`` meaning the value ``k / 2**(bits - 1)``, so full scale
is ``-2**(bits-1) … 2**(bits-1) - 1`` as in WAV and FLAC.

References
----------
J. Vanderkooy and S. P. Lipshitz, "Dither in digital audio", J. Audio Eng. Soc. 35(12),
1987. R. A. Wannamaker et al., "A theory of nonsubtractive dither", IEEE Trans. Signal
Processing 48(2), 2000.
"""

from __future__ import annotations

import numpy as np

from restorekit.errors import ParameterError

__all__ = ["tpdf_dither", "tpdf_at", "quantize", "on_grid", "SUPPORTED_BITS"]

SUPPORTED_BITS = (8, 16, 24, 32)


def _check_bits(bits: object) -> int:
    if isinstance(bits, bool) or bits not in SUPPORTED_BITS:
        raise ParameterError(f"bits must be one of {SUPPORTED_BITS}, got {bits!r}.")
    return int(bits)


def _check_rng(rng: object) -> np.random.Generator:
    if not isinstance(rng, np.random.Generator):
        raise ParameterError(f"rng must be a numpy.random.Generator (see "
                             f"restorekit.random.make_rng), got {rng!r}.")
    return rng


def _finite_float64(samples: object) -> np.ndarray:
    x = np.asarray(samples, dtype=np.float64)
    if not np.isfinite(x).all():
        raise ParameterError("samples hold NaN or infinite values; every sample must be "
                             "finite to be quantised.")
    return x


def tpdf_dither(samples: np.ndarray, *, bits: int, rng: np.random.Generator) -> np.ndarray:
    """Add triangular-PDF dither of ±1 LSB peak for a ``bits``-bit grid.

    Parameters
    ----------
    samples : numpy.ndarray
        Finite samples of any shape, full scale ±1.
    bits : int
        Target bit depth, one of 8, 16, 24, 32; one LSB is ``2**-(bits - 1)``.
    rng : numpy.random.Generator
        Source of the dither noise.

    Returns
    -------
    numpy.ndarray
        float64 samples plus noise of variance ``LSB**2 / 6``; the input is untouched.
    """
    lsb = 2.0 ** -(_check_bits(bits) - 1)
    x = _finite_float64(samples)
    return x + _check_rng(rng).triangular(-lsb, 0.0, lsb, size=x.shape)


def _splitmix64(z: np.ndarray) -> np.ndarray:
    """Steele, Lea & Flood's SplitMix64 finaliser: a bijective scramble of 64-bit keys."""
    z = z + np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def tpdf_at(first_frame: int, *, channels: int, frames: int, bits: int,
            seed: int = 0) -> np.ndarray:
    """TPDF dither for frames ``first_frame ...`` of a stream, the same however it is cut.

    A generator's draws depend on how many were taken before; a file written block by
    block would then get different dither for each block size. Here each sample's
    noise is a hash of its frame number, channel and ``seed`` (SplitMix64; Steele, Lea
    & Flood 2014), so it depends on nothing else.

    Returns
    -------
    numpy.ndarray
        float64 noise shaped (channels, frames), triangular on ±1 LSB of ``bits``.
    """
    lsb = 2.0 ** -(_check_bits(bits) - 1)
    frame = np.arange(first_frame, first_frame + frames, dtype=np.uint64)
    key = (frame[None, :] * np.uint64(2 * channels)
           + np.arange(channels, dtype=np.uint64)[:, None] * np.uint64(2))
    key = key + np.uint64(seed) * np.uint64(0xD1B54A32D192ED03)
    # two independent uniforms per sample, from the top 53 bits of two hashes
    u = [(_splitmix64(key + np.uint64(i)) >> np.uint64(11)) * 2.0 ** -53 for i in (0, 1)]
    return (u[0] - u[1]) * lsb


def quantize(samples: np.ndarray, *, bits: int, dither: bool,
             rng: np.random.Generator | None) -> np.ndarray:
    """Round samples to signed ``bits``-bit integer codes, optionally TPDF-dithered.

    Parameters
    ----------
    samples : numpy.ndarray
        Finite samples of any shape, full scale ±1.
    bits : int
        Target bit depth, one of 8, 16, 24, 32.
    dither : bool
        Add ±1 LSB TPDF dither before rounding (see :func:`tpdf_dither`). Use it
        whenever the bit depth goes down; leave it off only for samples already
        :func:`on_grid`, where rounding changes nothing.
    rng : numpy.random.Generator or None
        Source of the dither noise; required when ``dither`` is True.

    Returns
    -------
    numpy.ndarray
        int32 codes ``round(x * 2**(bits-1))`` of ``samples``' shape, clipped to
        ``[-2**(bits-1), 2**(bits-1) - 1]`` so that full scale never wraps around.

    Examples
    --------
    >>> quantize([0.5, -1.0, 1.0], bits=16, dither=False, rng=None)
    array([ 16384, -32768,  32767], dtype=int32)
    """
    bits = _check_bits(bits)
    if not isinstance(dither, (bool, np.bool_)):
        raise ParameterError(f"dither must be True or False, got {dither!r}.")
    if dither:
        if rng is None:
            raise ParameterError("rng must be a numpy.random.Generator when dither=True; "
                                 "pass one from restorekit.random.make_rng.")
        x = tpdf_dither(samples, bits=bits, rng=rng)
    else:
        x = _finite_float64(samples)
    scale = 2.0 ** (bits - 1)
    return np.clip(np.rint(x * scale), -scale, scale - 1).astype(np.int32)


def on_grid(samples: np.ndarray, *, bits: int) -> bool:
    """True when every sample is already a ``bits``-bit code, ``k / 2**(bits - 1)``.

    Such samples survive :func:`quantize` unchanged without dither, so a writer can skip
    requantising audio that came from a file of that depth or lower.

    Parameters
    ----------
    samples : numpy.ndarray
        Samples of any shape and float type.
    bits : int
        Bit depth to test against, one of 8, 16, 24, 32.

    Returns
    -------
    bool
        False if any sample is off the grid, outside ``[-1, 1 - LSB]``, or not finite.

    Examples
    --------
    >>> on_grid([0.5, -1.0, 0.25], bits=16), on_grid([1.0], bits=16)
    (True, False)
    """
    scale = 2.0 ** (_check_bits(bits) - 1)
    x = np.asarray(samples)
    if x.size == 0:
        return True
    # Scaling by a power of two is exact in binary floating point, so the test is too.
    codes = x * scale
    return bool(np.all(codes == np.rint(codes))
                and codes.min() >= -scale and codes.max() <= scale - 1)
