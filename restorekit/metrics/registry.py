"""One registry of named metrics, so evaluation code can ask for any metric by name.

Each metric module decorates its functions with :func:`register`; importing
:mod:`restorekit.metrics` imports them all, so :data:`METRICS` is complete as soon as the
package is loaded. Every metric is called the same way::

    METRICS["snr"](reference, estimate, sample_rate) -> float

Two kinds exist. ``"signal"`` metrics compare two signals (numpy arrays or
:class:`~restorekit.audio.Audio`); ``"events"`` metrics compare two lists of event
positions in samples (e.g. true and detected clicks).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from restorekit.errors import ParameterError

__all__ = ["Metric", "METRICS", "KINDS", "register", "get_metric"]

KINDS = ("signal", "events")

_REGISTRY: dict[str, Metric] = {}

METRICS: Mapping[str, Metric] = MappingProxyType(_REGISTRY)
"""Every registered metric by name; read-only (add metrics with :func:`register`)."""


@dataclass(frozen=True)
class Metric:
    """A named metric and what a reader needs to interpret its value.

    Attributes
    ----------
    name : str
        The key in :data:`METRICS`.
    func : callable
        ``func(reference, estimate, sample_rate, **options)``.
    higher_is_better : bool
        Whether a larger value means the estimate is closer to the reference.
    unit : str
        ``"dB"``, ``"Hz"``, ``"ratio"``, ``"MOS"``, or ``""`` for a plain number.
    kind : str
        ``"signal"`` (compares audio) or ``"events"`` (compares event positions).
    description : str
        One line saying what is measured.
    """

    name: str
    func: Callable[..., Any]
    higher_is_better: bool
    unit: str
    kind: str
    description: str

    def __call__(self, reference: Any, estimate: Any, sample_rate: int,
                 **options: Any) -> float:
        """Compute the metric; ``options`` are the metric's keyword parameters."""
        return float(self.func(reference, estimate, sample_rate, **options))


def register(name: str, *, higher_is_better: bool, unit: str, kind: str = "signal",
             description: str | None = None) -> Callable[[Callable], Callable]:
    """Return a decorator that adds a metric function to :data:`METRICS` under ``name``.

    The function itself is returned unchanged, so it can still be called directly.

    Parameters
    ----------
    name : str
        Registry key; must not be registered already.
    higher_is_better : bool
        Direction of improvement.
    unit : str
        Unit of the returned value (``""`` if none).
    kind : {"signal", "events"}
        What the metric compares.
    description : str, optional
        One-line description; by default the first line of the function's docstring.

    Examples
    --------
    A new metric module does this (not run here: names can be registered only once)::

        @register("peak_error", higher_is_better=False, unit="")
        def peak_error(reference, estimate, sample_rate):
            '''Largest absolute difference between two signals.'''
            ref, est, _ = check_signals(reference, estimate, sample_rate)
            return float(np.abs(ref - est).max())
    """
    if not isinstance(name, str) or not name:
        raise ParameterError(f"a metric name must be a non-empty string, got {name!r}.")
    if kind not in KINDS:
        raise ParameterError(f"metric kind must be one of {KINDS}, got {kind!r}.")

    def decorator(func: Callable) -> Callable:
        if name in _REGISTRY:
            raise ParameterError(f"a metric named {name!r} is already registered; "
                                 "choose another name.")
        summary = description
        if summary is None:
            summary = (inspect.getdoc(func) or "").strip().split("\n")[0]
        if not summary:
            raise ParameterError(f"metric {name!r} needs a description or a docstring.")
        _REGISTRY[name] = Metric(name=name, func=func, higher_is_better=bool(higher_is_better),
                                 unit=unit, kind=kind, description=summary)
        return func

    return decorator


def get_metric(name: str) -> Metric:
    """Return the registered :class:`Metric` called ``name``.

    Raises
    ------
    ParameterError
        If no metric has that name; the message lists the names that exist.
    """
    try:
        return _REGISTRY[name]
    except (KeyError, TypeError):
        known = ", ".join(sorted(_REGISTRY))
        raise ParameterError(f"unknown metric {name!r}; known metrics are: {known}.") from None
