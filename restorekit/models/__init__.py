"""Torch models: the impulse-aware denoiser, its parts, checkpoints and chunked inference.

==================  =============================================================
module              what
==================  =============================================================
``detect``          the learned impulse detector and the analytical mask
``spectral``        SpectralMaskNet: a learned STFT gain (the default backbone)
``unet``            a depthwise-separable waveform U-Net (the first backbone)
``denoiser``        ImpulseAwareDenoiser: both masks, suppression, the backbone
``chunked``         apply_chunked: one overlap-add inference routine for every model
``checkpoint``      save_model / load_model: safetensors + JSON + sha256, no pickle
==================  =============================================================

Importing this package imports torch (the rest of restorekit does not).
"""

from restorekit.lazy import lazy_exports

_EXPORTS = {"ImpulseAwareDenoiser": "denoiser", "DenoiserConfig": "denoiser",
            "ImpulseDetector": "detect", "analytical_mask": "detect", "WaveUNet": "unet",
            "SpectralMaskNet": "spectral",
            "apply_chunked": "chunked", "save_model": "checkpoint", "load_model": "checkpoint",
            "export_model": "checkpoint", "BUNDLED": "checkpoint"}

__all__ = list(_EXPORTS)

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
