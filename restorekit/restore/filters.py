"""Linear filters for what the turntable and the cutting lathe add to a transfer.

Derumble     zero-phase Butterworth high-pass below the music (motor and bearing rumble)
Dehum        zero-phase notches at the mains frequency and the harmonics that stand out
PlaybackEQ   the playback de-emphasis of the disc's recording curve, from named presets
             (:data:`CURVES`) or turnover, roll-off and shelf

Streaming. :meth:`context` is the :func:`~restorekit.dsp.filters.decay_length` of the
filter as applied: past it the impulse response's magnitudes sum to under 1e-7 of its
peak, so a block reaching that far past the part kept filters that part as the whole
file does, within 1e-7 of full scale; what is assumed beyond a block's ends (a mirror
image, a fitted hum) lies further away. The grid is 1.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from restorekit.audio import Audio, check_audio
from restorekit.checks import check_integer, check_number
from restorekit.dsp.filters import (
    causal_filter,
    decay_length,
    highpass_sos,
    notch_comb_sos,
    playback_eq_sos,
    zero_phase_filter,
)
from restorekit.errors import ParameterError
from restorekit.restore.base import Restorer

__all__ = ["Derumble", "Dehum", "PlaybackEQ", "PlaybackCurve", "CURVES"]

# How far the start-up of a filter run over a block's extension may still reach into
# the signal, relative to what started it: 1e-3, -60 dB.
_PAD_TOL = 1e-3
_HIGHEST = 0.45  # notches stop here, as the hum generator's harmonics do
_MAINS = (50.0, 60.0)
_DETUNING = 0.01  # detect_hum looks within 1 % of the nominal mains frequency
_FIT_SECONDS = 1.0  # the hum model is fitted to this much at each end of a block
_FIT_PERIODS = 2.0  # ... and not at all to less than this many periods of the hum


class _Filter(Restorer):
    """A restorer made of one linear filter: fit shape checks and cached designs."""

    def __init__(self, *, mix: float):
        super().__init__(mix=mix)
        self._fitted_on: tuple[int, int] | None = None
        self._designs: dict[Any, tuple[np.ndarray, int, int]] = {}

    def fit(self, noise: Audio) -> _Filter:
        """Note the noise's rate and channels; see the subclass for anything learnt."""
        noise = check_audio(noise, who=f"{type(self).__name__}.fit")
        self._fitted_on = (noise.sample_rate, noise.channels)
        self._learn(noise)
        return self

    def _learn(self, noise: Audio) -> None:
        pass

    def _check_fitted(self, audio: Audio) -> None:
        if self._fitted_on is not None and self._fitted_on != (audio.sample_rate,
                                                               audio.channels):
            rate, channels = self._fitted_on
            raise ParameterError(
                f"{type(self).__name__} was fitted on {channels}-channel noise at {rate} Hz "
                f"but asked to restore {audio.channels}-channel audio at "
                f"{audio.sample_rate} Hz; fit it on noise from the same transfer.")

    def _design(self, key, make, *, zero_phase: bool) -> tuple[np.ndarray, int, int]:
        """``(sos, context, padlen)`` for ``key``, made by ``make()`` once."""
        if key not in self._designs:
            sos = make()
            self._designs[key] = (sos, decay_length(sos, zero_phase=zero_phase),
                                  decay_length(sos, tol=_PAD_TOL, zero_phase=False))
        return self._designs[key]


