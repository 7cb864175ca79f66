from pathlib import Path

import matplotlib
import numpy as np

from restorekit.degrade import (
    AdditiveNoise,
    BandLimit,
    Clicks,
    Crackle,
    Hum,
    Mp3,
    Resample,
    Rumble,
    Saturation,
    SurfaceNoise,
    Thumps,
    WowFlutter,
)
from restorekit.degrade.plot import plot_degradations

matplotlib.use("Agg")
FIGURES = Path(__file__).resolve().parents[2] / "reports" / "figures"


def test_every_degradation_is_drawn_and_saved(stereo_music):
    parts = [Clicks(), Crackle(), SurfaceNoise(), Thumps(thump_rate=2.0), Rumble(level=0.02),
             Hum(level_db=-30), BandLimit(), WowFlutter(wow_depth=0.01), Saturation(drive=4.0),
             Mp3(bitrate_kbps=64), Resample(rate_hz=8000), AdditiveNoise(snr_db=20)]
    fig = plot_degradations(stereo_music, parts, rng=np.random.default_rng(0))
    assert len(fig.axes) == 2 * (len(parts) + 1)
    labels = [ax.get_ylabel() for ax in fig.axes[::2]]
    assert labels == ["clean"] + [p.name for p in parts]
    FIGURES.mkdir(parents=True, exist_ok=True)
    path = FIGURES / "degradations.png"
    fig.savefig(path, dpi=80)
    assert path.stat().st_size > 50_000
