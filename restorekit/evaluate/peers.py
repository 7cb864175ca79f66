"""Peer methods: other people's restorers, run as they ship, beside the baselines.

Every peer runs with its own defaults, so a table says how the tool does out of the box.
Each one checks that it can run here (:meth:`available`); one that cannot is skipped by
:func:`~restorekit.evaluate.benchmark` with its reason in the table.

===============================  ==========================================================
method                           needs
===============================  ==========================================================
``identity``                     nothing (the do-nothing baseline)
``oracle``                       the case's truth (``restorekit.restore.Oracle``)
``ffmpeg adeclick``              an ``ffmpeg`` on PATH with the ``adeclick`` filter
``ffmpeg adeclick+afftdn``       an ``ffmpeg`` with ``adeclick`` and ``afftdn``
``noisereduce stationary``       the Python package ``noisereduce`` (in-process)
``noisereduce non-stationary``   the Python package ``noisereduce`` (in-process)
``grooveclean``                  the Python package ``grooveclean`` (Python >= 3.11, torch),
                                 run as ``python -m grooveclean.cli clean`` in a subprocess
===============================  ==========================================================

References
----------
- ffmpeg ``adeclick``: autoregressive click detection and interpolation after Godsill &
  Rayner, Digital Audio Restoration (1998); ``afftdn``: FFT-domain noise reduction.
  https://ffmpeg.org/ffmpeg-filters.html
- noisereduce: spectral gating (T. Sainburg, "noisereduce", 2019; Sainburg, Thielk &
  Gentner, PLoS Comp. Biol. 16(10), 2020). https://github.com/timsainburg/noisereduce
- grooveclean: a dilated 1-D CNN click detector (torch) with LSAR interpolation; writes
  the cleaned file, a ``.removed`` difference file and a ``.report.json`` of every click.
  https://github.com/Booyaka101/grooveclean
"""

from __future__ import annotations

import functools
import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np

from restorekit.audio import Audio
from restorekit.evaluate.command import CommandMethod
from restorekit.evaluate.methods import CaseMethod, RestorerMethod, missing_modules
from restorekit.restore.base import Identity, Restorer
from restorekit.restore.oracle import Oracle

__all__ = ["NoiseReduce", "identity", "oracle", "ffmpeg_adeclick", "ffmpeg_adeclick_afftdn",
           "noisereduce_stationary", "noisereduce_nonstationary", "grooveclean", "peer_methods",
           "availability", "grooveclean_events"]


class NoiseReduce(Restorer):
    """noisereduce's spectral gating as a restorer, on its defaults.

    Calls ``noisereduce.reduce_noise(y=samples, sr=rate, stationary=stationary)`` on the
    ``(channels, frames)`` float32 samples; noisereduce estimates the noise from the
    signal itself (no ``y_noise``), per channel.

    Parameters
    ----------
    stationary : bool
        Stationary gating (one noise threshold for the whole signal) or non-stationary
        (a threshold that follows a smoothed noise level over time).
    mix : float
        Dry/wet, as every restorer.
    """

    name = "noisereduce"

    def __init__(self, *, stationary: bool, mix: float = 1.0):
        super().__init__(mix=mix)
        self.stationary = bool(stationary)

    def _process(self, audio, *, offset=0):
        import noisereduce

        out = noisereduce.reduce_noise(y=audio.samples, sr=audio.sample_rate,
                                       stationary=self.stationary)
        return np.asarray(out, dtype=np.float64).reshape(audio.samples.shape), None, {
            "stationary": self.stationary}


def identity() -> RestorerMethod:
    """The do-nothing baseline: its delta is 0 on every metric."""
    return RestorerMethod(Identity(), name="identity")


def oracle() -> CaseMethod:
    """The oracle, built from each case's truth: ``Oracle(case.truth)``."""
    return CaseMethod("oracle", lambda case: Oracle(case.truth))