class Derumble(_Filter):
    """Remove rumble: a zero-phase Butterworth high-pass under the music.

    Motor and bearing rumble lie at 5 to 30 Hz, below nearly all music (Godsill & Rayner
    1998 treat such low-frequency noise as additive and separable by band), which is
    how :class:`~restorekit.degrade.noise.Rumble` makes it. An ``order`` Butterworth
    high-pass (:func:`~restorekit.dsp.filters.highpass_sos`) is run forwards and
    backwards: -6 dB at ``cutoff_hz``, ``12 * order`` dB/octave below (-76 dB at
    10 Hz for the default), and at 200 Hz within 1e-6 dB of unity.

    Zero phase, not the minimum phase of an analogue rumble filter: a causal 4th-order
    high-pass at 30 Hz turns 60 Hz by 78 degrees and 100 Hz by 46, pulling a bass note's
    fundamental away from its overtones, which a sample-by-sample comparison with the
    clean signal counts as damage. The price is a symmetric impulse response, so the
    sub-cut-off part of a transient rings before it as well as after; it lies below
    30 Hz and within a few tens of milliseconds of the transient, where it is masked.
    The signal is mirrored about its ends before filtering (no step for the filter to
    ring on, even over a DC offset).

    Parameters
    ----------
    cutoff_hz : float
        -6 dB frequency, 10 to 200 Hz.
    order : int
        Butterworth order of one pass, 1 to 8.
    mix : float
        Dry/wet balance, 0 to 1.

    References
    ----------
    S. Butterworth, "On the theory of filter amplifiers", Wireless Engineer 7,
    536-541, 1930.
    S. J. Godsill and P. J. W. Rayner, Digital Audio Restoration, Springer, 1998
    (low-frequency noise and its removal).
    """

    name = "derumble"

    def __init__(self, *, cutoff_hz: float = 30.0, order: int = 4, mix: float = 1.0):
        super().__init__(mix=mix)
        self.cutoff_hz = check_number(cutoff_hz, name="cutoff_hz", low=10.0, high=200.0)
        self.order = check_integer(order, name="order", low=1, high=8)

    def context(self, sample_rate: int) -> int:
        """Decay length of the zero-phase high-pass."""
        return self._highpass(sample_rate)[1]

    def _highpass(self, rate: int):
        return self._design((rate, self.cutoff_hz, self.order),
                            lambda: highpass_sos(self.cutoff_hz, sample_rate=rate,
                                                 order=self.order), zero_phase=True)

    def _process(self, audio: Audio, *, offset: int = 0):
        self._check_fitted(audio)
        sos, context, pad = self._highpass(audio.sample_rate)
        wet = zero_phase_filter(sos, audio.samples.astype(np.float64), padlen=pad,
                                padtype="reflect")
        return wet, None, {"cutoff_hz": self.cutoff_hz, "order": self.order,
                           "context_frames": context}


