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

from restorekit.lazy import lazy_exports

# Where each public name lives. They are imported when first asked for (PEP 562), so
# ``python -m restorekit.analysis.impulses FILE`` runs that module fresh rather than
# after the package has already imported it.
_EXPORTS = {"ImpulseEvents": "events", "detect_impulses": "impulses",
            "ImpulseProfile": "profile", "FileAnalysis": "report", "analyze_file": "report",
            "analyze_folder": "report", "fit_to_profile": "fit",
            "compare_synthetic_vs_real": "comparison", "Comparison": "comparison"}

__all__ = list(_EXPORTS)

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
