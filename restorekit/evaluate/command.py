"""``CommandMethod``: a restoration tool run as a command on a temporary WAV file.

The input is written as a 32-bit float WAV (exactly the samples given, no limiter, no
dither), the command is run with ``{input}`` and ``{output}`` in its arguments replaced
by the two paths, and the output file is read back. The command's wall-clock time and
its peak resident set size are measured by the operating system: a small launcher
process spawns it and waits for it with ``os.wait4``, whose resource usage holds
``ru_maxrss`` (see :func:`run_measured` for why a launcher).
"""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import soundfile as sf

from restorekit.audio import Audio, check_audio
from restorekit.checks import check_number
from restorekit.errors import ParameterError, RestorekitError
from restorekit.evaluate.methods import MethodError, Outcome

if TYPE_CHECKING:
    from restorekit.evaluate.cases import Case

__all__ = ["CommandMethod", "run_measured"]

PLACEHOLDERS = ("{input}", "{output}")

# ru_maxrss is in kibibytes on Linux and the BSDs, in bytes on macOS
_MAXRSS_UNIT = 1 if sys.platform == "darwin" else 1024


# A small launcher between us and the tool. The kernel carries a process's peak RSS
# across exec, and a child forked (or vforked) from this process starts with *our* peak,
# so ``ru_maxrss`` of a direct child reads at least this Python's size. The launcher is a
# bare interpreter (about 8 MiB); the tool, spawned from it, inherits only that.
_LAUNCHER = """\
import json, os, sys, time
report, argv = sys.argv[1], sys.argv[2:]
started = time.perf_counter()
try:
    pid = os.posix_spawnp(argv[0], argv, os.environ)
except OSError as exc:
    with open(report, "w") as f:
        json.dump({"error": f"could not start {argv[0]!r} ({exc.strerror or exc})"}, f)
    sys.exit(127)
_, status, usage = os.wait4(pid, 0)
seconds = time.perf_counter() - started
with open(report, "w") as f:
    json.dump({"status": os.waitstatus_to_exitcode(status), "seconds": seconds,
               "maxrss": usage.ru_maxrss}, f)
"""


def run_measured(argv: Sequence[str], *, timeout: float, cwd: str | os.PathLike | None = None,
                 env: Mapping[str, str] | None = None,
                 log: str | os.PathLike | None = None) -> tuple[int, float, int]:
    """Run ``argv`` to completion and return ``(exit status, seconds, peak RSS bytes)``.

    Parameters
    ----------
    argv : sequence of str
        The command; not run through a shell.
    timeout : float
        Seconds before the command and every process in its session are killed
        (SIGKILL); a :class:`MethodError` then says so.
    cwd, env
        As for :class:`subprocess.Popen`.
    log : path, optional
        File that receives the command's stdout and stderr (else they are discarded).

    Returns
    -------
    (int, float, int)
        The exit status as :attr:`subprocess.Popen.returncode` gives it (negative: killed
        by that signal); wall-clock seconds from just before the command is spawned until
        it has exited (:func:`time.perf_counter`); and its peak resident set size in
        bytes: ``ru_maxrss`` of ``os.wait4`` on the command's pid (the largest of the
        command and any of its own children it waited for).

    Notes
    -----
    The command is not spawned from this process but from a bare Python launcher run
    with ``-I -S``, which waits for it with ``os.wait4`` and reports the figures. Linux
    keeps a process's peak RSS across ``exec``, and a child spawned from this process
    would start from this process's peak (hundreds of MiB once numpy, scipy or torch are
    loaded), hiding the tool's own. From the launcher it starts from the launcher's
    (about 8 MiB), so readings below that mean "at most the launcher's size". The
    launcher's own start-up is not in ``seconds``. Launcher and command run in a new
    session, so a timeout kills both.
    """
    with tempfile.TemporaryDirectory(prefix="restorekit-run-") as folder:
        report = Path(folder) / "report.json"
        launcher = [sys.executable, "-I", "-S", "-c", _LAUNCHER, str(report), *argv]
        with open(log if log is not None else os.devnull, "wb") as out:
            proc = subprocess.Popen(launcher, stdin=subprocess.DEVNULL, stdout=out,
                                    stderr=subprocess.STDOUT, cwd=cwd,
                                    env=None if env is None else dict(env),
                                    start_new_session=True)
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                _kill_group(proc)
                raise MethodError(f"{shlex.join(argv)} ran past its timeout of {timeout:g} s "
                                  "and was killed; raise timeout= or use a shorter case.") \
                    from None
            except BaseException:  # e.g. KeyboardInterrupt: leave nothing running
                _kill_group(proc)
                raise
        try:
            figures = json.loads(report.read_text())
        except (OSError, ValueError):
            raise MethodError(f"{shlex.join(argv)} could not be measured: its launcher "
                              f"exited {proc.returncode} without a report.") from None
    if "error" in figures:
        raise MethodError(f"{figures['error']}; check that it is installed and on PATH.")
    return (int(figures["status"]), float(figures["seconds"]),
            int(figures["maxrss"]) * _MAXRSS_UNIT)


def _kill_group(proc: subprocess.Popen) -> None:
    """SIGKILL the launcher's session and reap the launcher."""
    # not reaped yet, so its pid (which is the group id) cannot have been reused
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