class Dehum(_Filter):
    """Remove mains hum: zero-phase notches at its fundamental and harmonics.

    Hum is steady sinusoids at multiples of the mains frequency
    (:class:`~restorekit.degrade.noise.Hum`), so a comb of narrow notches takes it out
    (Orfanidis 1996, sec. 11.3; Vaseghi 2008; Godsill & Rayner 1998), one per harmonic
    (:func:`~restorekit.dsp.filters.notch_comb_sos`), run forwards and backwards so
    music near a harmonic keeps its phase. Each notch is ``f / q`` wide at -3 dB (1.7 Hz
    at 50 Hz by default), infinitely deep at its centre, under 0.1 dB a few widths away.

    With ``frequency_hz`` given, every multiple up to ``harmonics`` is notched. Without
    it, :func:`~restorekit.analysis.hum.detect_hum` finds the exact fundamental near
    50 or 60 Hz and the partials that stand out, in the noise given to :meth:`fit` or,
    if not fitted, in the audio itself (a block driver must fit first or give the
    frequency: blocks measured separately would get different notches), and only those
    partials are notched. With no hum found the audio passes unchanged, and the report
    says so. Harmonics at or above 0.45 times the sample rate are left alone.

    At the two ends of the audio given, the hum is continued by its least-squares fit
    (a constant plus a sinusoid at each notch, over up to a second at that end) before
    filtering, so the notches meet a steady hum rather than one that starts abruptly;
    otherwise they would ring on it for a few tenths of a second.

    Parameters
    ----------
    frequency_hz : float or None
        Mains fundamental, 10 to 1000 Hz; None: detect it.
    harmonics : int
        How many multiples to notch (given) or examine (detected), 1 to 40.
    q : float
        Centre frequency over the -3 dB width of each notch as applied, 5 to 200. A
        notch's ringing falls by e every ``0.5 * q / f`` seconds (0.3 s at 50 Hz for
        the default), so :meth:`context` is some 16 times that.
    mix : float
        Dry/wet balance, 0 to 1.

    References
    ----------
    S. J. Orfanidis, Introduction to Signal Processing, Prentice Hall, 1996, sec. 11.3.
    S. V. Vaseghi, Advanced Digital Signal Processing and Noise Reduction, 4th ed.,
    Wiley, 2008.
    S. J. Godsill and P. J. W. Rayner, Digital Audio Restoration, Springer, 1998.
    """

    name = "dehum"

    def __init__(self, *, frequency_hz: float | None = None, harmonics: int = 8,
                 q: float = 30.0, mix: float = 1.0):
        super().__init__(mix=mix)
        self.frequency_hz = None if frequency_hz is None else check_number(
            frequency_hz, name="frequency_hz", low=10.0, high=1000.0)
        self.harmonics = check_integer(harmonics, name="harmonics", low=1, high=40)
        self.q = check_number(q, name="q", low=5.0, high=200.0)
        self._found: dict[str, Any] | None = None

    def _learn(self, noise: Audio) -> None:
        if self.frequency_hz is None:
            self._found = self._detect(noise, source="fitted noise")

    def context(self, sample_rate: int) -> int:
        """Decay length of the zero-phase notch comb (for undetected hum: the lowest
        fundamental detection can return, every harmonic notched)."""
        if self.frequency_hz is not None:
            plan = self._given()
        elif self._found is not None:
            plan = self._found
        else:
            plan = {"frequency_hz": min(_MAINS) * (1.0 - _DETUNING),
                    "multiples": list(range(1, self.harmonics + 1))}
        return self._plan_design(plan, sample_rate)[1]

    def _given(self) -> dict[str, Any]:
        return {"frequency_hz": self.frequency_hz,
                "multiples": list(range(1, self.harmonics + 1)),
                "source": "given", "hum": "not measured (frequency given)"}

    def _detect(self, audio: Audio, *, source: str) -> dict[str, Any]:
        from restorekit.analysis.hum import detect_hum

        found = detect_hum(audio, mains=_MAINS, harmonics=self.harmonics)
        multiples = [] if not found.present else sorted(
            {round(freq / found.fundamental_hz) for freq, _, _ in found.harmonics})
        return {"frequency_hz": found.fundamental_hz, "multiples": multiples,
                "source": source, "hum": found.describe(), "hum_level_db": found.level_db}

    def _plan_design(self, plan: dict[str, Any], rate: int):
        f0 = plan["frequency_hz"]
        multiples = [] if f0 is None else [k for k in plan["multiples"]
                                           if k * f0 < _HIGHEST * rate]
        if not multiples:
            return None, 0, 0, multiples
        sos, context, pad = self._design(
            (rate, f0, tuple(multiples), self.q),
            lambda: notch_comb_sos(f0, sample_rate=rate, harmonics=multiples, q=self.q,
                                   zero_phase=True), zero_phase=True)
        return sos, context, pad, multiples

    def _process(self, audio: Audio, *, offset: int = 0):
        self._check_fitted(audio)
        if self.frequency_hz is not None:
            plan = self._given()
        else:
            plan = self._found or self._detect(audio, source="input (not fitted)")
        rate = audio.sample_rate
        x = audio.samples.astype(np.float64)
        report = {key: plan.get(key) for key in ("frequency_hz", "source", "hum",
                                                 "hum_level_db")}
        report["q"] = self.q
        if plan["frequency_hz"] is None:
            return x, None, {**report, "notches_hz": [], "context_frames": 0}
        sos, context, pad, multiples = self._plan_design(plan, rate)
        report.update(notches_hz=[k * plan["frequency_hz"] for k in multiples],
                      context_frames=context)
        if sos is None:
            return x, None, report
        f0, n = plan["frequency_hz"], x.shape[1]
        fit = min(n, round(_FIT_SECONDS * rate), max(context, 1))
        extended = np.concatenate([_continued(x[:, :fit], f0, multiples, rate, -pad), x,
                                   _continued(x[:, n - fit:], f0, multiples, rate, pad)],
                                  axis=1)
        wet = zero_phase_filter(sos, extended, padlen=0)
        return wet[:, pad: pad + x.shape[1]], None, report


