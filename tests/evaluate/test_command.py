import sys

import numpy as np
import pytest

from restorekit.errors import ParameterError, RestorekitError
from restorekit.evaluate import CommandMethod, MethodError, run_measured

# copies the input WAV, scaled, as 32-bit float; ALLOC MiB held to show in the peak RSS
SCRIPT = """
import sys
import numpy as np, soundfile as sf
src, dst, gain, alloc = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4])
held = np.ones(alloc * 2**20 // 8)
x, rate = sf.read(src, dtype="float32", always_2d=True)
sf.write(dst, x * np.float32(gain), rate, subtype="FLOAT")
"""


def copier(gain="1", alloc="0", **options):
    return CommandMethod("copy", [sys.executable, "-c", SCRIPT, "{input}", "{output}", gain,
                                  alloc], **options)


def test_a_copy_round_trips_exactly_and_is_measured(case):
    method = copier()
    assert method.available() is None
    out = method.run(case.degraded)
    np.testing.assert_array_equal(out.audio.samples, case.degraded.samples)
    assert out.audio.source is None
    assert out.seconds > 0 and out.memory == "rss"
    assert out.peak_memory > 2**20
    assert out.events is None and "{input}" in out.report["command"]


def test_the_peak_is_the_commands_own(case):
    small = copier().run(case.degraded).peak_memory
    big = copier(alloc="64").run(case.degraded).peak_memory
    assert 48 * 2**20 < big - small < 96 * 2**20
    # not inflated by this process's own size (a child spawned directly would be)
    held = np.ones(128 * 2**20 // 8)
    assert copier().run(case.degraded).peak_memory < small + 32 * 2**20
    del held


def test_attenuation_comes_back(case):
    out = copier(gain="0.5").run(case.degraded)
    np.testing.assert_array_equal(out.audio.samples, case.degraded.samples * np.float32(0.5))


def test_a_failing_command_says_why(case):
    failing = CommandMethod("bad", [sys.executable, "-c",
                                    "import sys; sys.exit('no shellac today')",
                                    "{input}", "{output}"])
    with pytest.raises(RestorekitError, match="'bad' failed.*exited 1.*no shellac today"):
        failing.run(case.degraded)
    silent = CommandMethod("lazy", [sys.executable, "-c", "pass", "{input}", "{output}"])
    with pytest.raises(MethodError, match="wrote no output"):
        silent.run(case.degraded)


def test_a_missing_program_and_a_timeout(case):
    ghost = CommandMethod("ghost", ["no-such-restorer-xyz", "{input}", "{output}"])
    assert "not installed" in ghost.available()
    with pytest.raises(MethodError, match="could not start"):
        ghost.run(case.degraded)
    with pytest.raises(MethodError, match="timeout"):
        run_measured([sys.executable, "-c", "import time; time.sleep(30)"], timeout=0.2)


def test_a_changed_length_is_refused(case):
    script = SCRIPT.replace("x * np.float32(gain)", "x[:-1]")
    method = CommandMethod("trim", [sys.executable, "-c", script, "{input}", "{output}",
                                    "1", "0"])
    with pytest.raises(MethodError, match="keep the rate, channels and length"):
        method.run(case.degraded)


def test_the_command_must_name_both_files():
    with pytest.raises(ParameterError, match="both"):
        CommandMethod("x", ["tool", "{input}"])
    with pytest.raises(ParameterError, match="list of strings"):
        CommandMethod("x", "tool {input} {output}")
