"""NeuralDenoise: the impulse-aware denoiser as a restorer, at any sample rate.

The model works at the rate it was trained at (22.05 kHz for the bundled one). A
transfer at another rate is resampled to it (soxr), restored, and only the *change* the
model made is resampled back and applied to the original: whatever lies above the model's
band (above 11 kHz at 22.05 kHz) is kept rather than thrown away by a round trip. A
click is broadband, though, and its top octave would stay; so under the impulses the
model reports (combined mask above 0.5) that upper band is pushed down as the model's own
input is, by ``1 - mask * max_suppression``. Each channel is restored on its own, by
the shared chunked overlap-add routine (:func:`restorekit.models.chunked.apply_chunked`).

The impulses it reports are the runs of its combined mask (learned and analytical
detectors) above 0.5, per channel.
"""

from __future__ import annotations

import numpy as np
import torch

from restorekit.analysis.events import ImpulseEvents
from restorekit.checks import check_number
from restorekit.dsp.arrays import fit_length, resample_array
from restorekit.errors import ParameterError
from restorekit.models.chunked import apply_chunked
from restorekit.restore.base import Restorer

__all__ = ["NeuralDenoise"]


class NeuralDenoise(Restorer):
    """Clicks, crackle and hiss removed by a trained :class:`ImpulseAwareDenoiser`.

    Parameters
    ----------
    model : str, path or ImpulseAwareDenoiser
        ``"bundled"``, a ``.safetensors`` path or a name in ``$RESTOREKIT_MODELS``
        (:func:`restorekit.models.checkpoint.load_model`), or a model object.
    chunk_seconds : float
        Length of each chunk the model sees.
    overlap_seconds : float
        Crossfade between chunks.
    margin_seconds : float, optional
        Output thrown away at each end of a chunk. The default is the model's receptive
        field (:attr:`~restorekit.models.denoiser.ImpulseAwareDenoiser.receptive_field`,
        0.4 s for the bundled spectral model), so chunks give what the whole file would.
    device : str
        ``"cpu"`` or ``"cuda"``.
    threads : int, optional
        Torch threads (default: torch's own choice).
    mix : float
        Dry/wet.
    """

    name = "neural"

    def __init__(self, model="bundled", *, chunk_seconds: float = 4.0,
                 overlap_seconds: float = 0.05, margin_seconds: float | None = None,
                 device: str = "cpu",
                 threads: int | None = None, mix: float = 1.0):
        super().__init__(mix=mix)
        from restorekit.models.checkpoint import load_model
        from restorekit.models.denoiser import ImpulseAwareDenoiser

        self.model_spec = model if isinstance(model, str) else getattr(model, "kind", "model")
        self._model = (model if isinstance(model, ImpulseAwareDenoiser)
                       else load_model(model, device=device))
        self._model.eval()
        self.chunk_seconds = check_number(chunk_seconds, name="chunk_seconds", low=0.1,
                                          high=600.0)
        self.overlap_seconds = check_number(overlap_seconds, name="overlap_seconds", low=0.0,
                                            high=self.chunk_seconds / 4)
        if margin_seconds is None:
            margin_seconds = self._model.receptive_field / self._model.config.sample_rate
            if margin_seconds > self.chunk_seconds / 4:
                raise ParameterError(
                    f"chunk_seconds {self.chunk_seconds:g} is too short for this model: it "
                    f"reaches {margin_seconds:.2f} s either side, so chunks need at least "
                    f"{4 * margin_seconds:.2f} s.")
        self.margin_seconds = check_number(margin_seconds, name="margin_seconds", low=0.0,
                                           high=self.chunk_seconds / 4)
        self.device = device
        self.threads = threads

    @property
    def sample_rate(self) -> int:
        return self._model.config.sample_rate

    def _forward(self, batch: torch.Tensor) -> torch.Tensor:
        out = self._model(batch)
        return torch.cat([out.audio, out.combined], dim=1)

    def _process(self, audio, *, offset=0):
        if self.threads:
            torch.set_num_threads(int(self.threads))
        rate, model_rate = audio.sample_rate, self.sample_rate
        x = audio.samples.astype(np.float64)
        at_model = resample_array(x, rate, model_rate)
        step = self._model.multiple  # every chunk on the phase of the model's strides
        chunk, overlap, margin = (int(np.ceil(seconds * model_rate / step)) * step for seconds
                                  in (self.chunk_seconds, self.overlap_seconds,
                                      self.margin_seconds))
        # the model restores every channel on its own, so all go through in one pass
        both = apply_chunked(self._forward, at_model.astype(np.float32), chunk=chunk,
                             overlap=overlap, margin=margin, device=self.device)
        channels = x.shape[0]
        restored, combined = both[:channels].astype(np.float64), both[channels:]
        if rate == model_rate:
            out = restored
        else:
            frames = x.shape[1]
            change = fit_length(resample_array(restored - at_model, model_rate, rate), frames)
            out = x + change
            if rate > model_rate:
                upper = x - fit_length(resample_array(at_model, model_rate, rate), frames)
                out -= upper * self._upper_suppression(combined, frames)
        events = self._events(combined, x, rate=rate, model_rate=model_rate)
        return out, events, {"model": str(self.model_spec), "model_rate": model_rate,
                             "impulses": len(events)}

    def _upper_suppression(self, combined: np.ndarray, frames: int) -> np.ndarray:
        """How much of the band above the model's to take away, per channel and frame."""
        hot = np.where(combined > 0.5, combined, 0.0) * self._model.config.max_suppression
        where = np.arange(frames) * (combined.shape[1] / frames)
        grid = np.arange(combined.shape[1])
        return np.stack([np.interp(where, grid, h) for h in hot])

    def _events(self, combined: np.ndarray, x: np.ndarray, *, rate: int,
                model_rate: int) -> ImpulseEvents:
        from restorekit.models.detect import mask_runs

        scale = rate / model_rate
        columns: dict[str, list] = {k: [] for k in ("start", "width", "position", "peak",
                                                    "polarity", "channel", "ringing_ms",
                                                    "score")}
        frames = x.shape[1]
        for channel, mask in enumerate(combined):
            starts, ends, where = mask_runs(mask, merge=int(model_rate // 1000))
            for s, e, p in zip(starts, ends, where, strict=True):
                at = min(frames - 1, int(round(p * scale)))
                columns["start"].append(min(frames - 1, int(s * scale)))
                columns["width"].append(max(1, int(round((e - s) * scale))))
                columns["position"].append(at)
                columns["peak"].append(abs(float(x[channel, at])))
                columns["polarity"].append(1 if x[channel, at] >= 0 else -1)
                columns["channel"].append(channel)
                columns["ringing_ms"].append(0.0)
                columns["score"].append(float(mask[p]))
        if not columns["position"]:
            return ImpulseEvents.empty(sample_rate=rate, frames=frames, channels=x.shape[0])
        arrays = {k: np.asarray(v, float if k in ("peak", "ringing_ms", "score") else int)
                  for k, v in columns.items()}
        order = np.argsort(arrays["position"], kind="stable")
        return ImpulseEvents(sample_rate=rate, frames=frames, channels=x.shape[0],
                             **{k: v[order] for k, v in arrays.items()})

    def context(self, sample_rate: int) -> int:
        # a window must hold the chunk that reaches a kept frame, and that chunk's margin
        return int(round((self.chunk_seconds + self.margin_seconds) * sample_rate))

    def grid(self, sample_rate: int) -> int:
        """Windows start on the phase of the model's strides, so a window's chunks are
        the whole file's (at the model's rate, or an integer multiple of it)."""
        ratio = sample_rate / self.sample_rate
        step = self._model.multiple
        return int(step * ratio) if ratio == int(ratio) else 1
