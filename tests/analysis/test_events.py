import numpy as np
import pytest

from restorekit.analysis.events import ImpulseEvents
from restorekit.errors import ParameterError


def _events(position, channel, peak):
    n = len(position)
    return ImpulseEvents(sample_rate=1000, frames=10_000, channels=2,
                         start=np.asarray(position) - 1, width=np.full(n, 3),
                         position=np.asarray(position), peak=np.asarray(peak, float),
                         polarity=np.ones(n, int), channel=np.asarray(channel),
                         ringing_ms=np.full(n, np.nan), score=np.full(n, 9.0))


def test_joint_merges_channels_within_the_tolerance_and_keeps_the_loudest():
    ev = _events([100, 101, 500, 503, 900], [0, 1, 0, 1, 1], [0.2, 0.5, 0.3, 0.1, 0.4])
    joint = ev.joint(merge_ms=1.0)  # 1 frame at 1 kHz
    assert joint.position.tolist() == [101, 500, 503, 900]
    assert joint.peak.tolist() == [0.5, 0.3, 0.1, 0.4]
    assert joint.channel.tolist() == [-1] * 4
    assert joint.start[0] == 99 and joint.width[0] == 4  # spans both channels' spans
    assert len(ev.joint(merge_ms=5.0)) == 3


def test_select_concatenate_and_round_trip():
    a = _events([300, 100], [0, 0], [0.1, 0.2])
    b = _events([200], [1], [0.3])
    both = ImpulseEvents.concatenate([a, b])
    assert both.position.tolist() == [100, 200, 300]
    assert len(both.for_channel(1)) == 1 and both.duration == 10.0
    back = ImpulseEvents.from_dict(both.to_dict())
    for name in ("start", "position", "peak", "channel"):
        np.testing.assert_array_equal(getattr(back, name), getattr(both, name))
    empty = ImpulseEvents.empty(sample_rate=1000, frames=10, channels=1)
    assert len(empty) == 0 and len(empty.joint()) == 0


def test_columns_must_agree():
    with pytest.raises(ParameterError, match="one value per event"):
        ImpulseEvents(sample_rate=1000, frames=10, channels=1, start=np.zeros(2, int),
                      width=np.zeros(3, int), position=np.zeros(2, int), peak=np.zeros(2),
                      polarity=np.zeros(2, int), channel=np.zeros(2, int),
                      ringing_ms=np.zeros(2), score=np.zeros(2))
