"""``benchmark(methods, cases)``: every method on every case, scored before and after.

The result is one tidy :class:`~restorekit.evaluate.table.Table`, a row per
(method, case, metric), so that the do-nothing baseline, our restorers and the peers
read side by side (asteroid and nussl report metrics this way).

Columns
-------
method, case, metric
    What the row is about.
before
    The metric of the degraded input against the clean reference: what doing nothing
    scores. For event metrics (click F1, precision, recall) "doing nothing" repairs no
    clicks, so ``before`` is the metric of an *empty* estimate against the true clicks:
    0 for click F1 when the case has clicks (1 when it has none, as the metric defines
    it). The identity method therefore scores ``after == before`` and ``delta == 0`` on
    every metric.
after
    The metric of the method's output against the clean reference; for event metrics,
    of the clicks it repaired against the true clicks (see below).
delta
    ``after - before``. Whether up is good depends on the metric: see
    ``higher_is_better`` (LSD falls as a restoration improves).
higher_is_better, unit
    From the metric registry.
seconds, realtime_factor, peak_memory_mb, memory
    The method's processing time on the case, ``case duration / seconds`` (above 1 is
    faster than real time), its peak memory in MiB (2**20 bytes) and what kind of peak
    that is (``"python-heap"`` for in-process methods, ``"rss"`` for commands; see
    :mod:`restorekit.evaluate.methods`). The same on every metric row of a run.
note
    Empty for a scored row; else why there is no score: ``"skipped: <reason>"`` for a
    method that cannot run here (every metric NaN), ``"failed: <message>"`` for one that
    raised a :class:`~restorekit.errors.RestorekitError` on the case.

Which clicks a method repaired: the positions it reports (``Outcome.events``) when it
reports any; otherwise the bursts in what it removed, ``input - output``, found by
:func:`~restorekit.evaluate.removed.events_in_removed`. Repairs within the click
tolerance of a case's ``neutral`` impulses (the crackle), and of no click, are left out
of click scores: mending real damage that is not a click is no false alarm.
"""

from __future__ import annotations

import inspect
import math
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from restorekit.errors import ParameterError, RestorekitError
from restorekit.evaluate.cases import Case
from restorekit.evaluate.methods import Method, Outcome
from restorekit.evaluate.removed import events_in_removed
from restorekit.evaluate.table import Table
from restorekit.metrics import Metric, get_metric

__all__ = ["benchmark", "COLUMNS", "DEFAULT_METRICS"]

DEFAULT_METRICS = ("si_sdr", "snr", "lsd", "click_f1", "transient_preservation")

COLUMNS = ("method", "case", "metric", "before", "after", "delta", "higher_is_better",
           "unit", "seconds", "realtime_factor", "peak_memory_mb", "memory", "note")


def _say(message: str) -> None:
    print(message, file=sys.stderr)


def _score(metric: Metric, case: Case, estimate: Any, options: Mapping[str, Any]) -> float:
    """``metric`` of ``estimate`` (audio, or click frames for event metrics) for ``case``."""
    if metric.kind == "events":
        return metric(case.clicks, estimate, case.sample_rate, **options)
    extra = dict(options)
    if "degraded" in inspect.signature(metric.func).parameters:
        extra.setdefault("degraded", case.degraded)
    return metric(case.clean, estimate, case.sample_rate, **extra)


def _found_clicks(outcome: Outcome, case: Case, options: Mapping[str, Any],
                  tolerance: int) -> np.ndarray:
    found = _reported_or_removed(outcome, case, options)
    if not case.neutral.size or not found.size:
        return found
    # a repair at a crackle impulse is neither a hit nor a false alarm
    near = _distance(found, case.neutral) <= tolerance
    return found[~near | (_distance(found, case.clicks) <= tolerance)]


def _distance(frames: np.ndarray, sorted_targets: np.ndarray) -> np.ndarray:
    """Distance from each frame to the nearest of ``sorted_targets`` (inf if none)."""
    if not sorted_targets.size:
        return np.full(frames.shape, np.inf)
    i = np.clip(np.searchsorted(sorted_targets, frames), 1, sorted_targets.size - 1)
    if sorted_targets.size == 1:
        return np.abs(frames - sorted_targets[0]).astype(float)
    return np.minimum(np.abs(frames - sorted_targets[i - 1]),
                      np.abs(frames - sorted_targets[i])).astype(float)


def _reported_or_removed(outcome: Outcome, case: Case,
                         options: Mapping[str, Any]) -> np.ndarray:
    if outcome.events is not None:
        return outcome.events
    removed = case.degraded.samples.astype(np.float64) - outcome.audio.samples
    return events_in_removed(removed, sample_rate=case.sample_rate, **options)


