import subprocess
import sys

import restorekit.dsp


def test_public_names_are_exported():
    for name in restorekit.dsp.__all__:
        assert callable(getattr(restorekit.dsp, name)), name
    assert {"true_peak", "TruePeakMeter", "LoudnessMeter", "quantize",
            "limit_true_peak", "remove_dc", "stft", "torch_istft"} <= set(restorekit.dsp.__all__)


def test_import_is_light():
    # Importing restorekit.dsp must not pull in torch or scipy.signal (seconds to load);
    # the functions that need them import them when first called.
    code = ("import sys, restorekit.dsp; "
            "print(sorted(m for m in ('torch', 'scipy.signal', 'scipy.ndimage', 'pyloudnorm')"
            " if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "[]"
