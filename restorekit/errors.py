"""The one family of errors restorekit raises on purpose.

Every message is a single sentence that names the file or parameter at fault and says
what to do about it, so the CLI can print it as it is, without a traceback.
"""

from __future__ import annotations

__all__ = ["RestorekitError", "AudioFormatError", "ParameterError", "ModelError",
           "RestorekitWarning"]


class RestorekitError(Exception):
    """Base class: something the user can fix, explained in one sentence."""


class AudioFormatError(RestorekitError):
    """A path does not hold usable audio: missing, empty, truncated, corrupt or non-finite."""


class ParameterError(RestorekitError, ValueError):
    """A parameter is out of range, of the wrong type, or inconsistent with another."""


class ModelError(RestorekitError):
    """Model weights or their configuration are missing, mismatched or fail their checksum."""


class RestorekitWarning(UserWarning):
    """Something was computed but may not mean what you expect (e.g. a metric undefined)."""
