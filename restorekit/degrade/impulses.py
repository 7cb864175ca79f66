"""Impulsive damage of a disc: clicks and scratches, crackle, and thumps.

Every event is rendered from a short kernel whose largest absolute value is exactly 1,
then scaled by its drawn peak and polarity, so the truth's ``peak`` and ``polarity``
are what a detector will see (where events do not overlap). Shapes follow the
descriptions of Vaseghi & Rayner (1990) and Godsill & Rayner (1998, ch. 5): a short
body from the groove defect, then the decaying ringing of the stylus/cartridge
resonance a few kHz up.
"""

from __future__ import annotations

import numpy as np

from restorekit.checks import check_range
from restorekit.degrade.base import Degradation, Truth

__all__ = ["Clicks", "Crackle", "Thumps", "log_uniform", "render_events"]


def log_uniform(rng: np.random.Generator, lo: float, hi: float, size: int) -> np.ndarray:
    """Draw ``size`` values spread evenly in log between ``lo`` and ``hi``."""
    return np.exp(rng.uniform(np.log(lo), np.log(hi), size))


def channel_gains(rng: np.random.Generator, n: int, channels: int,
                  spread: tuple[float, float]) -> np.ndarray:
    """Per-event, per-channel gains: one channel at 1, the others drawn from ``spread``.

    A groove-wall defect is read by both channels of a stereo pickup, but more strongly
    by the wall it is on; the louder channel is chosen at random per event.
    """
    gains = rng.uniform(spread[0], spread[1], (n, channels))
    gains[np.arange(n), rng.integers(0, channels, n)] = 1.0
    return gains


def render_events(frames: int, kernels: list[np.ndarray], starts: np.ndarray,
                  scale: np.ndarray) -> np.ndarray:
    """Sum each kernel, scaled per channel by ``scale[i]``, at frame ``starts[i]``.

    Returns float32 ``(channels, frames)``; kernels running past the end are cut.
    """
    out = np.zeros((scale.shape[1], frames), dtype=np.float32)
    for kernel, start, gains in zip(kernels, starts, scale, strict=True):
        stop = min(frames, start + kernel.size)
        out[:, start:stop] += gains[:, None] * kernel[: stop - start]
    return out


def peaks_inside(params: dict, peak_offset: np.ndarray, frames: int) -> dict:
    """Drop the events whose peak would fall after the last frame.

    Such an event would add only the start of its rise, with no peak a detector could
    find, so it is left out of both the signal and the truth.
    """
    keep = params["start"] + peak_offset < frames
    n = keep.size
    return {k: (v[keep] if isinstance(v, np.ndarray) and v.shape[:1] == (n,) else v)
            for k, v in params.items()}


def _pulse(width: int, rise: float = 0.1) -> np.ndarray:
    """A lopsided raised-cosine pulse: quick rise, slower fall, peak 1, ``width`` frames.

    The default rise, a tenth of the width, gives the steep leading edge of a stylus
    meeting a defect all at once; the fall is the groove wall's slower release.
    """
    up = max(1, round(rise * width))
    down = max(1, width - up)
    return np.concatenate([0.5 - 0.5 * np.cos(np.pi * np.arange(up) / up),
                           0.5 + 0.5 * np.cos(np.pi * np.arange(down) / down)])


