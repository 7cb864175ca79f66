"""restorekit: restore historical and degraded music, 78rpm transfers first.

The names most sessions need are here; everything else lives in its module
(:mod:`restorekit.dsp`, :mod:`restorekit.metrics`, ...). Importing restorekit does not
import torch.
"""

from restorekit import io
from restorekit.audio import Audio
from restorekit.errors import (
    AudioFormatError,
    ModelError,
    ParameterError,
    RestorekitError,
    RestorekitWarning,
)
from restorekit.io import blocks, info, load, save

__version__ = "0.1.0"

__all__ = ["Audio", "AudioFormatError", "ModelError", "ParameterError", "RestorekitError",
           "RestorekitWarning", "blocks", "info", "io", "load", "save", "__version__"]
