"""Conversions between linear amplitude and decibels.

Amplitude decibels are ``20 log10 |x|`` (a ratio of field quantities, IEC 60027-3), so
that halving an amplitude is −6.02 dB whatever the signal.
"""

from __future__ import annotations

import numpy as np

from restorekit.errors import ParameterError

__all__ = ["amplitude_to_db", "db_to_amplitude"]


def amplitude_to_db(x: float | np.ndarray, *, floor_db: float = -300.0) -> float | np.ndarray:
    """Convert linear amplitude to decibels, ``20 log10 |x|``, never below ``floor_db``.

    Parameters
    ----------
    x : float or numpy.ndarray
        Linear amplitude; the sign is ignored.
    floor_db : float
        The value returned for zero and for anything quieter. The default, −300 dB, is
        far below any bit depth's noise floor yet keeps the result finite; pass
        ``-numpy.inf`` to get −inf for silence.

    Returns
    -------
    float or numpy.ndarray
        A float for a scalar input, otherwise an array of ``x``'s shape.

    Examples
    --------
    >>> amplitude_to_db(0.5)
    -6.020599913279624
    >>> amplitude_to_db(0.0)
    -300.0
    """
    if (isinstance(floor_db, bool) or not isinstance(floor_db, (int, float, np.number))
            or np.isnan(floor_db) or floor_db == np.inf):
        raise ParameterError(f"floor_db must be a number below +inf (or -inf), got "
                             f"{floor_db!r}.")
    magnitude = np.abs(np.asarray(x, dtype=np.float64))
    db = np.full(magnitude.shape, -np.inf)
    # log10 only where it is defined, so zero gives -inf without a divide warning.
    np.log10(magnitude, out=db, where=magnitude > 0)
    db = np.maximum(20.0 * db, floor_db)
    return float(db) if db.ndim == 0 else db


def db_to_amplitude(db: float | np.ndarray) -> float | np.ndarray:
    """Convert decibels to linear amplitude, ``10 ** (db / 20)`` (−inf dB gives 0).

    Examples
    --------
    >>> round(db_to_amplitude(-6.020599913279624), 12)
    0.5
    """
    amplitude = np.power(10.0, np.asarray(db, dtype=np.float64) / 20.0)
    return float(amplitude) if amplitude.ndim == 0 else amplitude
