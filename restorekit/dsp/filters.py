"""Small IIR filters for disc transfers: designs, how to run them, how long they ring.

Designs return second-order sections (``sos``, shaped ``(sections, 6)``, scipy's layout):

highpass_sos        Butterworth high-pass, for rumble
notch_comb_sos      narrow notches at a fundamental and its harmonics, for mains hum
playback_eq_sos     78rpm and pre-RIAA playback de-emphasis from bass turnover, 10 kHz
                    roll-off and bass shelf, normalised to 0 dB at 1 kHz

and three functions run or measure them on ``(channels, frames)`` arrays (1-D: one
channel):

causal_filter       forwards from rest, as an analogue network would
zero_phase_filter   forwards then backwards over the padded signal: no phase shift
decay_length        how many frames the (zero-phase) impulse response takes to die away,
                    so that a long file cut into overlapping blocks filters as the whole
"""

from __future__ import annotations

import math

import numpy as np

from restorekit.audio import check_sample_rate
from restorekit.checks import check_integer, check_number
from restorekit.dsp.arrays import as_channels, like_input
from restorekit.errors import ParameterError

__all__ = ["highpass_sos", "notch_comb_sos", "playback_eq_sos", "causal_filter",
           "zero_phase_filter", "decay_length", "PADTYPES"]

PADTYPES = ("reflect", "zero")
REFERENCE_HZ = 1000.0  # playback curves are quoted relative to 1 kHz
ROLLOFF_HZ = 10000.0  # ... and their treble cut as the loss at 10 kHz
# A notch of bandwidth B run forwards and backwards is -3 dB where one pass is -1.5 dB:
# designing each pass with its bandwidth parameter scaled by sqrt(sqrt 2 - 1) puts
# the -3 dB points of the pair exactly where one pass would have had them.
_ZERO_PHASE_WIDTH = math.sqrt(math.sqrt(2.0) - 1.0)
_MAX_DECAY = 2**27  # frames; about 47 minutes at 48 kHz


def highpass_sos(cutoff_hz: float, *, sample_rate: int, order: int = 4) -> np.ndarray:
    """Butterworth high-pass sections.

    Maximally flat in the pass band (Butterworth 1930), ``order * 6`` dB/octave below
    ``cutoff_hz``, -3 dB at the cut-off for one pass (-6 dB run forwards and
    backwards, with twice the slope). Designed by scipy's bilinear transform, which
    pre-warps the cut-off so it lands exactly.

    Parameters
    ----------
    cutoff_hz : float
        -3 dB frequency of one pass, above 0 and below 0.45 times the sample rate.
    sample_rate : int
    order : int
        1 to 10.

    Returns
    -------
    numpy.ndarray
        ``(ceil(order / 2), 6)`` sections.

    References
    ----------
    S. Butterworth, "On the theory of filter amplifiers", Wireless Engineer 7,
    536-541, 1930.
    """
    from scipy.signal import butter  # slow to import

    rate = check_sample_rate(sample_rate)
    cutoff_hz = check_number(cutoff_hz, name="cutoff_hz", low=0.0, high=0.45 * rate,
                             low_open=True)
    order = check_integer(order, name="order", low=1, high=10)
    return butter(order, cutoff_hz, btype="highpass", fs=rate, output="sos")