@functools.lru_cache(maxsize=8)
def _ffmpeg_filters(program: str) -> frozenset[str] | str:
    """The audio filter names ``program`` knows, or why it could not be asked."""
    try:
        done = subprocess.run([program, "-hide_banner", "-nostdin", "-filters"],
                              capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"{program} -filters did not run ({exc})"
    names = set()
    for line in done.stdout.splitlines():
        parts = line.split()
        if len(parts) >= 3 and "->" in parts[2]:
            names.add(parts[1])
    return frozenset(names)


def _ffmpeg(name: str, chain: str, *, program: str | None, timeout: float) -> CommandMethod:
    program = program or shutil.which("ffmpeg") or "ffmpeg"
    wanted = [f.split("=")[0] for f in chain.split(",")]

    def check() -> str | None:
        filters = _ffmpeg_filters(program)
        if isinstance(filters, str):
            return filters
        missing = [f for f in wanted if f not in filters]
        if missing:
            return f"{program} lacks the filter(s) {', '.join(missing)}; install a full ffmpeg"
        return None

    argv = [program, "-nostdin", "-hide_banner", "-loglevel", "error", "-i", "{input}",
            "-af", chain, "-c:a", "pcm_f32le", "{output}"]
    return CommandMethod(name, argv, timeout=timeout, available=check)


def ffmpeg_adeclick(*, program: str | None = None, timeout: float = 600.0) -> CommandMethod:
    """ffmpeg's ``adeclick`` filter on its defaults (``ffmpeg -af adeclick``)."""
    return _ffmpeg("ffmpeg adeclick", "adeclick", program=program, timeout=timeout)


def ffmpeg_adeclick_afftdn(*, program: str | None = None,
                           timeout: float = 600.0) -> CommandMethod:
    """``adeclick`` then ``afftdn`` (FFT denoiser), both on their defaults."""
    return _ffmpeg("ffmpeg adeclick+afftdn", "adeclick,afftdn", program=program,
                   timeout=timeout)


def noisereduce_stationary() -> RestorerMethod:
    """noisereduce, stationary spectral gating, defaults, in this process."""
    return RestorerMethod(NoiseReduce(stationary=True), name="noisereduce stationary",
                          requires=("noisereduce",))


def noisereduce_nonstationary() -> RestorerMethod:
    """noisereduce, non-stationary spectral gating, defaults, in this process."""
    return RestorerMethod(NoiseReduce(stationary=False), name="noisereduce non-stationary",
                          requires=("noisereduce",))


def grooveclean_events(output: Path, audio: Audio, restored: Audio) -> np.ndarray:
    """The clicks grooveclean reports, one frame per click across channels.

    Reads ``<output>.report.json`` (its ``clicks``: channel, ``start_sample`` and
    exclusive ``end_sample``), joins the spans of all channels that overlap or touch into
    one, and places each at the frame of its largest ``max_c |input - output|`` (its
    start when it left the span alone, as for spans too wide to repair).
    """
    report = output.with_name(output.stem + ".report.json")
    clicks = json.loads(report.read_text())["clicks"]
    if not clicks:
        return np.zeros(0, dtype=np.int64)
    spans = sorted((int(c["start_sample"]), int(c["end_sample"])) for c in clicks)
    merged = [list(spans[0])]
    for start, stop in spans[1:]:
        if start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], stop)
        else:
            merged.append([start, stop])
    envelope = np.abs(audio.samples.astype(np.float64) - restored.samples).max(axis=0)
    return np.array([start + int(np.argmax(envelope[start:max(stop, start + 1)]))
                     for start, stop in merged], dtype=np.int64)


def _grooveclean_command() -> list[str] | None:
    if importlib.util.find_spec("grooveclean") is not None:
        return [sys.executable, "-m", "grooveclean.cli"]
    found = shutil.which("grooveclean")
    return [found] if found else None


def grooveclean(*, device: str = "auto", timeout: float = 600.0) -> CommandMethod:
    """grooveclean's ``clean`` command on its defaults (sensitivity 0.5, 20 ms spans).

    Run in a subprocess: with this interpreter (``python -m grooveclean.cli``) when the
    package is importable here, else a ``grooveclean`` found on PATH (e.g. pipx). Its
    reported clicks are scored (:func:`grooveclean_events`). ``device`` is its
    ``--device`` (``auto`` takes a GPU when torch sees one); its time includes starting
    Python, importing torch and loading the CNN.
    """
    base = _grooveclean_command()

    def check() -> str | None:
        if base is None:
            return ("grooveclean is not installed: pip install grooveclean (Python >= 3.11; "
                    "pulls in torch)")
        if base[0] == sys.executable:
            return missing_modules(("torch", "click", "soundfile"))
        return None

    argv = [*(base or ["grooveclean"]), "clean", "{input}", "-o", "{output}",
            "--device", device]
    return CommandMethod("grooveclean", argv, timeout=timeout, events=grooveclean_events,
                         available=check)


def peer_methods() -> list:
    """The baseline and every peer, in table order: identity, ffmpeg adeclick, ffmpeg
    adeclick+afftdn, noisereduce stationary and non-stationary, grooveclean.

    The oracle is not included (it is a bound, not a peer): add :func:`oracle`.
    """
    return [identity(), ffmpeg_adeclick(), ffmpeg_adeclick_afftdn(),
            noisereduce_stationary(), noisereduce_nonstationary(), grooveclean()]


def availability(methods) -> dict[str, str | None]:
    """``{name: None or the reason it cannot run}`` for each method, e.g. to print."""
    return {m.name: m.available() for m in methods}
