"""Restorers: one protocol, ``fit(noise)`` then ``restore(audio) -> Restoration``.

==================  =============================================================
module              what
==================  =============================================================
``base``            Restoration, Restorer, Identity, Chain (a chain is a restorer)
``interpolate``     least-squares AR interpolation of damaged spans (LSAR)
``declick``         Declick (clicks and scratches), Decrackle
``dethump``         Dethump: fitted damped low pulses subtracted
``dehiss``          Dehiss: log-spectral MMSE or noisereduce's spectral gate
``filters``         Derumble, Dehum, PlaybackEQ
``oracle``          Oracle: fills the simulator's true click spans
``presets``         preset("fast" | "balanced" | "max")
``stream``          restore_file: any length, block by block, atomic writes
==================  =============================================================
"""

from importlib import import_module

# Public names and their modules, imported when first asked for (PEP 562): importing
# the package costs nothing until a restorer is used.
_EXPORTS = {"Restoration": "base", "Restorer": "base", "Identity": "base", "Chain": "base",
            "Declick": "declick", "Decrackle": "declick", "Dethump": "dethump",
            "Dehiss": "dehiss", "Derumble": "filters", "Dehum": "filters",
            "PlaybackEQ": "filters", "Oracle": "oracle", "preset": "presets",
            "PRESETS": "presets", "restore_file": "stream"}

__all__ = list(_EXPORTS)


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module 'restorekit.restore' has no attribute {name!r}")
    return getattr(import_module(f"restorekit.restore.{_EXPORTS[name]}"), name)


def __dir__() -> list[str]:
    return sorted(__all__)
