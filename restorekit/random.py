"""Seeded random generators: every random draw in restorekit comes from one of these.

Functions that draw take ``rng: numpy.random.Generator`` explicitly, so that a result is
reproducible from its seed and two callers never share hidden global state.
"""

from __future__ import annotations

import numpy as np

from restorekit.errors import ParameterError

__all__ = ["make_rng"]


def make_rng(seed: int | np.random.Generator | None) -> np.random.Generator:
    """Return a :class:`numpy.random.Generator` for ``seed``.

    Parameters
    ----------
    seed : int, numpy.random.Generator or None
        A non-negative integer seed, an existing generator (returned unchanged), or
        ``None`` for fresh OS entropy (not reproducible; say so where you use it).

    Returns
    -------
    numpy.random.Generator
        A PCG64 generator.
    """
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer))
                             or seed < 0):
        raise ParameterError(f"seed must be a non-negative integer or None, got {seed!r}.")
    return np.random.default_rng(seed)
