"""Training the denoiser: clean sources, the degrading dataset, losses, the trainer.

==================  =============================================================
module              what
==================  =============================================================
``corpus``          render_corpus: music21 scores through FluidSynth (cached)
``midi``            notes and a seeded drum part to a Standard MIDI File
``sources``         clean audio folders and the held-out split by source
``dataset``         AudioRestorationDataset: 78rpm damage drawn afresh per item
``losses``          multi-resolution STFT + L1 + impulse loss
``config``          the YAML training configuration
``validation``      the fixed validation set and its metrics
``trainer``         Trainer: AdamW, schedule, clipping, AMP, checkpoints, resume
==================  =============================================================
"""

from restorekit.lazy import lazy_exports

_EXPORTS = {"render_corpus": "corpus", "AudioRestorationDataset": "dataset",
            "RestorationLoss": "losses", "load_config": "config", "Trainer": "trainer"}

__all__ = list(_EXPORTS)

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