def _continued(edge: np.ndarray, f0: float, multiples: list[int], rate: int,
               frames: int) -> np.ndarray:
    """``abs(frames)`` frames continuing ``edge`` backwards (negative) or forwards.

    The continuation is the least-squares fit to ``edge`` of a constant plus a sinusoid
    at each notch: the hum, carried on steadily, and the offset, without the music.
    Too short an edge to tell the sinusoids from a constant is continued by its mean.
    """
    count = abs(frames)
    n = edge.shape[1]
    if count == 0 or n < _FIT_PERIODS * rate / f0:
        return np.repeat(edge.mean(axis=1, keepdims=True), count, axis=1)
    # time 0 is the edge's first frame going backwards, the frame after it going forwards
    fitted = np.arange(n) if frames < 0 else np.arange(-n, 0)
    step = np.exp(2j * np.pi * f0 / rate * fitted)
    powers = np.empty((n, max(multiples)), dtype=complex)
    powers[:, 0] = step
    for k in range(1, powers.shape[1]):
        np.multiply(powers[:, k - 1], step, out=powers[:, k])
    powers = powers[:, np.array(multiples) - 1]
    basis = np.hstack([np.ones((n, 1)), powers.real, powers.imag])
    # normal equations: 2k + 1 unknowns, columns nearly orthogonal over whole periods
    coef = np.linalg.lstsq(basis.T @ basis, basis.T @ edge.T, rcond=None)[0]
    k = len(multiples)
    # the model's sinusoids as one polynomial in z = exp(i w0 t), summed by Horner's rule
    amplitudes = np.zeros((max(multiples) + 1, edge.shape[0]), dtype=complex)
    amplitudes[multiples] = coef[1: k + 1] - 1j * coef[k + 1:]
    z = np.exp(2j * np.pi * f0 / rate * (np.arange(-count, 0) if frames < 0
                                         else np.arange(count)))[:, np.newaxis]
    total = np.zeros((count, edge.shape[0]), dtype=complex)
    for amplitude in amplitudes[:0:-1]:
        total += amplitude
        total *= z
    return (total.real + coef[0]).T


@dataclass(frozen=True)
class PlaybackCurve:
    """A recording curve as playback equalisers set it (see :data:`CURVES`): bass
    ``turnover_hz`` (None: no boost), the treble network's loss at 10 kHz
    ``rolloff_db`` (0: none), ``shelf_hz`` where the boost levels off (None: the curve
    names none), and a ``description`` of the labels and years it is for."""

    turnover_hz: float | None
    rolloff_db: float
    shelf_hz: float | None
    description: str

    def to_dict(self) -> dict[str, Any]:
        """The fields as a JSON-friendly dict."""
        return asdict(self)


# f = 1 / (2 pi tau) and roll-off -10 log10(1 + (2 pi 10 kHz tau)^2) from the time
# constants in Table 1 of the Audacity wiki's "Playback equalization for 78 rpm
# shellacs and early 33 1/3 LPs" (W. Leister), mostly Graumann's Tab. 2a (1958), with
# Copeland (2008) for Decca; Powell & Stehle (2007) list labels in the same terms.
CURVES: dict[str, PlaybackCurve] = {
    "flat": PlaybackCurve(None, 0.0, None, "none: acoustic recordings, or already equalised"),
    "european_78": PlaybackCurve(250.2, 0.0, None, "250N-0: European 78s, 1926-46 (HMV)"),
    "blumlein_300": PlaybackCurve(299.7, 0.0, None, "300N-0: EMI, Decca UK, 1927-46"),
    "blumlein_500": PlaybackCurve(500.5, 0.0, None, "500N-0: EMI, HMV, MGM, 1931-53"),
    "telefunken_78": PlaybackCurve(400.0, 0.0, None, "400N-0: Telefunken, Ultraphon"),
    "american_78": PlaybackCurve(250.2, -6.0, None, "250N-6: American 78s, 1926-51"),
    "american_78_8": PlaybackCurve(250.2, -8.0, None, "250N-8: American 78s, 1926-51"),
    "columbia_78": PlaybackCurve(300.3, -16.07, None, "300N-16: US Columbia, 1938-48"),
    "old_rca": PlaybackCurve(799.8, -8.01, None, "800N-8: RCA Victor, 1941-47"),
    "decca_78": PlaybackCurve(299.7, -5.40, None, "300N-5.5: Decca/London ffrr, 1944-56"),
    "ccir_78": PlaybackCurve(353.7, -10.36, None, "350N-10.5: CCIR, German 78s, 1952-55"),
    "iec_n78": PlaybackCurve(353.7, -10.36, 50.05, "350A-10.5: IEC / BS 1928, 1955 on"),
    "aes": PlaybackCurve(399.9, -12.31, None, "400N-12.3: AES 1951, US 78s of the 1930-40s"),
    "nab_1942": PlaybackCurve(500.5, -16.07, None, "500N-16: NAB transcriptions, 1942-49"),
    "riaa": PlaybackCurve(500.5, -13.66, 50.05, "500R-13.7: RIAA, 1955 on (late 78s)"),
}
DEFAULT_SHELF_HZ = 20.0  # for curves that name none ("N"): see PlaybackEQ