def notch_comb_sos(fundamental_hz: float, *, sample_rate: int, harmonics=8,
                   q: float = 30.0, zero_phase: bool = False) -> np.ndarray:
    """Second-order notches at a fundamental and chosen harmonics, one section each.

    Each notch is Orfanidis' (1996, sec. 11.3.2) bilinear-transform design: zeros on the
    unit circle at the harmonic, poles just inside, -3 dB bandwidth exactly
    ``k * fundamental_hz / q``. With ``zero_phase=True`` every section is narrowed so
    that running the comb forwards and backwards (which squares its magnitude) has
    that -3 dB bandwidth instead of one pass; the notches stay infinitely deep.

    Parameters
    ----------
    fundamental_hz : float
        Above 0 Hz.
    sample_rate : int
    harmonics : int or sequence of int
        ``n`` notches the fundamental and its first ``n - 1`` overtones (1 to 200); a
        sequence names the multiples to notch (1 is the fundamental). Each must lie
        below half the sample rate.
    q : float
        Centre frequency over -3 dB bandwidth, 0.5 to 1000, the same for every notch
        (so the widths grow with the harmonic, as a mains frequency drift does).
    zero_phase : bool
        Design for :func:`zero_phase_filter` rather than one pass.

    Returns
    -------
    numpy.ndarray
        One section per harmonic, in the order given.

    References
    ----------
    S. J. Orfanidis, Introduction to Signal Processing, Prentice Hall, 1996, sec. 11.3
    (notch and comb filters).
    """
    rate = check_sample_rate(sample_rate)
    fundamental_hz = check_number(fundamental_hz, name="fundamental_hz", low=0.0,
                                  high=rate / 2, low_open=True)
    q = check_number(q, name="q", low=0.5, high=1000.0)
    multiples = _check_harmonics(harmonics)
    sections = []
    for k in multiples:
        w0 = 2.0 * np.pi * k * fundamental_hz / rate
        if w0 >= np.pi:
            raise ParameterError(f"harmonic {k} of {fundamental_hz:g} Hz lies at or above "
                                 f"half the sample rate ({rate / 2:g} Hz); leave it out.")
        if w0 / q >= np.pi:
            raise ParameterError(f"q = {q:g} makes the notch at harmonic {k} wider than "
                                 "the whole band; raise q.")
        beta = np.tan(w0 / q / 2.0) * (_ZERO_PHASE_WIDTH if zero_phase else 1.0)
        gain = 1.0 / (1.0 + beta)
        cos = np.cos(w0)
        sections.append([gain, -2.0 * gain * cos, gain, 1.0, -2.0 * gain * cos,
                         2.0 * gain - 1.0])
    return np.array(sections, dtype=np.float64)


def _check_harmonics(harmonics) -> list[int]:
    if isinstance(harmonics, (int, np.integer)) and not isinstance(harmonics, bool):
        return list(range(1, check_integer(harmonics, name="harmonics", low=1, high=200) + 1))
    try:
        multiples = [check_integer(k, name="each harmonic", low=1, high=200)
                     for k in harmonics]
    except TypeError:
        multiples = []
    if not multiples or len(set(multiples)) != len(multiples):
        raise ParameterError(f"harmonics must be a count or a sequence of distinct "
                             f"multiples, e.g. 8 or (1, 2, 3), got {harmonics!r}.")
    return multiples


