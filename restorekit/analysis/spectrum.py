"""Long-term spectra of a recording, and what they say about its band.

welch_psd      power spectral density by Welch's method, averaged over channels
low_band       the mono mix, decimated to the low band where hum and rumble live
bandwidth      the effective upper band edge: a gentle roll-off (acoustic recording,
               filtered transfers) or a brick wall (lossy codec, resampling)

These are the spectral tools behind :mod:`restorekit.analysis.noise`; every public
function takes :class:`~restorekit.audio.Audio` or an explicit ``sample_rate``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from restorekit.audio import Audio, check_audio
from restorekit.checks import check_number
from restorekit.errors import ParameterError

__all__ = ["welch_psd", "power_db", "mono_mix", "low_band", "BandwidthReport", "bandwidth",
           "check_audio"]

# Power below 1e-30 (-300 dB) reads as -300 dB: finite, so reports stay JSON-friendly.
_POWER_FLOOR = 1e-30
# Welch segments transformed at a time: bounds memory on a long file.
_SEGMENTS_PER_BLOCK = 256


def power_db(power: float | np.ndarray) -> float | np.ndarray:
    """``10 log10(power)``, never below -300 dB (so silence stays finite)."""
    db = 10.0 * np.log10(np.maximum(power, _POWER_FLOOR))
    return float(db) if np.ndim(db) == 0 else db


def mono_mix(audio: Audio) -> np.ndarray:
    """The channel average as a 1-D float32 array (a view for mono audio)."""
    return audio.samples[0] if audio.channels == 1 else audio.samples.mean(axis=0)


def welch_psd(samples: np.ndarray, *, sample_rate: float, n_fft: int,
              pad_factor: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """One-sided power spectral density by Welch's method, averaged over channels.

    The signal is cut into segments of ``n_fft`` samples overlapping by half, each
    weighted by a periodic Hann window; the squared magnitudes of their FFTs are
    averaged (Welch 1967). The density is scaled so that ``psd.sum() * df`` is the mean
    square of the signal, whatever the window or padding.

    Parameters
    ----------
    samples : numpy.ndarray
        ``(frames,)`` or ``(channels, frames)``; float32 input is transformed in float32,
        which is plenty for a spectrum of float32 samples and twice as fast.
    sample_rate : float
        Samples per second (a decimated signal may have a fractional rate).
    n_fft : int
        Segment length; a signal shorter than that is taken as one segment.
    pad_factor : int
        Each segment is zero-padded to ``pad_factor * n_fft`` to sample the spectrum
        more finely (for locating a peak), without narrowing the window's main lobe.

    Returns
    -------
    freqs, psd : numpy.ndarray
        Frequencies in Hz and power per Hz (float64).

    References
    ----------
    P. D. Welch, "The use of fast Fourier transform for the estimation of power spectra",
    IEEE Trans. Audio and Electroacoustics 15 (2), 1967, pp. 70-73.
    """
    import scipy.fft  # faster than numpy.fft and keeps float32 as float32

    x = np.atleast_2d(samples)
    length = min(n_fft, x.shape[-1])
    size = pad_factor * length
    window = (0.5 - 0.5 * np.cos(2 * np.pi * np.arange(length) / length)).astype(x.dtype)
    segments = np.lib.stride_tricks.sliding_window_view(x, length, axis=-1)
    segments = segments[:, :: max(1, length // 2)].reshape(-1, length)
    total = np.zeros(size // 2 + 1)
    for start in range(0, len(segments), _SEGMENTS_PER_BLOCK):
        spectrum = scipy.fft.rfft(segments[start:start + _SEGMENTS_PER_BLOCK] * window,
                                  n=size, axis=-1)
        total += np.sum(spectrum.real ** 2 + spectrum.imag ** 2, axis=0, dtype=np.float64)
    psd = total / (len(segments) * sample_rate * np.sum(window.astype(np.float64) ** 2))
    # one-sided: fold the negative frequencies onto the positive ones (not DC, Nyquist)
    psd[1: (size + 1) // 2] *= 2.0
    return np.fft.rfftfreq(size, 1.0 / sample_rate), psd


def low_band(audio: Audio, *, highest_hz: float) -> tuple[np.ndarray, float]:
    """The mono mix without DC, decimated so that ``highest_hz`` is under a quarter rate.

    Hum and rumble live below a few hundred hertz; analysing them at a twentieth of the
    sample rate costs a twentieth of the work. The decimation filter is a linear-phase
    Kaiser-windowed FIR cut at half the new rate: ``highest_hz`` lies under a quarter
    of it, and only what lies above three quarters could alias down onto the band, so
    the transition may span half the new rate, and the filter needs half the taps of
    ``resample_poly``'s general-purpose default (flat within 0.002 dB in the band,
    78 dB down where aliases could land). Returns the float64 signal and
    its (possibly fractional) rate.
    """
    from scipy.signal import firwin, kaiser_beta, resample_poly  # slow to import

    x = mono_mix(audio).astype(np.float64)
    x -= x.mean()
    factor = max(1, int(audio.sample_rate // (4.0 * highest_hz)))
    if factor > 1:
        taps = firwin(10 * factor + 1, 1.0 / factor, window=("kaiser", kaiser_beta(80.0)))
        x = resample_poly(x, 1, factor, window=taps)
    return x, audio.sample_rate / factor


# -- bandwidth ---------------------------------------------------------------------------
_LOWEST_EDGE_HZ = 250.0  # below this a falling spectrum is the music, not a band limit
_CONVERTER_BAND = 0.9  # above 0.9 x Nyquist a fall is the converter's own anti-alias filter
_CLIFF_WINDOW_HZ = 500.0  # the level before a cliff is the mean over this band
_CLIFF_TRANSITION_HZ = 250.0  # a brick wall falls within this
_BRICKWALL_DB = 15.0  # ... at least this far, and nothing above it comes back up
_STEEP_DB_PER_OCTAVE = 18.0  # steeper than any music's own treble, gentler than a filter's
_ROLLOFF_DB = 20.0  # a steep stretch must fall this far to be the edge of the band
_KNEE_DB = 6.0  # the cut-off of a roll-off: this far below the foot of the slope


@dataclass(frozen=True)
class BandwidthReport:
    """Where the recorded band ends, and how.

    Attributes
    ----------
    cutoff_hz : float
        The effective upper band edge in Hz.
    kind : {"rolloff", "brickwall", "full"}
        ``"rolloff"``: the spectrum bends down steeply (faster than 18 dB/octave) into
        a floor, as an acoustic recording, a worn groove or a filtered transfer does;
        ``"brickwall"``: it drops by 15 dB or more within 250 Hz and never recovers, the
        mark of a lossy codec's or a resampler's low-pass; ``"full"``: neither, and
        ``cutoff_hz`` is the highest frequency within ``threshold_db`` of the peak.
    drop_db : float
        How far the spectrum falls at the edge (0 for a full band).
    brickwall_hz : float or None
        A brick wall found above a roll-off (or the brick wall itself): the trace of
        lossy coding or resampling even where the music ended lower.
    """

    cutoff_hz: float
    kind: str
    drop_db: float
    brickwall_hz: float | None = None

    def describe(self) -> str:
        """E.g. ``"4.8 kHz (rolloff; brick-wall cut-off at 11.0 kHz, likely lossy/...)"``."""
        wall = "brick-wall cut-off, likely lossy/resampled"
        if self.kind == "brickwall":
            return f"{self.cutoff_hz / 1000:.1f} kHz ({wall})"
        if self.kind == "rolloff" and self.brickwall_hz is not None:
            return (f"{self.cutoff_hz / 1000:.1f} kHz (rolloff; {wall} at "
                    f"{self.brickwall_hz / 1000:.1f} kHz)")
        return f"{self.cutoff_hz / 1000:.1f} kHz ({self.kind}{' band' * (self.kind == 'full')})"

    def to_dict(self) -> dict[str, Any]:
        """The fields as a JSON-friendly dict."""
        return asdict(self)


def bandwidth(audio: Audio, *, threshold_db: float = -60.0) -> BandwidthReport:
    """Estimate the effective upper bandwidth of a recording and how it ends.

    The long-term average spectrum of the mono mix (Welch 1967, ~10 Hz bins, lightly
    smoothed) is read from the top down:

    1. **Brick wall.** At each frequency, the mean level over the 500 Hz below is
       compared with the highest level anywhere more than 250 Hz above. Where that
       fall is 15 dB or more, the band ends in a wall: an MP3/AAC encoder's low-pass or
       a resampler's anti-alias filter. The highest such wall is taken, at its deepest
       point; its cut-off is where the spectrum is half-way (in dB) down the wall.
       Falls above 0.9 x Nyquist are ignored: every converter has one.
    2. **Roll-off.** Below any wall, the spectrum is averaged in 1/6-octave bands and its
       slope measured over thirds of an octave. A stretch steeper than 18 dB/octave that
       falls 20 dB or more, starting within ``threshold_db`` of the peak, is a roll-off;
       the highest one is the band edge. Its cut-off is where the spectrum has fallen
       6 dB below the foot of the slope (the band a sixth of an octave below the steep
       stretch), as a Butterworth low-pass run forwards and backwards is 6 dB down at
       its cut-off.
    3. Otherwise the band is **full** (or ends at the wall): the cut-off is the highest
       frequency whose level is within ``threshold_db`` of the peak.

    Music's own treble falls at 3 to 12 dB/octave, which is why a steepness threshold
    rather than a level threshold separates a band limit from a dark recording.

    Parameters
    ----------
    audio : Audio
    threshold_db : float
        Levels further than this below the spectrum's peak (above 250 Hz) are floor,
        not programme; between -200 and 0.

    Returns
    -------
    BandwidthReport
    """
    audio = check_audio(audio, who="bandwidth")
    threshold_db = check_number(threshold_db, name="threshold_db", low=-200.0, high=0.0)
    if threshold_db == 0.0:
        raise ParameterError("threshold_db must be below 0 dB (e.g. -60), got 0.")
    rate = audio.sample_rate
    n_fft = 2 ** round(np.log2(rate / 10.0))
    freqs, psd = welch_psd(mono_mix(audio), sample_rate=rate, n_fft=n_fft)
    psd = np.convolve(psd, np.ones(5) / 5, mode="same")  # +-2 bins: a steadier estimate
    level = power_db(psd)
    in_band = freqs >= _LOWEST_EDGE_HZ
    peak = float(level[in_band].max()) if in_band.any() else float(level.max())
    wall = _find_brickwall(freqs, level, highest_hz=_CONVERTER_BAND * rate / 2)
    below = wall[2] if wall else _CONVERTER_BAND * rate / 2
    edge = _find_rolloff(freqs, psd, highest_hz=below, lowest_db=peak + threshold_db)
    wall_hz = wall[0] if wall else None
    if edge:
        return BandwidthReport(edge[0], "rolloff", edge[1], wall_hz)
    if wall:
        return BandwidthReport(wall[0], "brickwall", wall[1], wall_hz)
    loud = freqs[level >= peak + threshold_db]
    return BandwidthReport(float(loud.max()), "full", 0.0, None)


def _find_brickwall(freqs: np.ndarray, level: np.ndarray,
                    *, highest_hz: float) -> tuple[float, float, float] | None:
    """The highest cliff that never recovers: (cut-off Hz, depth dB, start Hz) or None."""
    step = freqs[1] - freqs[0]
    width = max(1, round(_CLIFF_WINDOW_HZ / step))
    gap = max(1, round(_CLIFF_TRANSITION_HZ / step))
    # before[i]: mean level over the `width` bins ending at i
    sums = np.concatenate([[0.0], np.cumsum(level)])
    before = (sums[width:] - sums[:-width]) / width
    # after[i]: the highest level from bin i + gap to the top of the spectrum
    after = np.maximum.accumulate(level[::-1])[::-1]
    first = max(width - 1, int(np.searchsorted(freqs, _LOWEST_EDGE_HZ + _CLIFF_WINDOW_HZ)))
    last = min(int(np.searchsorted(freqs, highest_hz)), len(level) - gap - 1)
    if last <= first:
        return None
    where = np.arange(first, last)
    fall = before[where - width + 1] - after[where + gap]
    walls = np.flatnonzero(fall >= _BRICKWALL_DB)
    if walls.size == 0:
        return None
    # the highest wall is the codec's or resampler's: a steep filter lower down, with
    # noise above it, is the edge of the music (a roll-off), not of the file
    top = walls[-1]
    shallow = np.flatnonzero(fall[:top] < _BRICKWALL_DB)
    bottom = shallow[-1] + 1 if shallow.size else 0
    best = bottom + int(np.argmax(fall[bottom: top + 1]))
    cliff = int(where[best])
    halfway = before[cliff - width + 1] - fall[best] / 2
    start = cliff - width + 1
    below = start + int(np.argmax(level[start:] < halfway))
    return float(freqs[below]), float(fall[best]), float(freqs[start])


def _find_rolloff(freqs: np.ndarray, psd: np.ndarray, *, highest_hz: float,
                  lowest_db: float) -> tuple[float, float] | None:
    """The highest steep fall into a floor below ``highest_hz``: (cut-off Hz, fall dB)."""
    sixth = 2.0 ** (1.0 / 12.0)  # half of a 1/6-octave band
    count = int(np.floor(12.0 * np.log2(highest_hz / (_LOWEST_EDGE_HZ * sixth)))) + 1
    if count < 5:
        return None
    centres = _LOWEST_EDGE_HZ * sixth ** np.arange(count)
    sums = np.concatenate([[0.0], np.cumsum(psd)])
    lo = np.searchsorted(freqs, centres / sixth)
    hi = np.maximum(np.searchsorted(freqs, centres * sixth), lo + 1)
    bands = power_db((sums[hi] - sums[lo]) / (hi - lo))
    # slope[j]: dB per octave over the third of an octave centred on bands[j + 2]
    slope = 3.0 * (bands[:-4] - bands[4:])
    steep = np.concatenate([[False], slope >= _STEEP_DB_PER_OCTAVE, [False]])
    starts = np.flatnonzero(np.diff(steep.astype(np.int8)) == 1)
    stops = np.flatnonzero(np.diff(steep.astype(np.int8)) == -1)
    for start, stop in zip(starts[::-1], stops[::-1], strict=True):
        fall = bands[start] - bands[stop + 3]
        if fall < _ROLLOFF_DB or bands[start + 2] < lowest_db:
            continue
        # the foot of the slope: the band a sixth of an octave below the steep stretch
        foot = bands[start]
        down = start + int(np.argmax(bands[start:] < foot - _KNEE_DB))
        return _crossing(centres, bands, down, foot - _KNEE_DB), float(foot - bands[stop + 3])
    return None


def _crossing(freqs: np.ndarray, level: np.ndarray, index: int, target: float) -> float:
    """Where ``level`` falls through ``target`` between ``index - 1`` and ``index``."""
    if index == 0 or level[index - 1] <= level[index]:
        return float(freqs[index])
    share = (level[index - 1] - target) / (level[index - 1] - level[index])
    return float(freqs[index - 1] + share * (freqs[index] - freqs[index - 1]))
