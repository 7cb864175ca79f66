"""Autoregressive (linear prediction) models: Burg fitting, residuals, LSAR interpolation.

An AR model of order ``p`` is held as coefficients ``a`` of length ``p + 1`` with
``a[0] = 1``. The prediction error (residual) is

    e[n] = sum_{k=0}^{p} a[k] x[n - k]        (``scipy.signal.lfilter(a, [1], x)``)

so the model reads ``x[n] = -sum_{k=1}^{p} a[k] x[n - k] + e[n]`` with ``e`` white.
Music is well predicted by such a model and a click is not, so clicks stand out in the
residual; :func:`lsar_interpolate` then rebuilds the damaged samples as the ones the
model finds most likely (Godsill & Rayner 1998, ch. 5).

References: J. P. Burg, *Maximum Entropy Spectral Analysis*, PhD thesis, Stanford, 1975.
S. M. Kay, *Modern Spectral Estimation*, Prentice Hall, 1988. A. J. E. M. Janssen,
R. N. J. Veldhuis and L. B. Vries, "Adaptive interpolation of discrete-time signals that
can be modeled as autoregressive processes", IEEE Trans. ASSP 34(2), 1986. S. J. Godsill
and P. J. W. Rayner, *Digital Audio Restoration*, Springer, 1998.
"""

from __future__ import annotations

import numpy as np

from restorekit.dsp.arrays import as_channels
from restorekit.errors import ParameterError

__all__ = ["burg", "levinson", "ar_residual", "lsar_interpolate", "fit_ar_blocks"]

# Rounding can carry a reflection coefficient to 1 or just past it on a perfectly
# predictable signal; the largest float below 1 keeps every fitted model stable.
_MAX_REFLECTION = np.nextafter(1.0, 0.0)


def _check_signal(x: object, *, name: str) -> np.ndarray:
    if np.ndim(x) != 1 or np.size(x) == 0:
        raise ParameterError(f"{name} must be a non-empty 1-D array, got shape "
                             f"{np.shape(x)}.")
    return as_channels(x, name=name)[0]


def _check_coefficients(a: object) -> np.ndarray:
    a = _check_signal(a, name="a")
    if a[0] != 1.0:
        raise ParameterError(f"a[0] must be 1 (a prediction-error filter), got {a[0]!r}.")
    return a


def _check_count(value: object, *, name: str, least: int) -> int:
    if (isinstance(value, bool) or not isinstance(value, (int, np.integer))
            or value < least):
        raise ParameterError(f"{name} must be an integer of at least {least}, got "
                             f"{value!r}.")
    return int(value)


def _check_fit(x: object, order: object) -> tuple[np.ndarray, int]:
    x = _check_signal(x, name="x")
    order = _check_count(order, name="order", least=1)
    if x.size <= order:
        raise ParameterError(f"x must have more samples than order={order} to fit a "
                             f"model, got {x.size}.")
    return x, order


def _burg(x: np.ndarray, order: int) -> tuple[np.ndarray, float]:
    """Burg's recursion on a checked 1-D float64 signal longer than ``order``."""
    a = np.zeros(order + 1)
    a[0] = 1.0
    if np.ptp(x) == 0:  # equal samples (silence, a DC offset) have no spectrum to model
        return a, 0.0
    variance = float(x @ x) / x.size
    # forward[i] and backward[i] are the errors that stage m pairs: predicting x[i + m + 1]
    # from the m samples before it, and x[i] from the m samples after it.
    forward, backward = x[1:].copy(), x[:-1].copy()
    work = np.empty((2, x.size - 1))
    for m in range(order):
        energy = forward @ forward + backward @ backward
        if energy == 0.0:  # the errors vanished: nothing is left to predict
            break
        k = -2.0 * (forward @ backward) / energy
        k = min(max(k, -_MAX_REFLECTION), _MAX_REFLECTION)
        # In place: on long signals fresh arrays every stage cost more than the arithmetic.
        step_forward = np.multiply(backward, k, out=work[0, : backward.size])
        step_backward = np.multiply(forward, k, out=work[1, : forward.size])
        forward += step_forward
        backward += step_backward
        forward, backward = forward[1:], backward[:-1]
        a[1 : m + 2] += k * a[m::-1]  # Levinson's order update
        variance *= 1.0 - k * k
    return a, float(variance)


