"""The steady noise a transfer carries, measured where the music is quietest.

find_quiet_segments   the quietest windows: lead-in and run-out grooves, pauses
noise_floor           power spectrum and level of the noise in those windows
detect_hum            mains hum and its harmonics (:mod:`restorekit.analysis.hum`)
rumble_level          the level below 30 Hz, absolute and against the programme
bandwidth             where the band ends, and whether in a codec's brick wall
                      (:mod:`restorekit.analysis.spectrum`)
count_clipped         flat-topped runs at full scale
analyze_noise         all of the above in one :class:`NoiseReport`

Every function reads the whole :class:`~restorekit.audio.Audio` it is given; analysing
a minute of 44.1 kHz stereo takes a fraction of a second on one core.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from restorekit.analysis.hum import HumReport, detect_hum
from restorekit.analysis.spectrum import (
    BandwidthReport,
    bandwidth,
    low_band,
    mono_mix,
    power_db,
    welch_psd,
)
from restorekit.audio import Audio, check_audio
from restorekit.checks import check_integer, check_number
from restorekit.errors import ParameterError

__all__ = ["find_quiet_segments", "quiet_windows", "NoiseFloor", "noise_floor", "HumReport",
           "detect_hum", "RumbleReport", "rumble_level", "BandwidthReport", "bandwidth",
           "ClippingReport", "count_clipped", "NoiseReport", "analyze_noise"]

_SILENCE_DB = -120.0  # quieter than any groove: zero padding, muted digital silence
_STEPS_PER_WINDOW = 4  # windows are tried at every quarter window
_MIN_SEGMENT_FRAMES = 16  # a spectrum needs a few samples
_NOISE_SPREAD = 10.0 ** (6.0 / 10.0)  # found windows this much louder than the quietest


def find_quiet_segments(audio: Audio, *, window_seconds: float = 0.5, count: int = 3,
                        min_gap_seconds: float = 1.0) -> list[tuple[float, float]]:
    """Find the quietest windows, where little but the disc's own noise plays.

    The short-term RMS of the mono mix is measured over windows of ``window_seconds``
    starting every quarter window; the quietest are taken one by one, each at least
    ``min_gap_seconds`` clear of those already taken. Windows that touch digital silence
    (a quarter window below -120 dBFS, such as zero padding) are skipped: they hold no
    groove noise and would report a floor that is not there.

    Parameters
    ----------
    audio : Audio
    window_seconds : float
        Length of each window in seconds (rounded to a multiple of four samples).
    count : int
        How many windows to return at most (1 to 1000).
    min_gap_seconds : float
        Least silence-free distance between two windows, in seconds.

    Returns
    -------
    list of (float, float)
        ``(start, stop)`` in seconds, quietest first. Audio shorter than one window, or
        nothing but digital silence, gives the whole audio as one segment.
    """
    audio = check_audio(audio, who="find_quiet_segments")
    window_seconds = check_number(window_seconds, name="window_seconds", low=0.0,
                                  low_open=True)
    count = check_integer(count, name="count", low=1, high=1000)
    min_gap_seconds = check_number(min_gap_seconds, name="min_gap_seconds", low=0.0)
    rate = audio.sample_rate
    step = max(1, round(window_seconds * rate / _STEPS_PER_WINDOW))
    if audio.frames < step * _STEPS_PER_WINDOW:
        return [(0.0, audio.duration)]
    # energy of each quarter window
    blocks = mono_mix(audio)[: audio.frames // step * step].reshape(-1, step)
    energy = np.einsum("ij,ij->i", blocks, blocks, dtype=np.float64)
    return quiet_windows(energy, step=step, sample_rate=rate, count=count,
                         min_gap_seconds=min_gap_seconds, duration=audio.duration)


def quiet_windows(energy: np.ndarray, *, step: int, sample_rate: int, count: int,
                  min_gap_seconds: float, duration: float) -> list[tuple[float, float]]:
    """:func:`find_quiet_segments` from the energies of consecutive ``step``-frame pieces.

    A window is four pieces. Split out so that a long file can be searched from
    energies gathered while streaming it (:mod:`restorekit.restore.stream`).
    """
    window = step * _STEPS_PER_WINDOW
    whole = [(0.0, duration)]
    if energy.size < _STEPS_PER_WINDOW:
        return whole
    kernel = np.ones(_STEPS_PER_WINDOW)
    window_energy = np.convolve(energy, kernel, mode="valid")
    silent = energy < step * 10.0 ** (_SILENCE_DB / 10.0)
    available = np.convolve(silent, kernel, mode="valid") == 0
    # window starts closer than this overlap or crowd one already chosen
    reach = int(np.ceil((window + min_gap_seconds * sample_rate) / step))
    chosen: list[int] = []
    while len(chosen) < count and available.any():
        start = int(np.argmin(np.where(available, window_energy, np.inf)))
        chosen.append(start)
        available[max(0, start - reach + 1): start + reach] = False
    if not chosen:
        return whole
    return [(start * step / sample_rate, (start * step + window) / sample_rate)
            for start in chosen]


@dataclass(frozen=True, eq=False)
class NoiseFloor:
    """The noise in the quiet segments: its spectrum and its level.

    Attributes
    ----------
    freqs : numpy.ndarray
        Frequencies in Hz.
    psd : numpy.ndarray
        One-sided power spectral density (linear, full scale squared per Hz), averaged
        over channels and segments; ``psd.sum() * df`` is the noise's mean square.
    level_db : float
        RMS of the noise over all segments and channels, in dBFS.
    segments : tuple of (float, float)
        The ``(start, stop)`` seconds measured, quietest first.
    """

    freqs: np.ndarray
    psd: np.ndarray
    level_db: float
    segments: tuple[tuple[float, float], ...]

    def band_level_db(self, lo: float, hi: float) -> float:
        """RMS of the noise between ``lo`` and ``hi`` Hz, in dBFS."""
        lo = check_number(lo, name="lo", low=0.0)
        hi = check_number(hi, name="hi", low=0.0)
        if hi <= lo:
            raise ParameterError(f"the band must have lo < hi, got lo={lo:g} Hz and "
                                 f"hi={hi:g} Hz.")
        inside = (self.freqs >= lo) & (self.freqs <= hi)
        return power_db(float(self.psd[inside].sum()) * (self.freqs[1] - self.freqs[0]))

    def to_dict(self) -> dict[str, Any]:
        """The fields as a JSON-friendly dict (arrays become lists)."""
        return {"freqs": self.freqs.tolist(), "psd": self.psd.tolist(),
                "level_db": self.level_db, "segments": [list(s) for s in self.segments]}


def noise_floor(audio: Audio, *, segments=None, n_fft: int = 4096) -> NoiseFloor:
    """Measure the noise floor: the spectrum and level of the quietest segments.

    Each segment, each channel's mean removed (a DC offset is not noise), is analysed
    by Welch's method (1967): Hann windows of ``n_fft`` samples overlapping by half.
    The spectra are averaged over channels and over segments, weighted by length.
    Of the segments found by :func:`find_quiet_segments`, those more than 6 dB louder
    than the quietest are dropped: they hold music, not just noise.

    Parameters
    ----------
    audio : Audio
    segments : sequence of (float, float), optional
        ``(start, stop)`` seconds to measure, all of them; by default those found by
        :func:`find_quiet_segments`.
    n_fft : int
        Welch segment length in samples (16 to 2**20); shorter segments use their own
        length.

    Returns
    -------
    NoiseFloor
    """
    audio = check_audio(audio, who="noise_floor")
    n_fft = check_integer(n_fft, name="n_fft", low=_MIN_SEGMENT_FRAMES, high=2**20)
    chosen_here = segments is None
    segments = (find_quiet_segments(audio) if chosen_here
                else _check_segments(segments, audio))
    rate = audio.sample_rate
    pieces = [audio.samples[:, round(start * rate): round(stop * rate)]
              for start, stop in segments]
    if min(piece.shape[1] for piece in pieces) < _MIN_SEGMENT_FRAMES:
        raise ParameterError(f"a noise floor needs segments of at least "
                             f"{_MIN_SEGMENT_FRAMES} samples; this audio or segment holds "
                             f"fewer.")
    pieces = [piece - piece.mean(axis=1, keepdims=True) for piece in pieces]
    power = np.array([np.mean(np.square(piece, dtype=np.float64)) for piece in pieces])
    if chosen_here:
        # a short lead-in may leave no room for three quiet windows, and the third then
        # holds music: keep those within 6 dB of the quietest (surface noise swells by
        # a few dB a turn, not by 6)
        keep = power <= power[0] * _NOISE_SPREAD
        pieces = [piece for piece, kept in zip(pieces, keep, strict=True) if kept]
        segments = [segment for segment, kept in zip(segments, keep, strict=True) if kept]
        power = power[keep]
    frames = [piece.shape[1] for piece in pieces]
    length = min(n_fft, *frames)
    spectra = [welch_psd(piece, sample_rate=rate, n_fft=length)[1] for piece in pieces]
    return NoiseFloor(freqs=np.fft.rfftfreq(length, 1.0 / rate),
                      psd=np.average(spectra, axis=0, weights=frames),
                      level_db=power_db(float(np.average(power, weights=frames))),
                      segments=tuple((float(a), float(b)) for a, b in segments))


def _check_segments(segments: Any, audio: Audio) -> list[tuple[float, float]]:
    try:
        pairs = [(float(start), float(stop)) for start, stop in segments]
    except (TypeError, ValueError):
        raise ParameterError(f"segments must be (start, stop) pairs in seconds, got "
                             f"{segments!r}.") from None
    slack = 0.5 / audio.sample_rate  # times round to the nearest frame
    if not pairs or not all(0.0 <= a < b <= audio.duration + slack for a, b in pairs):
        raise ParameterError(f"segments must be one or more (start, stop) pairs with "
                             f"0 <= start < stop <= {audio.duration:.3f} s, got "
                             f"{segments!r}.")
    return pairs


@dataclass(frozen=True)
class RumbleReport:
    """Low-frequency noise: ``level_db`` dBFS below ``cutoff_hz``, ``relative_db`` dB
    relative to the whole programme (negative: quieter)."""

    level_db: float
    relative_db: float
    cutoff_hz: float

    def to_dict(self) -> dict[str, Any]:
        """The fields as a JSON-friendly dict."""
        return asdict(self)


def rumble_level(audio: Audio, *, cutoff_hz: float = 30.0) -> RumbleReport:
    """Measure rumble: the RMS of the mono mix below ``cutoff_hz``.

    The mono mix, its DC removed, is decimated and low-pass filtered by a 4th-order
    Butterworth filter run forwards and backwards (zero phase, -6 dB at ``cutoff_hz``,
    48 dB/octave above). Turntable motors and bearings rumble at 5 to 30 Hz, below
    nearly all music, so the level there is the rumble's. The filters' start-up at each
    end (three periods of the cut-off, at most a quarter of the audio) is left out of
    the level.

    Parameters
    ----------
    audio : Audio
    cutoff_hz : float
        Upper edge of the rumble band in Hz, 1 Hz to a quarter of the sample rate.

    Returns
    -------
    RumbleReport
    """
    from scipy.signal import butter, sosfiltfilt  # slow to import

    audio = check_audio(audio, who="rumble_level")
    cutoff_hz = check_number(cutoff_hz, name="cutoff_hz", low=1.0,
                             high=audio.sample_rate / 4)
    signal, rate = low_band(audio, highest_hz=2.0 * cutoff_hz)
    sos = butter(4, cutoff_hz, fs=rate, output="sos")
    # the filter's start-up padding cannot be longer than the signal itself
    padlen = min(signal.size - 1, 3 * (2 * len(sos) + 1))
    rumble = sosfiltfilt(sos, signal, padlen=padlen)
    # An excerpt that starts or stops mid-note is a step to these filters: its
    # transient would pass for rumble 20 dB above the real one on a quiet transfer.
    # Leave out three periods of the cut-off at each end (0.1 s at 30 Hz).
    settle = min(round(3.0 / cutoff_hz * rate), rumble.size // 4)
    level = power_db(float(np.mean(rumble[settle: rumble.size - settle] ** 2)))
    programme = power_db(float(np.var(mono_mix(audio), dtype=np.float64)))
    return RumbleReport(level, level - programme, cutoff_hz)


@dataclass(frozen=True)
class ClippingReport:
    """Flat tops: ``runs`` of consecutive samples pinned at full scale, ``samples`` in
    them, over all channels."""

    runs: int
    samples: int

    def to_dict(self) -> dict[str, Any]:
        """The fields as a JSON-friendly dict."""
        return asdict(self)


def count_clipped(audio: Audio, *, threshold: float = 0.999,
                  min_run: int = 2) -> ClippingReport:
    """Count flat-topped runs: at least ``min_run`` samples in a row at full scale.

    A clipped waveform sits on one rail for several samples; a single full-scale sample
    is often just a loud peak. So runs are counted where consecutive samples stay at or
    above ``threshold`` (or at or below ``-threshold``), each channel and each rail on
    its own.

    Parameters
    ----------
    audio : Audio
    threshold : float
        Magnitude that counts as full scale (above 0).
    min_run : int
        Fewest samples in a run (1 to 1000000).

    Returns
    -------
    ClippingReport
    """
    audio = check_audio(audio, who="count_clipped")
    threshold = check_number(threshold, name="threshold", low=0.0, low_open=True)
    min_run = check_integer(min_run, name="min_run", low=1, high=1_000_000)
    samples = audio.samples
    pinned = np.concatenate([samples >= threshold, samples <= -threshold])
    # +1 where a run starts, -1 just after it ends; every row holds matched pairs, so
    # the flat indices of ends minus starts are the run lengths
    edges = np.diff(np.pad(pinned, ((0, 0), (1, 1))).astype(np.int8), axis=1)
    lengths = np.flatnonzero(edges == -1) - np.flatnonzero(edges == 1)
    runs = lengths[lengths >= min_run]
    return ClippingReport(int(runs.size), int(runs.sum()))


@dataclass(frozen=True, eq=False)
class NoiseReport:
    """Everything :func:`analyze_noise` measured, with a JSON form and a text summary."""

    duration: float
    sample_rate: int
    floor: NoiseFloor
    hum: HumReport
    rumble: RumbleReport
    bandwidth: BandwidthReport
    clipping: ClippingReport

    @property
    def segments(self) -> tuple[tuple[float, float], ...]:
        """The quiet segments measured, quietest first."""
        return self.floor.segments

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dict of every measurement."""
        return {"duration": self.duration, "sample_rate": self.sample_rate,
                "noise_floor": self.floor.to_dict(), "hum": self.hum.to_dict(),
                "rumble": self.rumble.to_dict(), "bandwidth": self.bandwidth.to_dict(),
                "clipping": self.clipping.to_dict()}

    def lines(self) -> list[str]:
        """A human-readable summary, one finding a line."""
        start, stop = self.floor.segments[0]
        rumble, clipping = self.rumble, self.clipping
        clipped = f" ({clipping.samples} samples)" if clipping.runs else ""
        return [
            "Noise Analysis:",
            f"  Quietest segment: {start:.2f}-{stop:.2f} s "
            f"(noise floor {self.floor.level_db:.1f} dBFS)",
            f"  Hum: {self.hum.describe()}",
            f"  Rumble (<{rumble.cutoff_hz:g} Hz): {rumble.level_db:.1f} dBFS "
            f"({abs(rumble.relative_db):.1f} dB below programme)",
            f"  Bandwidth: {self.bandwidth.describe()}",
            f"  Clipping: {clipping.runs} flat-topped runs{clipped}",
        ]


def analyze_noise(audio: Audio) -> NoiseReport:
    """Run every noise measurement of this module on ``audio`` with default settings.

    Returns
    -------
    NoiseReport
        Quiet segments and noise floor, hum, rumble, bandwidth and clipping.

    Examples
    --------
    >>> import numpy as np
    >>> from restorekit import Audio
    >>> rng = np.random.default_rng(0)
    >>> report = analyze_noise(Audio(0.01 * rng.standard_normal(44100), 44100))
    >>> round(report.floor.level_db)
    -40
    """
    audio = check_audio(audio, who="analyze_noise")
    return NoiseReport(duration=audio.duration, sample_rate=audio.sample_rate,
                       floor=noise_floor(audio), hum=detect_hum(audio),
                       rumble=rumble_level(audio), bandwidth=bandwidth(audio),
                       clipping=count_clipped(audio))
