"""Programme loudness in LUFS, as ITU-R BS.1770-4 defines it.

The measurement has four steps (BS.1770-4, Annex 1):

1. K-weighting: each channel goes through a high-shelf "pre-filter" (+4 dB above about
   1.5 kHz, the acoustic effect of the head) and the "RLB" high-pass (below about 40 Hz).
2. Mean square of the weighted signal over 400 ms gating blocks that overlap by 75 %
   (one block starts every 100 ms).
3. Block loudness ``-0.691 + 10 log10(sum_i G_i z_i)`` with channel weights ``G`` of 1.0
   for left, right and centre and 1.41 for the two surround channels; the −0.691 dB
   makes a 1 kHz sine read its own RMS level, so a 0 dBFS sine in one channel reads
   −3.01 LUFS.
4. Gating: blocks at or below −70 LUFS (absolute gate) are dropped, then blocks more
   than 10 LU below the loudness of those that remain (relative gate); the loudness of
   the survivors is the integrated loudness.

The K-weighting biquads are Brecht De Man's parametrisation of the standard's tables,
which reproduces BS.1770-4 Tables 1 and 2 to every printed digit at 48 kHz and holds the
same analogue response at any other rate (pyloudnorm's ``filter_class="DeMan"``).
"""

from __future__ import annotations

import warnings

import numpy as np

from restorekit.audio import check_sample_rate
from restorekit.dsp.arrays import as_channels
from restorekit.errors import ParameterError

__all__ = ["integrated_loudness", "LoudnessMeter", "k_weighting_sos"]

# BS.1770-4 channel weights G_i in the order L, R, C, Ls, Rs (the LFE is not measured).
_CHANNEL_WEIGHTS = (1.0, 1.0, 1.0, 1.41, 1.41)
_ABSOLUTE_GATE_LUFS = -70.0
_RELATIVE_GATE_LU = -10.0
_BLOCK_SECONDS = 0.4
# Below this the pre-filter's shelf (1.7 kHz) crowds the Nyquist frequency and the
# bilinear design stops meaning what the standard means.
_MIN_SAMPLE_RATE = 8_000

# De Man's fit of the 48 kHz coefficients (https://github.com/BrechtDeMan/loudness.py).
_SHELF_GAIN_DB = 3.99984385397
_SHELF_Q = 0.7071752369554193
_SHELF_HZ = 1681.9744509555319
_SHELF_MID_EXPONENT = 0.499666774155
_HIGHPASS_Q = 0.5003270373253953
_HIGHPASS_HZ = 38.13547087613982


def k_weighting_sos(*, sample_rate: int) -> np.ndarray:
    """The BS.1770-4 K-weighting filter as two second-order sections.

    Parameters
    ----------
    sample_rate : int
        Samples per second, at least 8 kHz.

    Returns
    -------
    numpy.ndarray
        ``(2, 6)`` array for :func:`scipy.signal.sosfilt`: the pre-filter (high shelf),
        then the RLB high-pass. At 48 kHz these are BS.1770-4 Tables 1 and 2.
    """
    rate = check_sample_rate(sample_rate)
    if rate < _MIN_SAMPLE_RATE:
        raise ParameterError(f"sample_rate must be at least {_MIN_SAMPLE_RATE} Hz to "
                             f"measure loudness (K-weighting shelves at 1.7 kHz), got "
                             f"{rate} Hz.")
    # Bilinear-transform frequency warping: tan(pi f / fs) is the prewarped analogue f.
    k = np.tan(np.pi * _SHELF_HZ / rate)
    high = 10.0 ** (_SHELF_GAIN_DB / 20.0)
    mid = high ** _SHELF_MID_EXPONENT
    norm = 1.0 + k / _SHELF_Q + k * k
    shelf = [(high + mid * k / _SHELF_Q + k * k) / norm, 2.0 * (k * k - high) / norm,
             (high - mid * k / _SHELF_Q + k * k) / norm,
             1.0, 2.0 * (k * k - 1.0) / norm, (1.0 - k / _SHELF_Q + k * k) / norm]
    k = np.tan(np.pi * _HIGHPASS_HZ / rate)
    norm = 1.0 + k / _HIGHPASS_Q + k * k
    highpass = [1.0, -2.0, 1.0,
                1.0, 2.0 * (k * k - 1.0) / norm, (1.0 - k / _HIGHPASS_Q + k * k) / norm]
    return np.array([shelf, highpass])


def _power_to_lufs(power: np.ndarray | float) -> np.ndarray:
    """BS.1770-4 eq. 4: ``-0.691 + 10 log10(power)``, −inf for zero power."""
    power = np.asarray(power, dtype=np.float64)
    level = np.full(power.shape, -np.inf)
    np.log10(power, out=level, where=power > 0)
    return -0.691 + 10.0 * level


def _gated_loudness(block_powers: np.ndarray) -> float:
    """Integrated loudness from the channel-weighted mean square of each block (eq. 7)."""
    if block_powers.size == 0:
        return -np.inf
    loudness = _power_to_lufs(block_powers)
    kept = loudness > _ABSOLUTE_GATE_LUFS
    if not kept.any():
        return -np.inf
    relative_gate = _power_to_lufs(block_powers[kept].mean()) + _RELATIVE_GATE_LU
    kept &= loudness > relative_gate
    return float(_power_to_lufs(block_powers[kept].mean()))