class Clicks(Degradation):
    """Clicks and scratches: a short body from a groove defect plus resonant ringing.

    Times are a Poisson process at ``impulse_rate`` per second; peaks are log-uniform in
    ``impulse_amplitude`` (full scale = 1); bodies are 0.05–3 ms wide, or longer for the
    ``scratch_fraction`` of events that are scratches. After the body the stylus and
    cartridge ring at ``ringing_hz`` and die away over ``ringing_decay_ms``. Real clicks
    lean to one polarity (the defect is a bump or a pit), set by ``positive_fraction``.
    Bodies rise steeply (a tenth of their width) and fall slowly.

    Truth events: ``start`` (first frame), ``position`` (frame of the peak), ``width``
    (body, frames), ``length`` (body + ringing, frames), ``peak``, ``polarity``,
    ``scratch`` (0/1), ``ringing_hz`` and ``gain`` (per channel).
    """

    name = "clicks"
    additive = True

    def __init__(self, *, impulse_rate=10.0, impulse_amplitude=(0.1, 0.5),
                 width_ms=(0.05, 3.0), positive_fraction=0.7, scratch_fraction=0.05,
                 scratch_width_ms=(3.0, 12.0), ringing_hz=(2000.0, 6000.0),
                 ringing_decay_ms=(0.1, 0.6), ringing_level=(0.2, 0.6),
                 stereo_spread=(0.4, 1.0), p=1.0):
        super().__init__(p=p)
        self.impulse_rate = check_range(impulse_rate, name="impulse_rate", low=0, high=2000)
        self.impulse_amplitude = check_range(impulse_amplitude, name="impulse_amplitude",
                                             low=1e-6, high=1.0)
        self.width_ms = check_range(width_ms, name="width_ms", low=0.01, high=20)
        self.positive_fraction = check_range(positive_fraction, name="positive_fraction",
                                             low=0, high=1)[0]
        self.scratch_fraction = check_range(scratch_fraction, name="scratch_fraction",
                                            low=0, high=1)[0]
        self.scratch_width_ms = check_range(scratch_width_ms, name="scratch_width_ms",
                                            low=0.01, high=100)
        self.ringing_hz = check_range(ringing_hz, name="ringing_hz", low=100, high=20000)
        self.ringing_decay_ms = check_range(ringing_decay_ms, name="ringing_decay_ms",
                                            low=0.01, high=20)
        self.ringing_level = check_range(ringing_level, name="ringing_level", low=0, high=0.9)
        self.stereo_spread = check_range(stereo_spread, name="stereo_spread", low=0, high=1)

    def draw(self, audio, rng):
        rate = rng.uniform(*self.impulse_rate)
        n = int(rng.poisson(rate * audio.duration))
        scratch = rng.random(n) < self.scratch_fraction
        return {
            "rate": rate,
            "start": np.sort(rng.integers(0, audio.frames, n)),
            "peak": log_uniform(rng, *self.impulse_amplitude, n),
            "polarity": np.where(rng.random(n) < self.positive_fraction, 1, -1),
            "scratch": scratch.astype(int),
            "width_ms": np.where(scratch, log_uniform(rng, *self.scratch_width_ms, n),
                                 log_uniform(rng, *self.width_ms, n)),
            "ringing_hz": rng.uniform(*self.ringing_hz, n),
            "ringing_decay_ms": rng.uniform(*self.ringing_decay_ms, n),
            "ringing_level": rng.uniform(*self.ringing_level, n),
            "gain": channel_gains(rng, n, audio.channels, self.stereo_spread),
        }

    def apply(self, audio, params, rng):
        rate = audio.sample_rate
        # the ringing must stay below Nyquist whatever the file's rate
        ring_hz = np.minimum(params["ringing_hz"], 0.45 * rate)
        kernels, positions = [], []
        for width_ms, f, decay_ms, level in zip(params["width_ms"], ring_hz,
                                                params["ringing_decay_ms"],
                                                params["ringing_level"], strict=True):
            body = _pulse(max(1, round(width_ms * rate / 1000)))
            t = np.arange(round(5 * decay_ms * rate / 1000)) / rate
            ring = level * np.sin(2 * np.pi * f * t) * np.exp(-t * 1000 / decay_ms)
            top = int(np.argmax(body))
            kernel = np.concatenate([body, np.zeros(max(0, top + ring.size - body.size))])
            kernel[top: top + ring.size] += ring
            # the ringing adds to the falling body, so the peak may sit a little later;
            # it keeps the body's sign because the ringing is weaker than the body
            kernels.append(kernel / np.abs(kernel).max())
            positions.append(int(np.argmax(np.abs(kernel))))
        offsets = np.array(positions, int)
        params = peaks_inside({**params, "offset": offsets, "ringing_hz": ring_hz,
                               "kernel": np.arange(offsets.size)}, offsets, audio.frames)
        kernels = [kernels[i] for i in params["kernel"]]
        ring_hz = params["ringing_hz"]
        signed = (params["peak"] * params["polarity"])[:, None] * params["gain"]
        added = render_events(audio.frames, kernels, params["start"], signed)
        truth = Truth(self.name, added=added, events={
            "start": params["start"], "position": params["start"] + params["offset"],
            "width": np.array([max(1, round(w * rate / 1000)) for w in params["width_ms"]],
                              int),
            "length": np.array([k.size for k in kernels], int), "peak": params["peak"],
            "polarity": params["polarity"], "scratch": params["scratch"],
            "ringing_hz": ring_hz, "gain": params["gain"]})
        return audio.samples + truth.added, truth