def playback_eq_sos(*, turnover_hz: float | None, rolloff_db: float,
                    shelf_hz: float | None, sample_rate: int) -> np.ndarray:
    """Playback de-emphasis of a disc recording curve, as one section.

    The curve is the analogue RC de-emphasis the record tables describe (Graumann
    1958; Powell & Stehle 2007): a bass boost of 6 dB/octave below ``turnover_hz``
    (zero at the turnover, pole at ``shelf_hz``, where the boost levels off), and a
    treble cut by one RC low-pass whose own loss at 10 kHz is ``rolloff_db``:

    .. math:: H(s) = \\frac{1 + s\\tau_2}{(1 + s\\tau_1)(1 + s\\tau_3)}, \\qquad
              \\tau_1 = \\frac{1}{2\\pi f_{shelf}},\\ \\tau_2 = \\frac{1}{2\\pi f_{turnover}},
              \\ 10\\log_{10}(1 + (2\\pi\\,10\\,\\mathrm{kHz}\\,\\tau_3)^2) = -\\mathrm{rolloff}.

    The roll-off figure is the RC network's alone, as the tables quote it (RIAA's
    75 us is "-13.7 dB"); the whole curve at 10 kHz, relative to 1 kHz, also carries
    the bass section's tail and the treble section's loss at 1 kHz, so it differs (by
    -1.9 dB for RCA's 800 Hz / -8 dB curve). The bass section is mapped by the bilinear
    transform pre-warped at the turnover (at such low frequencies warping is
    negligible). The treble pole is mapped by the matched z-transform and its zero
    placed to give the analogue magnitude at 0 Hz and at 10 kHz (or 0.4 times the
    sample rate, if lower): the bilinear transform squeezes the RC slope into the band
    below Nyquist, for 75 us at 44.1 kHz 1.6 dB off at 10 kHz, or pre-warped there
    0.8 dB off at 4.4 kHz, whereas this follows the analogue curve within 0.03 dB to
    10 kHz. The result is minimum phase, like the network it models, so run causally
    it undoes the cutter's phase as well as its magnitude. Gain is 0 dB at 1 kHz.

    Parameters
    ----------
    turnover_hz : float or None
        Bass turnover, 50 to 5000 Hz; None: no bass boost (``shelf_hz`` must be None).
    rolloff_db : float
        Treble loss of the RC network at 10 kHz, -30 to 0 dB (0: no treble cut).
    shelf_hz : float or None
        Where the bass boost levels off, 1 Hz to below ``turnover_hz``; needed with a
        turnover, since a boost that rose without limit is not a stable filter.
    sample_rate : int

    Returns
    -------
    numpy.ndarray
        ``(1, 6)``: one section.

    References
    ----------
    H. Graumann, "Schallplatten-Schneidkennlinien und ihre Entzerrung", Funkschau 1958,
    Heft 15, pp. 359 ff. (time constants of the recording curves).
    J. R. Powell and R. G. Stehle, Playback Equalizer Settings for 78 RPM Recordings,
    3rd ed., Gramophone Adventures, 2007.
    """
    rate = check_sample_rate(sample_rate)
    rolloff_db = check_number(rolloff_db, name="rolloff_db", low=-30.0, high=0.0)
    num, den = np.array([1.0]), np.array([1.0])
    if turnover_hz is not None:
        turnover_hz = check_number(turnover_hz, name="turnover_hz", low=50.0, high=5000.0)
        if shelf_hz is None:
            raise ParameterError("shelf_hz must be given with a turnover: where the bass "
                                 "boost levels off, e.g. 20 Hz.")
        shelf_hz = check_number(shelf_hz, name="shelf_hz", low=1.0, high=turnover_hz)
        if shelf_hz == turnover_hz:
            raise ParameterError(f"shelf_hz must lie below turnover_hz ({turnover_hz:g} "
                                 f"Hz), got {shelf_hz!r}.")
        num, den = _bilinear_shelf(turnover_hz, shelf_hz, rate)
    elif shelf_hz is not None:
        raise ParameterError("shelf_hz limits a bass boost: give turnover_hz too, or "
                             "leave shelf_hz None.")
    if rolloff_db < 0.0:
        b, a = _matched_rc_lowpass(rolloff_db, rate)
        num, den = np.convolve(num, b), np.convolve(den, a)
    num, den = np.pad(num, (0, 3 - num.size)), np.pad(den, (0, 3 - den.size))
    num = num / abs(_response(num, den, REFERENCE_HZ / rate))
    return np.concatenate([num, den])[np.newaxis, :]


def _bilinear_shelf(zero_hz: float, pole_hz: float, rate: int):
    """(1 + s / w_zero) / (1 + s / w_pole) by the bilinear transform, warped at the zero."""
    w = 2.0 * np.pi * zero_hz
    k = w / np.tan(w / (2.0 * rate))  # s = k (1 - 1/z) / (1 + 1/z)
    b = np.array([k / w + 1.0, 1.0 - k / w])
    a = np.array([k / (2.0 * np.pi * pole_hz) + 1.0, 1.0 - k / (2.0 * np.pi * pole_hz)])
    return b / a[0], a / a[0]