def burg(x: np.ndarray, *, order: int) -> tuple[np.ndarray, float]:
    """Fit an AR model by Burg's method (Burg 1975; Kay 1988, §7.3).

    Each stage picks the reflection coefficient that minimises the summed energy of the
    forward and backward prediction errors, so every ``|k| < 1`` and the model is always
    stable (minimum phase), unlike a least-squares (covariance) fit. Each stage is a few
    vectorised inner products: O(order * len(x)).

    Parameters
    ----------
    x : numpy.ndarray
        1-D finite signal with more than ``order`` samples.
    order : int
        Model order ``p`` (at least 1); 20 to 40 suits music at 44.1 or 48 kHz.

    Returns
    -------
    a : numpy.ndarray
        float64 coefficients, length ``order + 1``, ``a[0] = 1``.
    error_variance : float
        Prediction error power, ``mean(x**2) * prod(1 - k**2)`` over the stages.
        A signal whose samples are all equal (silence or a constant) gives
        ``a = [1, 0, ..., 0]`` and 0, so callers can recognise and skip it.
    """
    return _burg(*_check_fit(x, order))


def levinson(r: np.ndarray, *, order: int) -> tuple[np.ndarray, np.ndarray]:
    """Solve the Yule-Walker equations by the Levinson-Durbin recursion (Kay 1988, §7.3).

    Vectorised over leading axes: each row of ``r`` is one autocorrelation sequence.

    Parameters
    ----------
    r : numpy.ndarray
        Autocorrelations ``r[..., 0:order + 1]`` (lag 0 first). A sequence from a
        windowed signal is positive definite, so every ``|k| < 1`` and every model is
        stable; a row with ``r[0] == 0`` (silence) gives ``a = [1, 0, ..., 0]``.
    order : int
        Model order ``p``, at least 1 and less than ``r.shape[-1]``.

    Returns
    -------
    a : numpy.ndarray
        float64 coefficients shaped ``r.shape[:-1] + (order + 1,)``, ``a[..., 0] = 1``.
    error_variance : numpy.ndarray
        Prediction error power per row.
    """
    r = np.asarray(r, dtype=np.float64)
    order = _check_count(order, name="order", least=1)
    if r.ndim < 1 or r.shape[-1] <= order:
        raise ParameterError(f"r needs at least order + 1 = {order + 1} lags, got shape "
                             f"{r.shape}.")
    a = np.zeros(r.shape[:-1] + (order + 1,))
    a[..., 0] = 1.0
    variance = r[..., 0].copy()
    live = variance > 0
    safe = np.where(live, variance, 1.0)
    for m in range(1, order + 1):
        # k_m = -(sum_{j<m} a_j r_{m-j}) / E_{m-1}
        k = -np.einsum("...j,...j->...", a[..., :m], r[..., m:0:-1]) / safe
        k = np.where(live, np.clip(k, -_MAX_REFLECTION, _MAX_REFLECTION), 0.0)
        a[..., 1: m + 1] += k[..., None] * a[..., m - 1:: -1][..., :m]
        safe = safe * (1.0 - k * k)
        live &= safe > 0
    return a, np.where(variance > 0, safe, 0.0)


