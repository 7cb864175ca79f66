"""Analysis of recordings: what clicks, noise and band-limits a transfer holds.

==================  =============================================================
module              what
==================  =============================================================
``impulses``        detect_impulses (AR-residual and derivative detectors)
``scores``          the per-sample click scores the detectors threshold
``events``          ImpulseEvents, the table of detected clicks
``profile``         ImpulseProfile: rates, amplitudes, intervals, emphasis figures
``noise``           quiet segments, noise floor, hum, rumble, bandwidth, clipping
``report``          analyze_file (profile + noise + picture), analyze_folder (tables)
``fit``             fit_to_profile: the generator's parameters for a profile
``comparison``      compare_synthetic_vs_real: the table and the overlay plot
==================  =============================================================
"""

from restorekit.analysis.comparison import Comparison, compare_synthetic_vs_real
from restorekit.analysis.events import ImpulseEvents
from restorekit.analysis.fit import fit_to_profile
from restorekit.analysis.impulses import detect_impulses
from restorekit.analysis.profile import ImpulseProfile
from restorekit.analysis.report import FileAnalysis, analyze_file, analyze_folder

__all__ = ["ImpulseEvents", "detect_impulses", "ImpulseProfile", "FileAnalysis",
           "analyze_file", "analyze_folder", "fit_to_profile", "compare_synthetic_vs_real",
           "Comparison"]