def _matched_rc_lowpass(rolloff_db: float, rate: int):
    """One-pole low-pass losing ``-rolloff_db`` at 10 kHz, matched to the RC network."""
    corner = ROLLOFF_HZ / math.sqrt(10.0 ** (-rolloff_db / 10.0) - 1.0)
    match = min(ROLLOFF_HZ, 0.4 * rate)
    target = 1.0 / math.hypot(1.0, match / corner)  # the analogue magnitude there
    pole = math.exp(-2.0 * np.pi * corner / rate)
    # H = g (1 + beta/z) / (1 - pole/z), g = (1 - pole) / (1 + beta) for unit gain at DC.
    # |H|^2 = target^2 at the match frequency is a quadratic in beta whose two roots
    # are reciprocal; the one inside the unit circle keeps the filter minimum phase.
    c = math.cos(2.0 * np.pi * match / rate)
    d = target**2 * (1.0 - 2.0 * pole * c + pole**2) / (1.0 - pole) ** 2
    if abs(1.0 - d) < 1e-12:  # the matched pole alone already gives the target
        beta = 0.0
    else:
        p = (c - d) / (1.0 - d)
        beta = -p + math.copysign(math.sqrt(max(p * p - 1.0, 0.0)), p)
    gain = (1.0 - pole) / (1.0 + beta)
    return np.array([gain, gain * beta]), np.array([1.0, -pole])


def _response(b: np.ndarray, a: np.ndarray, cycles_per_sample: float) -> complex:
    z = np.exp(-2j * np.pi * cycles_per_sample * np.arange(b.size))
    return complex(np.dot(b, z) / np.dot(a, z))


def causal_filter(sos, samples) -> np.ndarray:
    """Run ``sos`` forwards along the frames, starting from rest (silence before).

    Parameters
    ----------
    sos : array_like
        ``(sections, 6)``.
    samples : numpy.ndarray
        ``(channels, frames)`` or 1-D.

    Returns
    -------
    numpy.ndarray
        The same shape and float type as ``samples``.
    """
    from scipy.signal import sosfilt  # slow to import

    sos = _check_sos(sos)
    x = as_channels(samples)
    return like_input(sosfilt(sos, x, axis=-1), samples)


def zero_phase_filter(sos, samples, *, padlen: int | None = None,
                      padtype: str = "reflect") -> np.ndarray:
    """Run ``sos`` forwards, then backwards over the result: zero phase, squared gain.

    The signal is first extended by ``padlen`` frames at each end, the filter runs
    forwards from rest over the extended signal and backwards from rest over that, and
    the extension is cut off. The impulse response is then the filter's
    autocorrelation, symmetric about zero, so nothing moves in time: what a restorer
    scored sample by sample against the clean signal needs (Gustafsson 1996 studies
    how such edges are best started; the extension here is what makes a block of a
    long file filter as the whole does, see :func:`decay_length`).

    Parameters
    ----------
    sos : array_like
        ``(sections, 6)``.
    samples : numpy.ndarray
        ``(channels, frames)`` or 1-D; at least one frame.
    padlen : int or None
        Frames added at each end, 0 or more; None: ``decay_length(sos,
        zero_phase=False)``, enough for the start-up at the extension's far end to die
        away before the signal begins.
    padtype : {"reflect", "zero"}
        ``"reflect"`` mirrors the signal about its end frames (no jump in level, unlike
        zeros, so a high-pass does not ring on an offset); ``"zero"`` extends with
        silence, which gives exactly the truncated two-sided convolution of the signal
        with nothing beyond it.

    Returns
    -------
    numpy.ndarray
        The same shape and float type as ``samples``.

    References
    ----------
    F. Gustafsson, "Determining the initial states in forward-backward filtering", IEEE
    Trans. Signal Processing 44(4), 988-992, 1996.
    """
    from scipy.signal import sosfilt  # slow to import

    sos = _check_sos(sos)
    x = as_channels(samples)
    if x.shape[1] == 0:
        raise ParameterError("samples must hold at least one frame to filter.")
    if padtype not in PADTYPES:
        raise ParameterError(f"padtype must be one of {PADTYPES}, got {padtype!r}.")
    pad = decay_length(sos, zero_phase=False) if padlen is None else check_integer(
        padlen, name="padlen", low=0, high=_MAX_DECAY)
    # one frame cannot be mirrored; repeating it is the same idea
    mode = "constant" if padtype == "zero" else "reflect" if x.shape[1] > 1 else "edge"
    padded = np.pad(x, ((0, 0), (pad, pad)), mode=mode) if pad else x
    forward = sosfilt(sos, padded, axis=-1)
    both = sosfilt(sos, forward[:, ::-1], axis=-1)[:, ::-1]
    return like_input(both[:, pad: pad + x.shape[1]], samples)