def fit_ar_blocks(x: np.ndarray, *, order: int, block: int,
                  method: str = "burg") -> np.ndarray:
    """Fit an AR model to each of the consecutive blocks of ``x``.

    Parameters
    ----------
    x, order
        As for :func:`burg`.
    block : int
        Block length in samples, more than ``order``. A partial block left at the end
        joins the block before it, so no model is fitted on a scrap.
    method : {"burg", "autocorrelation"}
        :func:`burg` per block, or the autocorrelation (Yule-Walker) method on
        Hann-windowed blocks, all solved at once by :func:`levinson`. Burg's models are
        sharper on short blocks; the autocorrelation method is several times faster,
        and the window makes it less swayed by a click at a block's edge.

    Returns
    -------
    numpy.ndarray
        float64 coefficients shaped ``(max(1, len(x) // block), order + 1)``.
    """
    x, order = _check_fit(x, order)
    block = _check_count(block, name="block", least=order + 1)
    if method not in ("burg", "autocorrelation"):
        raise ParameterError(f"method must be 'burg' or 'autocorrelation', got {method!r}.")
    bounds = np.arange(max(1, x.size // block) + 1) * block
    bounds[-1] = x.size
    if method == "autocorrelation":
        return _yule_walker_blocks(x, order, bounds)
    # A loop over blocks that stay in cache beats one pass over a (blocks, block) array.
    return np.stack([_burg(x[lo:hi], order)[0]
                     for lo, hi in zip(bounds[:-1], bounds[1:], strict=True)])


def _yule_walker_blocks(x: np.ndarray, order: int, bounds: np.ndarray) -> np.ndarray:
    """Autocorrelation-method models for the blocks ``x[bounds[i]:bounds[i + 1]]``."""
    sizes = np.diff(bounds)
    r = np.empty((sizes.size, order + 1))
    # all blocks but the last have one length: window them together
    full = sizes.size - 1
    parts = [(x[: full * sizes[0]].reshape(full, sizes[0]), slice(0, full)),
             (x[bounds[-2]:][np.newaxis], slice(full, None))]
    for frames, rows in parts:
        if frames.size == 0:
            continue
        size = frames.shape[1]
        frames = frames * np.hanning(size + 2)[1:-1]
        # only order + 1 lags are needed: direct sums beat an FFT of twice the block
        for lag in range(order + 1):
            r[rows, lag] = np.einsum("ij,ij->i", frames[:, : size - lag], frames[:, lag:])
    # a whisper of white noise (-90 dB) keeps pure tones from making r singular
    r[:, 0] *= 1.0 + 1e-9
    return levinson(r, order=order)[0]


def ar_residual(x: np.ndarray, a: np.ndarray) -> np.ndarray:
    """Prediction error ``e[n] = sum_k a[k] x[n - k]`` of ``x`` under the model ``a``.

    Equal to ``scipy.signal.lfilter(a, [1], x)``: the first ``order`` samples are
    predicted from zeros before the start (there is no earlier history to use), so they
    carry the onset of the signal rather than a true prediction error.

    Parameters
    ----------
    x : numpy.ndarray
        1-D finite signal.
    a : numpy.ndarray
        AR coefficients with ``a[0] = 1`` (e.g. from :func:`burg`).

    Returns
    -------
    numpy.ndarray
        float64, same length as ``x``.
    """
    x = _check_signal(x, name="x")
    a = _check_coefficients(a)
    return np.convolve(x, a)[: x.size]


def lsar_interpolate(x: np.ndarray, missing: np.ndarray, a: np.ndarray) -> np.ndarray:
    """Replace ``missing`` samples by least-squares AR interpolation (LSAR).

    The missing samples ``x_u`` are those that minimise the summed squared prediction
    errors of the model ``a`` given the known samples ``x_k``, i.e. they solve
    ``(A_u^T A_u) x_u = -A_u^T A_k x_k`` (Janssen, Veldhuis & Vries 1986; Godsill &
    Rayner 1998, §5.2), where ``A`` is the banded Toeplitz prediction-error matrix.

    Gaps at least ``order`` known samples apart share no prediction error, so each cluster
    of closer gaps is solved alone, on a window of ``order`` known samples each side.
    There ``A_u^T A_u`` is banded, and away from the ends of ``x`` its entries are the
    autocorrelation of the coefficients, ``R_a[j] = sum_k a[k] a[k + j]``.

    Parameters
    ----------
    x : numpy.ndarray
        1-D finite signal.
    missing : numpy.ndarray
        Boolean mask, same shape as ``x``: True where a sample must be replaced.
    a : numpy.ndarray
        AR coefficients with ``a[0] = 1`` (e.g. from :func:`burg`).

    Returns
    -------
    numpy.ndarray
        A copy of ``x`` (its float type kept) with the missing samples replaced; the
        known samples are untouched.

    Notes
    -----
    The backward prediction errors (``a`` reversed, as in Burg's criterion) are added to
    the forward ones. For a gap ``order`` or more samples from both ends of ``x`` this
    doubles both sides of the equations, so the result is Janssen's exactly; at the start,
    forward errors alone would set a gap through ``a[p]`` only, an unstable backward
    recursion. A gap with no known sample near it is filled with zeros. The cost is
    O(len(gap) * order**2) per gap.
    """
    values = _check_signal(x, name="x")
    a = _check_coefficients(a)
    missing = np.asarray(missing)
    if missing.dtype != np.bool_ or missing.shape != values.shape:
        raise ParameterError(f"missing must be a boolean mask shaped like x {values.shape}, "
                             f"got dtype {missing.dtype} and shape {missing.shape}.")
    kind = np.asarray(x).dtype
    out = np.array(x, dtype=kind if np.issubdtype(kind, np.floating) else np.float64)
    if not missing.any():
        return out
    order = a.size - 1
    known = np.where(missing, 0.0, values)
    sums = _lagged_product_sums(a)
    edges = np.flatnonzero(np.diff(missing.astype(np.int8), prepend=0, append=0))
    starts, stops = edges[::2], edges[1::2]
    joined = starts[1:] - stops[:-1] < order
    for start, stop in zip(starts[np.r_[True, ~joined]], stops[np.r_[~joined, True]],
                           strict=True):
        lo, hi = max(0, start - order), min(values.size, stop + order)
        out[lo:hi][missing[lo:hi]] = _solve_window(known[lo:hi], missing[lo:hi], a, sums)
    return out


def _lagged_product_sums(a: np.ndarray) -> np.ndarray:
    """``sums[lag, j] = sum_{i=lag}^{j-1} a[i] a[i - lag]``, shaped ``(p + 1, p + 2)``."""
    p = a.size - 1
    sums = np.zeros((p + 1, p + 2))
    for lag in range(p + 1):
        sums[lag, lag + 1 :] = np.cumsum(a[lag:] * a[: p + 1 - lag])
    return sums


def _normal_band(unknown: np.ndarray, size: int, sums: np.ndarray) -> np.ndarray:
    """Lower band of ``A_u^T A_u`` (forward plus backward rows) for a window of ``size``.

    Entry ``[d, i]`` pairs the i-th unknown ``u`` with the d-th after it, ``lag`` samples
    on. The rows holding both are ``t = u + k`` for ``lag <= k <= p``, and each adds
    ``a[k] a[k - lag]`` twice (forward and backward), hence ``2 R_a[lag]``, unless the
    window, cut by an end of ``x``, lacks some of them (rows need ``p <= t < size``).
    """
    p = sums.shape[0] - 1
    after = np.concatenate([unknown, np.full(p, size + p + 1)])  # padding: out of band
    lag = after[np.add.outer(np.arange(p + 1), np.arange(unknown.size))] - unknown
    if unknown[0] >= p and unknown[-1] < size - p:  # every row present: Toeplitz
        return np.where(lag <= p, 2.0 * sums[np.minimum(lag, p), -1], 0.0)
    first = np.maximum(lag, p - unknown)
    last = np.broadcast_to(np.minimum(p, size - 1 - unknown), lag.shape)
    present = (lag <= p) & (first <= last)
    lag, first, last = (np.where(present, v, 0) for v in (lag, first, last))
    forward = sums[lag, last + 1] - sums[lag, first]
    backward = sums[lag, p + lag - first + 1] - sums[lag, p + lag - last]
    return np.where(present, forward + backward, 0.0)


def _solve_window(window: np.ndarray, unknown_mask: np.ndarray, a: np.ndarray,
                  sums: np.ndarray) -> np.ndarray:
    """LSAR solution for the unknowns of one window (unknowns set to zero in ``window``)."""
    unknown = np.flatnonzero(unknown_mask)
    if unknown.size == window.size:
        return np.zeros(unknown.size)
    import scipy.linalg  # imported here: slow to import, and only this function needs it

    p, size = a.size - 1, window.size
    # -A_u^T A_k x_k: the errors the known samples make, correlated back with the filter.
    forward = np.convolve(window, a)[:size]
    backward = np.convolve(window, a[::-1])[:size]
    forward[:p] = backward[:p] = 0.0  # these rows would need samples before the window
    pull = np.convolve(forward, a[::-1])[p : p + size] + np.convolve(backward, a)[p : p + size]
    # Diagonals past the number of unknowns are empty; scipy's tridiagonal path rejects them.
    band = _normal_band(unknown, size, sums)[: unknown.size]
    if unknown[0] < p and unknown[-1] >= size - p:
        # Only unknowns this close to both ends of x can escape every row, leaving the
        # matrix singular; a tiny ridge then picks the smallest solution (zeros where no
        # row pins a sample). Otherwise each unknown is a[0] = 1 in a row of its own.
        band[0] += 1e-10 * sums[0, -1]
    try:
        return scipy.linalg.solveh_banded(band, -pull[unknown], lower=True,
                                          check_finite=False)
    except np.linalg.LinAlgError:
        # A model with poles on the unit circle (a pure tone fitted exactly) makes the
        # matrix singular to rounding; the same tiny ridge restores a unique solution.
        band[0] += 1e-9 * max(sums[0, -1], 1e-300)
        return scipy.linalg.solveh_banded(band, -pull[unknown], lower=True,
                                          check_finite=False)