class CommandMethod:
    """A restoration tool run as a command on a temporary 32-bit float WAV file.

    Parameters
    ----------
    name : str
        Label in tables.
    argv : sequence of str
        The command, not run through a shell; ``{input}`` and ``{output}`` inside any
        argument are replaced by the paths of the input and output files (other braces
        are left alone, so filter expressions need no escaping). For example::

            ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-i", "{input}",
             "-af", "adeclick", "-c:a", "pcm_f32le", "{output}"]
    timeout : float
        Seconds before the command is killed and the run fails.
    suffix : str
        Extension of the output file (the tool may choose its format from it).
    events : callable, optional
        ``events(output_path, input, output) -> frames or None``: reads the clicks the
        tool reports (e.g. from a report it writes beside its output). By default the
        tool reports none and the benchmark finds them in the removed signal.
    available : callable, optional
        ``available() -> str | None``, a fuller check than the default one (that
        ``argv[0]`` is an executable file or found on ``PATH``).
    env : mapping, optional
        Environment of the command (default: this process's).

    Notes
    -----
    ``seconds`` is the wall-clock time of the child process from start to exit, so it
    includes the tool's start-up (interpreter start, model loading) but not writing the
    input or reading the output. ``peak_memory`` is the child's peak resident set size
    (see :func:`run_measured`): all its memory, native libraries included.
    """

    def __init__(self, name: str, argv: Sequence[str], *, timeout: float = 600.0,
                 suffix: str = ".wav",
                 events: Callable[[Path, Audio, Audio], np.ndarray | None] | None = None,
                 available: Callable[[], str | None] | None = None,
                 env: Mapping[str, str] | None = None):
        if not isinstance(name, str) or not name:
            raise ParameterError(f"a method needs a non-empty name, got {name!r}.")
        if isinstance(argv, str) or not argv or not all(isinstance(a, str) for a in argv):
            raise ParameterError(f"command {name!r}: argv must be a non-empty list of "
                                 f"strings (not one shell string), got {argv!r}.")
        joined = " ".join(argv)
        if not all(p in joined for p in PLACEHOLDERS):
            raise ParameterError(f"command {name!r} must name both {{input}} and {{output}} "
                                 f"in its arguments, got {argv!r}.")
        self.name = name
        self.argv = tuple(argv)
        self.timeout = check_number(timeout, name="timeout", low=0.0, low_open=True)
        self.suffix = suffix
        self.events = events
        self._available = available
        self.env = env

    def available(self) -> str | None:
        """None when the command can run here, else what is missing."""
        program = self.argv[0]
        found = shutil.which(program) if os.sep not in program else (
            program if os.access(program, os.X_OK) else None)
        if found is None:
            return f"{program!r} is not installed or not on PATH"
        return None if self._available is None else self._available()

    def command(self, input_path: Path, output_path: Path) -> list[str]:
        """The argument list for these two paths."""
        return [a.replace("{input}", str(input_path)).replace("{output}", str(output_path))
                for a in self.argv]

    def run(self, audio: Audio, *, case: Case | None = None) -> Outcome:
        """Write ``audio`` to a temporary WAV, run the command, read its output back."""
        audio = check_audio(audio, who=f"method {self.name!r}")
        with tempfile.TemporaryDirectory(prefix="restorekit-bench-") as folder:
            folder = Path(folder)
            source, target, log = (folder / "input.wav", folder / f"output{self.suffix}",
                                   folder / "command.log")
            sf.write(str(source), audio.samples.T, audio.sample_rate, format="WAV",
                     subtype="FLOAT")
            argv = self.command(source, target)
            status, seconds, peak = run_measured(argv, timeout=self.timeout, cwd=folder,
                                                 env=self.env, log=log)
            if status != 0:
                how = f"was killed by signal {-status}" if status < 0 else f"exited {status}"
                raise MethodError(f"method {self.name!r} failed: {shlex.join(argv)} {how}"
                                  f"{_tail(log)}")
            restored = self._read(target, audio, argv)
            events = None if self.events is None else self.events(target, audio, restored)
        return Outcome(audio=restored, events=events, seconds=seconds, peak_memory=peak,
                       memory="rss", report={"command": shlex.join(self.argv)})

    def _read(self, target: Path, audio: Audio, argv: Sequence[str]) -> Audio:
        from restorekit.io import load

        if not target.is_file():
            raise MethodError(f"method {self.name!r} wrote no output file: "
                              f"{shlex.join(argv)} exited 0 but {target.name} is missing.")
        try:
            restored = load(target)
        except RestorekitError as exc:
            raise MethodError(f"method {self.name!r} wrote unreadable audio: {exc}") from None
        restored = Audio(restored.samples, restored.sample_rate)  # drop the temp source
        if (restored.sample_rate != audio.sample_rate
                or restored.samples.shape != audio.samples.shape):
            raise MethodError(f"method {self.name!r} returned {restored!r} for input "
                              f"{audio!r}; a restorer must keep the rate, channels and "
                              "length.")
        return restored

    def __repr__(self) -> str:
        return f"CommandMethod({self.name!r}, {list(self.argv)!r})"


def _tail(log: Path, lines: int = 3) -> str:
    """``": <last lines of the log>"``, or ``" with no message."`` when it is empty."""
    try:
        text = log.read_text(errors="replace").strip()
    except OSError:
        text = ""
    if not text:
        return " with no message."
    return ": " + " | ".join(text.splitlines()[-lines:])