def benchmark(methods: Iterable[Method], cases: Iterable[Case], *,
              metrics: Sequence[str] = DEFAULT_METRICS,
              metric_options: Mapping[str, Mapping[str, Any]] | None = None,
              removed_options: Mapping[str, Any] | None = None,
              errors: str = "record", progress: bool = False,
              say: Callable[[str], None] | None = _say) -> Table:
    """Run every method on every case and score each output with each metric.

    Parameters
    ----------
    methods : iterable of Method
        E.g. :func:`restorekit.evaluate.peers.peer_methods` plus our own restorers wrapped in
        :class:`~restorekit.evaluate.methods.RestorerMethod`. Names must be unique.
    cases : iterable of Case
        E.g. from :func:`~restorekit.evaluate.cases.make_case`. Names must be unique.
    metrics : sequence of str
        Names in :data:`restorekit.metrics.METRICS`.
    metric_options : mapping, optional
        Keyword options per metric name, e.g. ``{"click_f1": {"tolerance_ms": 2.0}}``.
        Metrics taking ``degraded=`` (``impulse_removal_rate``) get the case's input.
    removed_options : mapping, optional
        Options of :func:`~restorekit.evaluate.removed.events_in_removed`, for methods
        that report no clicks.
    errors : {"record", "raise"}
        What a :class:`~restorekit.errors.RestorekitError` raised by a method does:
        ``"record"`` writes it in the ``note`` of that method's rows for the case and goes
        on; ``"raise"`` stops the benchmark. Other exceptions always propagate.
    progress : bool
        Show a tqdm progress bar over the (method, case) runs.
    say : callable or None
        Where the one line per skipped or failing method goes (default: stderr);
        ``None`` says nothing.

    Returns
    -------
    Table
        A row per (method, case, metric) with the columns in :data:`COLUMNS` (see the
        module notes).

    Examples
    --------
    >>> import numpy as np
    >>> from restorekit.evaluate import RestorerMethod, make_case
    >>> from restorekit.restore.base import Identity
    >>> from restorekit.synth import synthesize_music
    >>> music = synthesize_music(sample_rate=22050, duration=1.0,
    ...                          rng=np.random.default_rng(0))
    >>> table = benchmark([RestorerMethod(Identity())], [make_case(music, seed=1)],
    ...                   metrics=["snr"])
    >>> table.column("delta")
    [0.0]
    """
    methods, cases = list(methods), list(cases)
    scorers = [get_metric(name) for name in metrics]
    if errors not in ("record", "raise"):
        raise ParameterError(f"errors must be 'record' or 'raise', got {errors!r}.")
    for kind, items in (("method", methods), ("case", cases)):
        names = [getattr(item, "name", None) for item in items]
        repeated = sorted({n for n in names if names.count(n) > 1}, key=str)
        if repeated:
            raise ParameterError(f"benchmark needs unique {kind} names; repeated: {repeated}.")
    for case in cases:
        if not isinstance(case, Case):
            raise ParameterError(f"benchmark cases must be Case, got {type(case).__name__}; "
                                 "make them with make_case.")
    options = {name: dict(o) for name, o in (metric_options or {}).items()}
    removed_options = dict(removed_options or {})
    say = say or (lambda message: None)

    before = {(case.name, metric.name): _score(metric, case, _do_nothing(metric, case),
                                               options.get(metric.name, {}))
              for case in cases for metric in scorers}
    runs = [(method, case) for method in methods for case in cases]
    if progress:
        from tqdm.auto import tqdm

        runs = tqdm(runs, desc="benchmark", unit="run")
    reasons: dict[str, str | None] = {}
    rows = []
    for method, case in runs:
        if method.name not in reasons:
            reasons[method.name] = method.available()
            if reasons[method.name] is not None:
                say(f"skipping {method.name}: {reasons[method.name]}")
        outcome, note = None, ""
        if reasons[method.name] is not None:
            note = f"skipped: {reasons[method.name]}"
        else:
            try:
                outcome = method.run(case.degraded, case=case)
            except RestorekitError as exc:
                if errors == "raise":
                    raise
                note = f"failed: {exc}"
                say(f"{method.name} failed on {case.name}: {exc}")
        found = None
        for metric in scorers:
            was = before[case.name, metric.name]
            after = math.nan
            if outcome is not None:
                if metric.kind == "events" and found is None:
                    tolerance = round(options.get(metric.name, {}).get(
                        "tolerance_ms", 1.0) * case.sample_rate / 1000)
                    found = _found_clicks(outcome, case, removed_options, tolerance)
                estimate = found if metric.kind == "events" else outcome.audio
                after = _score(metric, case, estimate, options.get(metric.name, {}))
            rows.append(_row(method.name, case, metric, was, after, outcome, note))
    return Table(rows, columns=COLUMNS)


def _do_nothing(metric: Metric, case: Case) -> Any:
    """What doing nothing hands a metric: the input, or no repaired clicks."""
    return np.zeros(0, dtype=np.int64) if metric.kind == "events" else case.degraded


def _row(method: str, case: Case, metric: Metric, before: float, after: float,
         outcome: Outcome | None, note: str) -> dict[str, Any]:
    seconds = outcome.seconds if outcome is not None else math.nan
    if outcome is None:
        factor = math.nan
    else:
        factor = case.duration / seconds if seconds > 0 else math.inf
    memory = (outcome.peak_memory / 2**20
              if outcome is not None and outcome.peak_memory is not None else math.nan)
    return {"method": method, "case": case.name, "metric": metric.name,
            "before": float(before), "after": float(after), "delta": float(after - before),
            "higher_is_better": metric.higher_is_better, "unit": metric.unit,
            "seconds": float(seconds), "realtime_factor": float(factor),
            "peak_memory_mb": float(memory),
            "memory": outcome.memory if outcome is not None else "", "note": note}
