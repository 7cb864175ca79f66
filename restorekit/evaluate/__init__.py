"""Evaluation: run methods on cases with known damage and score them before and after.

::

    from restorekit.evaluate import benchmark, make_case, peer_methods

    cases = [make_case(music, preset="default", seed=s, source="synth") for s in (1, 2)]
    table = benchmark(peer_methods(), cases)
    print(table.to_markdown(pivot=True, value="delta"))   # method x metric, mean of cases
    table.to_csv("bench.csv")

=================  ==================================================================
module             contents
=================  ==================================================================
``cases``          Case, make_case, click_positions
``methods``        Method (protocol), Outcome, RestorerMethod, CaseMethod, MethodError
``command``        CommandMethod (a tool run on a temporary WAV), run_measured
``peers``          identity, oracle, ffmpeg adeclick (+afftdn), noisereduce, grooveclean
``removed``        events_in_removed: clicks found in ``input - output``
``benchmark``      benchmark -> Table (a row per method, case and metric)
``table``          Table: filter, pivot, to_markdown, to_csv
=================  ==================================================================
"""

from restorekit.evaluate.benchmark import COLUMNS, DEFAULT_METRICS, benchmark
from restorekit.evaluate.cases import Case, click_positions, make_case
from restorekit.evaluate.command import CommandMethod, run_measured
from restorekit.evaluate.methods import (
    CaseMethod,
    Method,
    MethodError,
    Outcome,
    RestorerMethod,
)
from restorekit.evaluate.peers import availability, identity, oracle, peer_methods
from restorekit.evaluate.removed import events_in_removed
from restorekit.evaluate.table import Table

__all__ = [
    "benchmark", "COLUMNS", "DEFAULT_METRICS", "Table",
    "Case", "make_case", "click_positions",
    "Method", "Outcome", "MethodError", "RestorerMethod", "CaseMethod", "CommandMethod",
    "run_measured", "events_in_removed",
    "peer_methods", "identity", "oracle", "availability",
]
