"""Hiss reduction: Ephraim & Malah's log-spectral amplitude estimator, or noisereduce's gate.

Surface hiss on a 78 is steady and broadband, so it is learnt once from the run-out
groove (``fit(noise)``) and taken off in the short-time spectrum: ``method="mmse"``
(the default, exact block by block) or ``method="gate"`` (Sainburg et al. 2020).
See :class:`Dehiss`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import fft as sfft
from scipy.ndimage import correlate1d
from scipy.special import exp1

from restorekit.audio import Audio, check_audio
from restorekit.checks import check_integer, check_number
from restorekit.errors import ParameterError
from restorekit.restore.base import Restorer

__all__ = ["Dehiss"]

METHODS = ("mmse", "gate")
_REFERENCE_RATE = 44100  # n_fft is given at this rate and scaled to keep ~46 ms frames
_OVERLAP = 4  # hop = n_fft / 4: Hann windows overlap-add to a constant
_ALPHA = 0.98  # Ephraim & Malah's decision-directed weight
_REFINEMENTS = 4  # decision-directed updates applied to the local ML estimate
_XI_MIN = 1e-4  # a-priori SNR floor (-40 dB): keeps the gain rule finite
_TINY = 1e-20  # floor of a noise PSD bin: digital silence must not divide by zero
_FEW_FRAMES = 16  # below this many noise frames a median is no steadier than a mean
_GATE_SMOOTH_MS = 50.0  # noisereduce's time smoothing of its mask (its default)

# exp(E1(v) / 2), the LSA gain's integral factor, tabulated at 2**16 points evenly
# spaced in log2 v and read at the nearest (relative error below 2.5e-4, 0.002 dB;
# interpolating would cost twice the time). Below the table the factor exceeds
# 1 / _XI_MIN, so the gain there is capped at 1 either way; above it E1 < 1e-14.
_V_LOW, _V_HIGH = 1e-12, 40.0
_LOG2_V = np.linspace(np.log2(_V_LOW), np.log2(_V_HIGH), 2**16)
_PER_OCTAVE = float(1.0 / (_LOG2_V[1] - _LOG2_V[0]))
_E1_FACTOR = np.exp(0.5 * exp1(np.exp2(_LOG2_V))).astype(np.float32)


class Dehiss(Restorer):
    r"""Reduce steady hiss learnt from a stretch of noise alone.

    ``Dehiss().fit(noise).restore(audio)``: ``noise`` is surface noise with no music
    (lead-in or run-out groove), at the audio's rate and channel count; each channel
    keeps its own noise spectrum. Without a ``fit``, the noise is measured in the
    audio's own quietest half-seconds (:func:`restorekit.analysis.noise.noise_floor`),
    which the report says; a block driver should fit first, since blocks measured
    separately get different noise estimates.

    **mmse.** The STFT (periodic Hann, hop ``n_fft / 4``, frames centred on multiples of
    the hop from the first sample given) of each channel is scaled by the
    log-spectral amplitude (LSA) gain of Ephraim & Malah (1985),

    .. math:: G = \frac{\xi}{1 + \xi} \exp\Big(\tfrac12 E_1(v)\Big), \qquad
              v = \frac{\xi}{1 + \xi} \gamma,

    with a-posteriori SNR :math:`\gamma = |Y|^2 / \lambda_d` and a-priori SNR
    :math:`\xi`, capped at 1 and floored at ``floor_db``. The usual decision-directed
    estimate of :math:`\xi` (Ephraim & Malah 1984) feeds each frame's output back into
    the next, so a sample's output depends on everything before it and a stream cut
    into blocks would not match the whole. Cappé (1994) showed that what removes the
    musical noise is the smoothing this recursion performs, strong at low SNR, light at
    high SNR. Here it is done without memory: :math:`\gamma` is averaged over
    ``±smoothing_frames`` frames and ``±smoothing_bins`` bins (triangular weights,
    two-sided like Cohen's non-causal estimator, 2004) to :math:`\bar\gamma`, the
    maximum-likelihood estimate :math:`\xi_{ML} = \max(\bar\gamma - 1, 0)` is taken,
    and the decision-directed update is applied to it four times in place,
    :math:`\xi \leftarrow \alpha G_W(\xi)^2 \bar\gamma + (1 - \alpha) \xi_{ML}`
    (:math:`\alpha = 0.98`, Wiener gain :math:`G_W`), as Plapous et al. (2006) refine
    it in their two-step estimator. On noise alone the ML estimate is biased up (a mean
    of -8 dB with the default smoothing) and would let the hiss through; the updates
    bring it to about -21 dB while strong partials keep theirs. The smoothing and the
    gain floor are the musical-noise control. The output depends on input within
    ``n_fft + smoothing_frames * hop`` samples: :meth:`context`.

    **gate.** ``noisereduce.reduce_noise(stationary=True)`` on each channel with that
    channel's noise (noisereduce would average the channels' noise into one profile),
    its chunking, threads and progress bar off, its frames on the audio's grid. Bins
    under the noise threshold are scaled by ``floor_db``. Its 500 Hz smoothing of the
    mask across frequency is off: zero-padded at 0 Hz, it cut 20-200 Hz by up to 4 dB
    with no noise at all, and it averaged a lone partial's mask with its gated
    neighbours (a tone complex at 10 dB SNR came out at 5 dB, against 21 dB without
    it). Its 50 ms smoothing across frames stays. Blocks matched the whole in our
    tests, but noisereduce clamps each band to 80 dB under its loudest frame in the
    call, so passages that quiet may differ: :meth:`context` is generous, not a
    guarantee.

    Parameters
    ----------
    method : {"mmse", "gate"}
    reduction_db : float
        Extra reduction, 0 to 30 dB: the noise estimate is raised by this much before
        suppressing (Berouti et al.'s over-subtraction, 1979), so more of what sits near
        the hiss is taken as hiss. 0 trusts the measured noise.
    floor_db : float
        Gain floor, -80 to 0 dB: no bin is turned down further, so pure noise comes
        out about this much quieter and leftover hiss stays smooth, not warbling.
    n_fft : int
        Frame length at 44.1 kHz, a power of two from 256 to 16384; other rates use the
        nearest power of two to the same duration (2048: 46 ms).
    smoothing_frames, smoothing_bins : int
        Half-widths, 0 to 16, of the a-priori SNR smoothing in frames and bins (mmse).
    mix : float
        Dry/wet balance, 0 to 1.

    References
    ----------
    Y. Ephraim and D. Malah, "Speech enhancement using a minimum mean-square error
    short-time spectral amplitude estimator", IEEE TASSP 32(6), 1109-1121, 1984.
    Y. Ephraim and D. Malah, "Speech enhancement using a minimum mean-square error
    log-spectral amplitude estimator", IEEE TASSP 33(2), 443-445, 1985.
    O. Cappé, "Elimination of the musical noise phenomenon with the Ephraim and Malah
    noise suppressor", IEEE TSAP 2(2), 345-349, 1994.
    I. Cohen, "Speech enhancement using a noncausal a priori SNR estimator", IEEE
    Signal Processing Letters 11(9), 725-728, 2004.
    C. Plapous, C. Marro and P. Scalart, "Improved signal-to-noise ratio estimation for
    speech enhancement", IEEE TASLP 14(6), 2098-2108, 2006.
    M. Berouti, R. Schwartz and J. Makhoul, "Enhancement of speech corrupted by
    acoustic noise", Proc. IEEE ICASSP, 208-211, 1979.
    T. Sainburg, M. Thielk and T. Q. Gentner, "Finding, visualizing, and quantifying
    latent structure across diverse animal vocal repertoires", PLoS Computational
    Biology 16(10), e1008228, 2020 (the noisereduce package).
    """

    name = "dehiss"

    def __init__(self, *, method: str = "mmse", reduction_db: float = 0.0,
                 floor_db: float = -20.0, n_fft: int = 2048, smoothing_frames: int = 2,
                 smoothing_bins: int = 2, mix: float = 1.0):
        super().__init__(mix=mix)
        if method not in METHODS:
            raise ParameterError(f"method must be one of {METHODS}, got {method!r}.")
        self.method = method
        self.reduction_db = check_number(reduction_db, name="reduction_db", low=0.0,
                                         high=30.0)
        self.floor_db = check_number(floor_db, name="floor_db", low=-80.0, high=0.0)
        n_fft = check_integer(n_fft, name="n_fft", low=256, high=16384)
        if n_fft & (n_fft - 1):
            raise ParameterError(f"n_fft must be a power of two, got {n_fft}.")
        self.n_fft = n_fft
        self.smoothing_frames = check_integer(smoothing_frames, name="smoothing_frames",
                                              low=0, high=16)
        self.smoothing_bins = check_integer(smoothing_bins, name="smoothing_bins", low=0,
                                            high=16)
        self._noise: _Noise | None = None

    # -- the protocol ------------------------------------------------------------------
    def fit(self, noise: Audio) -> Dehiss:
        """Learn each channel's noise spectrum from ``noise`` (surface noise, no music)."""
        noise = check_audio(noise, who="Dehiss.fit")
        self._noise = self._measure([noise.samples], noise.sample_rate, source="fit")
        return self

    def frame_length(self, sample_rate: int) -> int:
        """The STFT length used at ``sample_rate``: ``n_fft`` scaled, a power of two."""
        return 2 ** max(6, round(np.log2(self.n_fft * sample_rate / _REFERENCE_RATE)))

    def grid(self, sample_rate: int) -> int:
        """The STFT hop, ``frame_length / 4``: blocks must start on its multiples."""
        return self.frame_length(sample_rate) // _OVERLAP

    def context(self, sample_rate: int) -> int:
        """How far either side of a sample the input reaches its output."""
        n = self.frame_length(sample_rate)
        hop = n // _OVERLAP
        if self.method == "mmse":
            return n + self.smoothing_frames * hop
        # noisereduce: its frame, its mask smoothing, and as much again for safety
        return 2 * (n + _gate_smooth_frames(sample_rate, hop) * hop)

    # -- the work ----------------------------------------------------------------------
    def _process(self, audio: Audio, *, offset: int = 0):
        rate, channels = audio.sample_rate, audio.channels
        noise = self._noise
        if noise is None:
            noise = self._measure_quiet(audio)
        elif noise.sample_rate != rate or noise.channels != channels:
            raise ParameterError(
                f"Dehiss was fitted on {noise.channels}-channel noise at "
                f"{noise.sample_rate} Hz but asked to restore {channels}-channel audio at "
                f"{rate} Hz; fit it on noise from the same transfer.")
        n = self.frame_length(rate)
        if self.method == "mmse":
            wet, gain_db = _lsa(audio.samples, noise.psd * 10 ** (self.reduction_db / 10),
                                n_fft=n, frames=self.smoothing_frames,
                                bins=self.smoothing_bins, floor_db=self.floor_db)
        else:
            wet = _gate(audio.samples, noise.samples * 10 ** (self.reduction_db / 20),
                        sample_rate=rate, n_fft=n, floor_db=self.floor_db)
            gain_db = _measured_gain_db(audio.samples, wet, n_fft=n, floor_db=self.floor_db)
        report = {"method": self.method, "noise_level_db": noise.level_db,
                  "mean_gain_reduction_db": 0.0 - gain_db, "noise_source": noise.source,
                  "frame_length": n}
        if noise.segments is not None:
            report["noise_segments"] = noise.segments
        return wet, None, report

    def _measure(self, pieces: list[np.ndarray], rate: int, *, source: str,
                 segments=None) -> _Noise:
        n = self.frame_length(rate)
        psd = np.average([_noise_periodogram(p, n) for p in pieces], axis=0,
                         weights=[p.shape[-1] for p in pieces])
        # mean square per sample by Parseval: a Hann frame's energy is (bin 0 + twice
        # the inner bins + Nyquist) / n; bin 0 is an offset, not noise
        weights = np.full(psd.shape[-1], 2.0)
        weights[0], weights[-1] = 0.0, 1.0
        power = float(np.mean(psd @ weights)) / (n * float(np.sum(_hann(n) ** 2)))
        samples = np.concatenate(pieces, axis=-1) if self.method == "gate" else None
        return _Noise(sample_rate=rate, channels=pieces[0].shape[0], psd=psd,
                      samples=samples, level_db=float(10.0 * np.log10(max(power, 1e-30))),
                      source=source, segments=segments)

    def _measure_quiet(self, audio: Audio) -> _Noise:
        from restorekit.analysis.noise import noise_floor

        segments = noise_floor(audio).segments
        rate = audio.sample_rate
        pieces = [audio.samples[:, round(a * rate): round(b * rate)] for a, b in segments]
        return self._measure(pieces, rate, segments=[list(s) for s in segments],
                             source="quietest segments of the audio (not fitted)")


@dataclass(frozen=True)
class _Noise:
    """What ``fit`` learnt: each channel's noise periodogram, the samples for the gate."""

    sample_rate: int
    channels: int
    psd: np.ndarray  # (channels, n // 2 + 1), scaled as _stft's |Y|^2
    samples: np.ndarray | None  # (channels, frames), kept for the gate only
    level_db: float
    source: str
    segments: list | None


# -- the STFT, float32 -----------------------------------------------------------------
# The framing of restorekit.dsp.stft (periodic Hann, frames centred on multiples of the
# hop, weighted overlap-add divided by the summed squared window, Griffin & Lim 1984),
# in float32 with a vectorised overlap-add: three times faster, and hiss reduction
# needs no more than float32's 144 dB.

def _hann(n: int) -> np.ndarray:
    return 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(n) / n)