def _check_channel_count(channels: int) -> None:
    if not 1 <= channels <= len(_CHANNEL_WEIGHTS):
        raise ParameterError(f"loudness is defined for 1 to {len(_CHANNEL_WEIGHTS)} "
                             f"channels (L, R, C, Ls, Rs), got {channels}.")


def integrated_loudness(samples: np.ndarray, *, sample_rate: int) -> float:
    """Integrated, gated loudness in LUFS (ITU-R BS.1770-4), measured by pyloudnorm.

    Parameters
    ----------
    samples : numpy.ndarray
        Finite samples shaped ``(channels, frames)``, or 1-D for one channel; up to five
        channels in the order L, R, C, Ls, Rs (weights 1, 1, 1, 1.41, 1.41).
    sample_rate : int
        Samples per second, at least 8 kHz.

    Returns
    -------
    float
        Loudness in LUFS, or ``-inf`` when there is nothing to measure: audio shorter
        than one 400 ms gating block, or with no block above the −70 LUFS absolute gate
        (silence included).

    See Also
    --------
    LoudnessMeter : the same measurement on a stream of blocks.

    Examples
    --------
    >>> import numpy as np
    >>> t = np.arange(48000) / 48000
    >>> round(integrated_loudness(np.sin(2 * np.pi * 1000 * t), sample_rate=48000), 2)
    -3.0
    """
    import pyloudnorm  # imported here: it pulls in scipy.signal, which is slow to load

    x = as_channels(samples)
    rate = check_sample_rate(sample_rate)
    k_weighting_sos(sample_rate=rate)  # refuses rates too low to K-weight
    _check_channel_count(x.shape[0])
    # pyloudnorm refuses audio shorter than a block rather than returning a level.
    if x.shape[1] < _BLOCK_SECONDS * rate:
        return -np.inf
    meter = pyloudnorm.Meter(rate, filter_class="DeMan")
    # pyloudnorm takes log10(0) and means of empty lists on silence; its answer (-inf)
    # is right, so its warnings are noise here.
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        return float(meter.integrated_loudness(x.T))


class LoudnessMeter:
    """Streaming integrated loudness (ITU-R BS.1770-4) for long signals.

    Feed blocks of any length to :meth:`process` and read :meth:`integrated` at any time.
    The K-weighting filters keep their state from one block to the next, and gating
    blocks that straddle two input blocks are completed when the second arrives, so the
    result does not depend on how the signal was cut. It agrees with
    :func:`integrated_loudness` except that only complete 400 ms blocks count (as
    BS.1770 and libebur128 do); pyloudnorm may also count a final partial block, which
    can move a few-second measurement by a few hundredths of an LU.

    Parameters
    ----------
    sample_rate : int
        Samples per second, at least 8 kHz.
    channels : int
        Channels in every block, 1 to 5 in the order L, R, C, Ls, Rs.

    Examples
    --------
    >>> import numpy as np
    >>> meter = LoudnessMeter(sample_rate=48000, channels=2)
    >>> t = np.arange(48000) / 48000
    >>> sine = np.sin(2 * np.pi * 1000 * t)
    >>> meter.process(np.stack([sine, sine]))
    >>> round(meter.integrated(), 1)
    0.0
    """

    def __init__(self, *, sample_rate: int, channels: int) -> None:
        self.sample_rate = check_sample_rate(sample_rate)
        if isinstance(channels, bool) or not isinstance(channels, (int, np.integer)):
            raise ParameterError(f"channels must be an integer from 1 to "
                                 f"{len(_CHANNEL_WEIGHTS)}, got {channels!r}.")
        _check_channel_count(channels)
        self.channels = int(channels)
        self._sos = k_weighting_sos(sample_rate=self.sample_rate)
        self._weights = np.array(_CHANNEL_WEIGHTS[: self.channels])
        self._state = np.zeros((self._sos.shape[0], self.channels, 2))
        self._block_length = 4 * self.sample_rate // 10
        # Weighted squared samples not yet used up by a gating block, and where they start.
        self._pending = np.zeros(0)
        self._pending_start = 0
        self._next_block = 0
        self._block_powers: list[float] = []

    def _block_start(self, index: int) -> int:
        # Blocks start every 100 ms, rounded down to whole frames (exact when the rate
        # is a multiple of 10 Hz).
        return index * self.sample_rate // 10

    def process(self, block: np.ndarray) -> None:
        """Take the next ``(channels, frames)`` block (1-D when there is one channel)."""
        from scipy.signal import sosfilt  # imported here: scipy.signal is slow to import

        x = as_channels(block, name="block", channels=self.channels)
        if x.shape[1] == 0:
            return
        weighted, self._state = sosfilt(self._sos, x, axis=1, zi=self._state)
        # Only the G-weighted sum over channels is ever gated (eq. 4 to 7), so sum now.
        self._pending = np.concatenate([self._pending, self._weights @ weighted**2])
        received = self._pending_start + self._pending.size
        while self._block_start(self._next_block) + self._block_length <= received:
            offset = self._block_start(self._next_block) - self._pending_start
            block_sum = self._pending[offset : offset + self._block_length].sum()
            self._block_powers.append(block_sum / self._block_length)
            self._next_block += 1
        used = self._block_start(self._next_block) - self._pending_start
        self._pending = self._pending[used:]
        self._pending_start += used

    def integrated(self) -> float:
        """Integrated loudness so far in LUFS; ``-inf`` before the first full block
        and while nothing has passed the −70 LUFS absolute gate."""
        return _gated_loudness(np.array(self._block_powers))