class Crackle(Degradation):
    """Crackle: a dense rain of tiny, very short impulses from the worn groove surface.

    ``density`` impulses per second (Poisson), each 0.02–0.15 ms wide with peaks
    log-uniform between a quarter of and the drawn ``crackle_level``. The kernel is a
    short pulse passed through ``1 - 0.9 z^-1`` (nearly a first difference), which tilts
    the crackle's spectrum up by about 10 dB from below 1 kHz to 3–12 kHz: crackle is
    heard as high-frequency frying, not as thuds.

    Truth events: ``start``, ``position``, ``width``, ``length``, ``peak``, ``polarity``.
    """

    name = "crackle"
    additive = True

    def __init__(self, *, crackle_level=(0.01, 0.02), density=(200.0, 800.0),
                 width_ms=(0.02, 0.15), positive_fraction=0.5, stereo_spread=(0.3, 1.0),
                 p=1.0):
        super().__init__(p=p)
        self.crackle_level = check_range(crackle_level, name="crackle_level", low=0, high=1)
        self.density = check_range(density, name="density", low=0, high=20000)
        self.width_ms = check_range(width_ms, name="width_ms", low=0.005, high=2)
        self.positive_fraction = check_range(positive_fraction, name="positive_fraction",
                                             low=0, high=1)[0]
        self.stereo_spread = check_range(stereo_spread, name="stereo_spread", low=0, high=1)

    def draw(self, audio, rng):
        level = rng.uniform(*self.crackle_level)
        n = int(rng.poisson(rng.uniform(*self.density) * audio.duration))
        return {"level": level, "start": np.sort(rng.integers(0, audio.frames, n)),
                "peak": level * log_uniform(rng, 0.25, 1.0, n) if level > 0 else np.zeros(n),
                "polarity": np.where(rng.random(n) < self.positive_fraction, 1, -1),
                "width": np.maximum(1, np.round(log_uniform(rng, *self.width_ms, n)
                                                * audio.sample_rate / 1000)).astype(int),
                "gain": channel_gains(rng, n, audio.channels, self.stereo_spread)}

    def apply(self, audio, params, rng):
        # tens of thousands of events but only a handful of distinct widths: build each
        # width's kernel once, list every (frame, value) its taps add, and sum them all
        # in one bincount per channel
        shapes = {}
        for w in np.unique(params["width"]):
            k = np.convolve(_pulse(int(w) + 1, rise=0.5), [1.0, -0.9])
            shapes[int(w)] = k / np.abs(k).max()
        widths = np.array(sorted(shapes))
        tops = np.array([np.argmax(np.abs(shapes[w])) for w in widths], int)
        top = tops[np.searchsorted(widths, params["width"])]
        params = peaks_inside({**params, "top": top}, top, audio.frames)
        signed = (params["peak"] * params["polarity"])[:, None] * params["gain"]
        frames, values = [np.zeros(0, int)], [np.zeros((0, audio.channels))]
        for w, k in shapes.items():
            mine = params["width"] == w
            for tap, value in enumerate(k):
                frames.append(params["start"][mine] + tap)
                values.append(signed[mine] * value)
        at, weights = np.concatenate(frames), np.concatenate(values)
        inside = at < audio.frames
        added = np.stack([np.bincount(at[inside], weights[inside, c], minlength=audio.frames)
                          .astype(np.float32) for c in range(audio.channels)])
        truth = Truth(self.name, added=added, events={
            "start": params["start"], "position": params["start"] + params["top"],
            "width": params["width"],
            "length": np.array([shapes[w].size for w in widths])[
                np.searchsorted(widths, params["width"])],
            "peak": params["peak"], "polarity": params["polarity"]})
        return audio.samples + truth.added, truth


class Thumps(Degradation):
    """Thumps: low, decaying bursts when the stylus crosses a crack or a deep gouge.

    The arm and cartridge are knocked and swing at their low resonance (``frequency_hz``,
    20–80 Hz) dying away over ``decay_ms``. Events come at ``thump_rate`` per second.

    Truth events: ``start``, ``position``, ``length``, ``peak``, ``polarity``,
    ``frequency_hz``.
    """

    name = "thumps"
    additive = True

    def __init__(self, *, thump_rate=(0.05, 0.3), amplitude=(0.05, 0.3),
                 frequency_hz=(20.0, 80.0), decay_ms=(40.0, 250.0), p=1.0):
        super().__init__(p=p)
        self.thump_rate = check_range(thump_rate, name="thump_rate", low=0, high=50)
        self.amplitude = check_range(amplitude, name="amplitude", low=1e-6, high=1)
        self.frequency_hz = check_range(frequency_hz, name="frequency_hz", low=5, high=300)
        self.decay_ms = check_range(decay_ms, name="decay_ms", low=5, high=2000)

    def draw(self, audio, rng):
        n = int(rng.poisson(rng.uniform(*self.thump_rate) * audio.duration))
        return {"start": np.sort(rng.integers(0, audio.frames, n)),
                "peak": log_uniform(rng, *self.amplitude, n),
                "polarity": rng.choice([-1, 1], n),
                "frequency_hz": rng.uniform(*self.frequency_hz, n),
                "decay_ms": rng.uniform(*self.decay_ms, n)}

    def apply(self, audio, params, rng):
        rate = audio.sample_rate
        kernels = []
        for f, decay_ms in zip(params["frequency_hz"], params["decay_ms"], strict=True):
            t = np.arange(round(5 * decay_ms * rate / 1000)) / rate
            k = np.sin(2 * np.pi * f * t) * np.exp(-t * 1000 / decay_ms)
            kernels.append(k / np.abs(k).max())
        top = np.array([np.argmax(np.abs(k)) for k in kernels], int)
        params = peaks_inside({**params, "top": top, "kernel": np.arange(top.size)}, top,
                              audio.frames)
        kernels = [kernels[i] for i in params["kernel"]]
        signed = (params["peak"] * params["polarity"])[:, None] * np.ones((1, audio.channels))
        added = render_events(audio.frames, kernels, params["start"], signed)
        truth = Truth(self.name, added=added, events={
            "start": params["start"], "position": params["start"] + params["top"],
            "length": np.array([k.size for k in kernels], int), "peak": params["peak"],
            "polarity": params["polarity"], "frequency_hz": params["frequency_hz"]})
        return audio.samples + truth.added, truth
