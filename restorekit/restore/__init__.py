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
``neural``          NeuralDenoise: the trained impulse-aware denoiser (torch)
``presets``         preset("fast" | "balanced" | "max")
``stream``          restore_file: any length, block by block, atomic writes
==================  =============================================================
"""

from restorekit.lazy import lazy_exports

# Public names and their modules, imported when first asked for (PEP 562): importing
# the package costs nothing until a restorer is used.
_EXPORTS = {"Restoration": "base", "Restorer": "base", "Identity": "base", "Chain": "base",
            "Declick": "declick", "Decrackle": "declick", "Dethump": "dethump",
            "Dehiss": "dehiss", "Derumble": "filters", "Dehum": "filters",
            "PlaybackEQ": "filters", "Oracle": "oracle", "preset": "presets",
            "PRESETS": "presets", "restore_file": "stream", "NeuralDenoise": "neural"}

__all__ = list(_EXPORTS)

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