def _stft(x: np.ndarray, n: int) -> np.ndarray:
    """(channels, frames) float → (channels, n_frames, bins) complex64."""
    hop = n // _OVERLAP
    count = 1 + x.shape[-1] // hop
    padded = np.zeros((x.shape[0], (count - 1) * hop + n), dtype=np.float32)
    padded[:, n // 2: n // 2 + x.shape[-1]] = x
    frames = np.lib.stride_tricks.sliding_window_view(padded, n, axis=-1)[:, ::hop]
    return sfft.rfft(frames * _hann(n).astype(np.float32), axis=-1)


def _istft(spec: np.ndarray, n: int, length: int) -> np.ndarray:
    """Invert :func:`_stft`; returns (channels, length) float32."""
    hop = n // _OVERLAP
    squares = (_hann(n) ** 2).reshape(_OVERLAP, hop)
    # inside, the squared windows sum to a constant (1.5): fold it into the window and
    # correct only the first and last few hops, which fewer frames cover
    inner = squares.sum(axis=0)
    window = (_hann(n).reshape(_OVERLAP, hop) / inner).astype(np.float32)
    count = spec.shape[1]
    frames = sfft.irfft(spec, n=n, axis=-1).reshape(spec.shape[0], count, _OVERLAP, hop)
    frames *= window
    # output hop b gathers part j of frame b - j
    out = np.zeros((spec.shape[0], count + _OVERLAP - 1, hop), dtype=np.float32)
    for j in range(_OVERLAP):
        out[:, j: j + count] += frames[:, :, j]
    for b in [*range(_OVERLAP - 1), *range(max(count, _OVERLAP - 1), count + _OVERLAP - 1)]:
        covered = squares[max(0, b - count + 1): min(_OVERLAP - 1, b) + 1].sum(axis=0)
        out[:, b] *= (inner / np.maximum(covered, 1e-10)).astype(np.float32)
    start = n // 2
    return out.reshape(spec.shape[0], -1)[:, start: start + length]


def _noise_periodogram(x: np.ndarray, n: int) -> np.ndarray:
    """Noise |rfft(Hann frame)|² per channel (channels, n // 2 + 1), as _stft scales it:
    the mean over a few frames, the bias-corrected median over more (see below)."""
    x = np.asarray(x, dtype=np.float64)
    x = x - x.mean(axis=-1, keepdims=True)
    hop = n // _OVERLAP
    if x.shape[-1] < n:
        if x.shape[-1] < 16:
            raise ParameterError(f"noise to learn from must hold at least 16 samples, got "
                                 f"{x.shape[-1]}.")
        # one shorter Hann frame, scaled to the energy of a full one
        short = _hann(x.shape[-1])
        scale = np.sum(_hann(n) ** 2) / np.sum(short**2)
        return scale * np.abs(np.fft.rfft(x * short, n=n, axis=-1)) ** 2
    frames = np.lib.stride_tricks.sliding_window_view(x, n, axis=-1)[:, ::hop]
    if frames.shape[1] < _FEW_FRAMES:
        return np.mean(np.abs(np.fft.rfft(frames * _hann(n))) ** 2, axis=1)
    # The median over frames, bin by bin: the quietest stretches of a side may still
    # hold a held note or a breath of the band in some frames, and a mean would take it
    # for noise and carve it out of the music. A noise periodogram bin is exponentially
    # distributed, whose median is ln 2 times its mean (the bias minimum statistics
    # corrects too; Martin 2001).
    every = np.concatenate([np.abs(np.fft.rfft(frames[:, i: i + 256] * _hann(n))) ** 2
                            for i in range(0, frames.shape[1], 256)], axis=1)
    return np.median(every, axis=1) / np.log(2.0)


# -- mmse --------------------------------------------------------------------------------

def _smooth_frames(a: np.ndarray, half: int) -> np.ndarray:
    """Triangular average over ``2 * half + 1`` frames (axis 1); the ends average what
    they have.

    The triangle is two trailing boxes of ``half + 1`` frames, each a few shifted sums:
    three times faster than :func:`scipy.ndimage.correlate1d` across frames, and,
    unlike a running (cumulative) sum, each cell adds the same neighbours in the same
    order however long the signal, so a block gives the same numbers as the whole.
    """
    if half == 0:
        return a
    count = a.shape[1]
    # frame i goes in at half + i; two trailing boxes of half + 1 then leave the
    # triangle centred on it at 2 * half + i
    total = np.zeros((a.shape[0], count + 2 * half) + a.shape[2:], dtype=a.dtype)
    total[:, half: half + count] = a
    weight = np.zeros(count + 2 * half)
    weight[half: half + count] = 1.0
    for _ in range(2):
        box, box_weight = total.copy(), weight.copy()
        for shift in range(1, half + 1):
            box[:, shift:] += total[:, :-shift]
            box_weight[shift:] += weight[:-shift]
        total, weight = box, box_weight
    scale = (1.0 / weight[2 * half:]).astype(a.dtype)
    return total[:, 2 * half:] * scale.reshape((1, count) + (1,) * (a.ndim - 2))


def _lsa(x: np.ndarray, psd: np.ndarray, *, n_fft: int, frames: int, bins: int,
         floor_db: float) -> tuple[np.ndarray, float]:
    """The LSA suppressor on (channels, frames) samples; returns (wet, mean gain dB)."""
    if x.shape[0] > 1:  # a channel at a time: the spectra are the memory, not the audio
        done = [_lsa(x[c: c + 1], psd[c: c + 1], n_fft=n_fft, frames=frames, bins=bins,
                     floor_db=floor_db) for c in range(x.shape[0])]
        return np.concatenate([d[0] for d in done]), float(np.mean([d[1] for d in done]))
    spec = _stft(x, n_fft)
    gamma = np.abs(spec)
    gamma *= gamma
    gamma *= (1.0 / np.maximum(psd, _TINY)).astype(np.float32)[:, None, :]
    mean_gamma = _smooth_frames(gamma, frames)
    if bins:
        # the spectrum's ends are the same in every block, so reflecting there is exact
        weights = np.concatenate([np.arange(1, bins + 2), np.arange(bins, 0, -1)])
        mean_gamma = correlate1d(mean_gamma, (weights / weights.sum()).astype(np.float32),
                                 axis=2, mode="reflect")
    ml_part = np.maximum(mean_gamma - 1.0, 0.0)
    xi = ml_part.copy()
    ml_part *= 1.0 - _ALPHA
    mean_gamma *= _ALPHA
    for _ in range(_REFINEMENTS):
        # xi <- alpha * (xi / (1 + xi))^2 * mean_gamma + (1 - alpha) * xi_ml, in place
        wiener = xi + 1.0
        np.divide(xi, wiener, out=wiener)
        np.multiply(wiener, wiener, out=xi)
        xi *= mean_gamma
        xi += ml_part
    np.maximum(xi, np.float32(_XI_MIN), out=xi)
    wiener = xi + 1.0
    np.divide(xi, wiener, out=wiener)
    gamma *= wiener
    gain = _e1_factor(gamma)
    gain *= wiener
    np.clip(gain, np.float32(10 ** (floor_db / 20)), 1.0, out=gain)
    mean_db = 20.0 * float(np.mean(np.log10(gain), dtype=np.float64))
    spec *= gain
    return _istft(spec, n_fft, x.shape[-1]).astype(np.float64), mean_db


def _e1_factor(v: np.ndarray) -> np.ndarray:
    """exp(E1(v) / 2) from the table (``v`` is overwritten)."""
    np.maximum(v, np.float32(_V_LOW), out=v)
    position = np.log2(v, out=v)
    # shifted by half a step, so that truncating to an integer rounds
    position -= np.float32(_LOG2_V[0] - 0.5 / _PER_OCTAVE)
    position *= np.float32(_PER_OCTAVE)
    return np.take(_E1_FACTOR, position.astype(np.int32), mode="clip")


# -- gate --------------------------------------------------------------------------------

def _gate_smooth_frames(rate: int, hop: int) -> int:
    # noisereduce's own count of frames its mask is smoothed over on each side
    return max(1, int(_GATE_SMOOTH_MS / (hop / rate * 1000.0)))


def _gate(x: np.ndarray, noise: np.ndarray, *, sample_rate: int, n_fft: int,
          floor_db: float) -> np.ndarray:
    """noisereduce's stationary gate, channel by channel with that channel's noise."""
    # importing noisereduce imports torch when it is installed (seconds): only here
    from noisereduce import reduce_noise

    hop = n_fft // _OVERLAP
    out = np.empty(x.shape)
    for c in range(x.shape[0]):
        # noisereduce averages a multichannel noise to one profile; per channel keeps
        # each side's own hiss. chunk_size=None: one pass, no temporary files or
        # threads; padding of a whole frame (a multiple of the hop) keeps its frames
        # on the audio's grid and covers its short last frame.
        out[c] = reduce_noise(
            y=x[c].astype(np.float64), sr=sample_rate, y_noise=noise[c].astype(np.float64),
            stationary=True, prop_decrease=1.0 - 10 ** (floor_db / 20), n_fft=n_fft,
            win_length=n_fft, hop_length=hop, freq_mask_smooth_hz=None,
            time_mask_smooth_ms=_GATE_SMOOTH_MS, chunk_size=None, padding=n_fft,
            clip_noise_stationary=False, use_tqdm=False, n_jobs=1, use_torch=False)
    return out


def _measured_gain_db(dry: np.ndarray, wet: np.ndarray, *, n_fft: int,
                      floor_db: float) -> float:
    """Mean gain in dB over time-frequency cells, read off the two spectra."""
    before = np.abs(_stft(dry, n_fft))
    after = np.abs(_stft(wet, n_fft))
    gain = np.clip(after / np.maximum(before, 1e-20), 10 ** (floor_db / 20), 1.0)
    return float(np.mean(20.0 * np.log10(gain), dtype=np.float64))
