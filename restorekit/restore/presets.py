"""The full 78rpm chains: ``fast``, ``balanced`` and ``max``.

Stages run in the order the damage was made, last first: the arm's thumps (before any
high-pass bends their shape), rumble, clicks and scratches, crackle, hum, and the
hiss under everything last, so that its noise profile is learnt from noise already
free of clicks (:meth:`Chain.fit`).

=========  ==================================================================
preset     what
=========  ==================================================================
fast       derumble, declick, MMSE dehiss with light smoothing (no dehum)
balanced   derumble, declick, dehum, MMSE dehiss
max        as balanced with decrackle, two AR refits, higher orders, a deeper hiss floor
=========  ==================================================================

Playback EQ is not in any preset: a transfer's own EQ is not known from the audio, so
add :class:`~restorekit.restore.filters.PlaybackEQ` with the label's curve yourself.
Nor is :class:`~restorekit.restore.dethump.Dethump`: a bass drum's pitch-swept thud can
pass for a thump (it took out synthesised kicks in our tests), so add it, first in the
chain, for transfers that have thumps.
"""

from __future__ import annotations

from restorekit.errors import ParameterError
from restorekit.restore.base import Chain
from restorekit.restore.declick import Declick, Decrackle
from restorekit.restore.dehiss import Dehiss
from restorekit.restore.filters import Dehum, Derumble

__all__ = ["PRESETS", "preset"]

PRESETS = ("fast", "balanced", "max")


def preset(name: str, *, mix: float = 1.0) -> Chain:
    """A fresh chain for the preset ``name`` (see the module's table).

    Parameters
    ----------
    name : {"fast", "balanced", "max"}
    mix : float
        Dry/wet of the whole chain, 0–1.
    """
    if name == "fast":
        stages = [Derumble(), Declick(), Dehiss(smoothing_frames=1,
                                                         smoothing_bins=1)]
    elif name == "balanced":
        # the declicker already mends the crackle it finds; a second, more sensitive
        # pass (decrackle) costs as much again for little more (see reports/benchmarks.md)
        stages = [Derumble(), Declick(), Dehum(), Dehiss()]
    elif name == "max":
        stages = [Derumble(), Declick(refits=2, order=32, long_order=120),
                  Decrackle(order=32), Dehum(harmonics=16), Dehiss(floor_db=-25.0)]
    else:
        raise ParameterError(f"preset must be one of {', '.join(PRESETS)}, got {name!r}.")
    return Chain(stages, mix=mix)
