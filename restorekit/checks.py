"""Parameter checks shared by every layer.

Each check returns the value in the type the code wants, or raises
:class:`~restorekit.errors.ParameterError` with one sentence naming the parameter, what
it accepts and what it got: the message a person at a notebook or the CLI reads.
Checks of audio and sample rates live with :class:`~restorekit.audio.Audio`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from restorekit.errors import ParameterError

__all__ = ["check_number", "check_integer", "check_range", "check_probability"]


def _is_number(value: Any) -> bool:
    return not isinstance(value, bool) and isinstance(value, (int, float, np.number))


def check_number(value: Any, *, name: str, low: float = -np.inf, high: float = np.inf,
                 low_open: bool = False) -> float:
    """Return ``value`` as a float if it is finite and within ``[low, high]``.

    With ``low_open=True`` the lower bound itself is excluded.
    """
    if not _is_number(value):
        raise ParameterError(f"{name} must be a number, got {value!r}.")
    number = float(value)
    too_low = number <= low if low_open else number < low
    if not np.isfinite(number) or too_low or number > high:
        bracket = "(" if low_open else "["
        raise ParameterError(f"{name} must be a finite number in {bracket}{low}, {high}], "
                             f"got {value!r}.")
    return number


def check_integer(value: Any, *, name: str, low: int, high: int) -> int:
    """Return ``value`` as an ``int`` within ``[low, high]``."""
    if (isinstance(value, bool) or not isinstance(value, (int, np.integer))
            or not low <= value <= high):
        raise ParameterError(f"{name} must be a whole number from {low} to {high}, got "
                             f"{value!r}.")
    return int(value)


def check_range(value: Any, *, name: str, low: float, high: float) -> tuple[float, float]:
    """Return ``value`` as an ordered ``(lo, hi)`` pair within ``[low, high]``.

    A single number means a fixed value, ``(x, x)``: the generator's parameters are
    ranges a value is drawn from.
    """
    try:
        pair = (value, value) if np.isscalar(value) else tuple(value)
    except TypeError:
        pair = ()
    if len(pair) != 2 or not all(_is_number(v) and np.isfinite(v) for v in pair):
        raise ParameterError(f"{name} must be a number or a (low, high) pair, got {value!r}.")
    lo, hi = float(pair[0]), float(pair[1])
    if not low <= lo <= hi <= high:
        raise ParameterError(f"{name} must satisfy {low:g} <= low <= high <= {high:g}, got "
                             f"({lo:g}, {hi:g}).")
    return lo, hi


def check_probability(p: Any, *, name: str = "p") -> float:
    """Return ``p`` as a float in [0, 1]."""
    if not _is_number(p) or not 0 <= p <= 1:
        raise ParameterError(f"{name} must be a probability from 0 to 1, got {p!r}.")
    return float(p)