class PlaybackEQ(_Filter):
    """Undo the recording curve: the playback de-emphasis a flat transfer still needs.

    Electrical recordings were cut with the bass below a turnover reduced (so the
    groove stays narrow) and often the treble raised (over the surface noise); a flat
    transfer still carries both. This applies the inverse,
    :func:`~restorekit.dsp.filters.playback_eq_sos`: bass boosted 6 dB/octave below
    ``turnover_hz`` down to ``shelf_hz``, treble cut by one RC network losing
    ``rolloff_db`` at 10 kHz, 0 dB at 1 kHz.

    Causal and minimum phase, unlike the zero-phase filters here: the cutter's networks
    were, so their exact inverse restores the phase as well as the level of what the
    microphone gave; a zero-phase filter of the same magnitude would leave the cutter's
    phase shift in place.

    Curves whose definition stops at the turnover (code letter "N") have no shelf; one
    is put at ``DEFAULT_SHELF_HZ`` (20 Hz), since a boost rising without limit would
    raise DC and subsonic rumble without limit, and is not a stable filter. The curve
    is then within 0.7 dB of the unlimited one from 50 Hz up. Even so the boost at DC
    is ``20 log10(turnover / shelf)`` dB (22 to 32 dB): remove DC and rumble as well
    (:class:`Derumble`, before or after; the filters commute).

    Parameters
    ----------
    curve : str
        A name in :data:`CURVES` ("flat", the default, changes nothing).
    turnover_hz, rolloff_db, shelf_hz : float or None
        Override the curve's figures (None: keep them); see
        :func:`~restorekit.dsp.filters.playback_eq_sos` for the ranges.
    mix : float
        Dry/wet balance, 0 to 1.

    References
    ----------
    H. Graumann, "Schallplatten-Schneidkennlinien und ihre Entzerrung", Funkschau 1958,
    Heft 15, pp. 359 ff.
    J. R. Powell and R. G. Stehle, Playback Equalizer Settings for 78 RPM Recordings,
    3rd ed., Gramophone Adventures, 2007.
    P. Copeland, Manual of Analogue Sound Restoration Techniques, The British Library,
    2008, ch. 6.
    """

    name = "playback_eq"

    def __init__(self, *, curve: str = "flat", turnover_hz: float | None = None,
                 rolloff_db: float | None = None, shelf_hz: float | None = None,
                 mix: float = 1.0):
        super().__init__(mix=mix)
        if curve not in CURVES:
            raise ParameterError(f"curve must be one of {sorted(CURVES)}, got {curve!r}.")
        base = CURVES[curve]
        self.curve = curve
        self.turnover_hz = base.turnover_hz if turnover_hz is None else turnover_hz
        self.rolloff_db = base.rolloff_db if rolloff_db is None else rolloff_db
        if shelf_hz is None:
            shelf_hz = base.shelf_hz
            if shelf_hz is None and self.turnover_hz is not None:
                shelf_hz = DEFAULT_SHELF_HZ
        self.shelf_hz = shelf_hz
        # check the figures now, not at the first restore
        playback_eq_sos(turnover_hz=self.turnover_hz, rolloff_db=self.rolloff_db,
                        shelf_hz=self.shelf_hz, sample_rate=48000)

    def context(self, sample_rate: int) -> int:
        """Decay length of the causal equaliser (it looks back only)."""
        return self._equaliser(sample_rate)[1]

    def _equaliser(self, rate: int):
        key = (rate, self.turnover_hz, self.rolloff_db, self.shelf_hz)
        return self._design(key, lambda: playback_eq_sos(
            turnover_hz=self.turnover_hz, rolloff_db=self.rolloff_db,
            shelf_hz=self.shelf_hz, sample_rate=rate), zero_phase=False)

    def _process(self, audio: Audio, *, offset: int = 0):
        self._check_fitted(audio)
        sos, context, _ = self._equaliser(audio.sample_rate)
        wet = causal_filter(sos, audio.samples.astype(np.float64))
        return wet, None, {"curve": self.curve, "turnover_hz": self.turnover_hz,
                           "rolloff_db": self.rolloff_db, "shelf_hz": self.shelf_hz,
                           "context_frames": context}