def decay_length(sos, *, tol: float = 1e-7, zero_phase: bool = True) -> int:
    """Frames after which a filter's impulse response has all but died away.

    The smallest ``n`` such that the magnitudes of the impulse response beyond ``n``
    frames (both sides for the zero-phase response, the filter's autocorrelation) sum
    to at most ``tol`` times its peak magnitude. That bounds what truncating there
    changes: an output sample moves by at most ``tol * peak * max|x|`` if input more
    than ``n`` frames away is altered or dropped. So a block that reaches ``n`` frames
    past the part kept filters that part as the whole signal would, within that. (A
    bound on the sum is stricter than the samples themselves falling under ``tol``: a
    narrow notch rings for thousands of periods, and its tail adds up.)

    The response is computed, not estimated from the poles: by running the filter on
    an impulse (and the zero-phase one by running it again on the reversed result),
    doubling the length until the tail found lies inside the first half.

    Parameters
    ----------
    sos : array_like
        ``(sections, 6)``, stable (every pole inside the unit circle).
    tol : float
        Relative size of the tail allowed, above 0 and below 1.
    zero_phase : bool
        Measure the forward-backward response (True) or one forward pass.

    Returns
    -------
    int
    """
    from scipy.signal import sosfilt  # slow to import

    sos = _check_sos(sos)
    tol = check_number(tol, name="tol", low=0.0, high=1.0, low_open=True)
    radius = max((float(np.max(np.abs(np.roots(s[3:])), initial=0.0)) for s in sos),
                 default=0.0)
    if radius >= 1.0:
        raise ParameterError(f"the filter is unstable (a pole at radius {radius:.6g}); "
                             "its response never dies away.")
    # first guess: three times where the slowest pole has decayed by tol * 1e-3
    length = 64 if radius < 1e-3 else int(min(_MAX_DECAY, max(64, 3 * math.log(tol * 1e-3)
                                                                 / math.log(radius))))
    while True:
        impulse = np.zeros(length)
        impulse[0] = 1.0
        response = sosfilt(sos, impulse)
        if zero_phase:
            # filtering the reversed response gives the autocorrelation, lag 0 last
            response = sosfilt(sos, response[::-1])[::-1]
        magnitude = np.abs(response)
        # tail[n]: the sum of magnitudes beyond n (both sides for zero phase)
        tail = (2.0 if zero_phase else 1.0) * (np.cumsum(magnitude[::-1])[::-1] - magnitude)
        n = int(np.argmax(tail <= tol * magnitude.max()))
        if n <= length // 2 or length >= _MAX_DECAY:
            if n > length // 2:
                raise ParameterError(f"the filter rings for more than {_MAX_DECAY} frames "
                                     "at this tolerance.")
            return n
        length *= 2


def _check_sos(sos) -> np.ndarray:
    array = np.asarray(sos, dtype=np.float64)
    if array.ndim != 2 or array.shape[1] != 6 or array.shape[0] == 0:
        raise ParameterError(f"sos must be second-order sections shaped (sections, 6), "
                             f"got shape {array.shape}.")
    if not np.isfinite(array).all() or np.any(array[:, 3] != 1.0):
        raise ParameterError("sos must hold finite coefficients with a0 = 1 in every "
                             "section.")
    return array
