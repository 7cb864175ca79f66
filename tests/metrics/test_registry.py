"""The metric registry, the shared input checks, and a smoke test of every metric."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from restorekit.audio import Audio
from restorekit.errors import ParameterError, RestorekitWarning
from restorekit.metrics import KINDS, METRICS, Metric, get_metric, register
from restorekit.metrics import registry as registry_module

EXPECTED = {
    "snr", "si_sdr", "mse", "mae",
    "lsd", "mrstft", "spectral_flatness", "centroid_distance", "rolloff_distance",
    "mfcc_distance", "chroma_distance", "tonnetz_distance",
    "dynamic_range", "thd", "thd_n", "transient_preservation",
    "click_precision", "click_recall", "click_f1", "impulse_removal_rate",
    "pesq", "stoi",
}


def test_every_metric_is_registered():
    assert set(METRICS) == EXPECTED


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_metric_records_are_complete(name):
    metric = METRICS[name]
    assert isinstance(metric, Metric)
    assert metric.name == name
    assert metric.kind in KINDS
    assert isinstance(metric.higher_is_better, bool)
    assert isinstance(metric.unit, str)
    assert metric.description and "\n" not in metric.description


def test_kinds_and_directions():
    events = {name for name, metric in METRICS.items() if metric.kind == "events"}
    assert events == {"click_precision", "click_recall", "click_f1"}
    better_high = {name for name, metric in METRICS.items() if metric.higher_is_better}
    assert better_high == {"snr", "si_sdr", "transient_preservation", "click_precision",
                           "click_recall", "click_f1", "impulse_removal_rate", "pesq",
                           "stoi"}
    assert METRICS["snr"].unit == "dB"
    assert METRICS["centroid_distance"].unit == "Hz"


def test_registry_is_read_only():
    with pytest.raises(TypeError):
        METRICS["snr"] = METRICS["mae"]  # type: ignore[index]


def test_get_metric_returns_the_metric():
    assert get_metric("snr") is METRICS["snr"]


def test_unknown_metric_lists_the_known_names():
    with pytest.raises(ParameterError, match="unknown metric 'snrr'") as caught:
        get_metric("snrr")
    assert "si_sdr" in str(caught.value) and "stoi" in str(caught.value)


def test_registering_a_name_twice_raises():
    def another_snr(reference, estimate, sample_rate):
        """Not the real one."""
        return 0.0

    with pytest.raises(ParameterError, match="already registered"):
        register("snr", higher_is_better=True, unit="dB")(another_snr)
    assert METRICS["snr"].func is not another_snr


def test_register_adds_a_callable_metric():
    def peak_error(reference, estimate, sample_rate):
        """Largest absolute difference.

        More detail that the one-line description leaves out.
        """
        return np.abs(np.asarray(reference) - np.asarray(estimate)).max()

    try:
        returned = register("test_peak_error", higher_is_better=False, unit="")(peak_error)
        assert returned is peak_error
        metric = METRICS["test_peak_error"]
        assert metric.description == "Largest absolute difference."
        value = metric(np.zeros(4), np.array([0.0, 0.5, -1.0, 0.0]), 8000)
        assert value == 1.0 and type(value) is float
    finally:
        registry_module._REGISTRY.pop("test_peak_error", None)


def test_register_rejects_an_unknown_kind():
    with pytest.raises(ParameterError, match="kind"):
        register("test_bad_kind", higher_is_better=True, unit="", kind="video")


# -- the shared input checks, seen through one metric ----------------------------------


def test_audio_inputs_give_the_same_value_as_arrays(rng):
    reference = rng.standard_normal((2, 1000)).astype(np.float32) * 0.1
    estimate = reference + rng.standard_normal((2, 1000)).astype(np.float32) * 0.01
    from_arrays = METRICS["snr"](reference, estimate, 8000)
    from_audio = METRICS["snr"](Audio(reference, 8000), Audio(estimate, 8000), 8000)
    assert from_audio == pytest.approx(from_arrays, rel=1e-12)


def test_audio_at_another_rate_is_rejected(rng):
    audio = Audio(rng.standard_normal(1000) * 0.1, 8000)
    with pytest.raises(ParameterError, match="8000 Hz but sample_rate=16000"):
        METRICS["mae"](audio, audio.samples[0], 16000)


@pytest.mark.parametrize("reference, estimate, message", [
    (np.zeros(100), np.zeros(101), "same"),
    (np.zeros((2, 100)), np.zeros(100), "same"),
    (np.zeros((1, 2, 3)), np.zeros((1, 2, 3)), "shaped"),
    (np.zeros(0), np.zeros(0), "empty"),
    (np.array([0.0, np.nan]), np.zeros(2), "finite"),
    (np.zeros(2, dtype=complex), np.zeros(2), "real"),
])
def test_malformed_signals_are_rejected(reference, estimate, message):
    with pytest.raises(ParameterError, match=message):
        METRICS["mse"](reference, estimate, 8000)


@pytest.mark.parametrize("rate", [0, 44100.5, "44100", None])
def test_bad_sample_rates_are_rejected(rate):
    with pytest.raises(ParameterError, match="sample_rate"):
        METRICS["mse"](np.zeros(10), np.zeros(10), rate)


# -- every metric on one ordinary input ------------------------------------------------


@pytest.fixture(scope="module")
def stereo_pair():
    rng = np.random.default_rng(7)
    rate = 22050
    t = np.arange(rate) / rate
    tone = 0.4 * np.sin(2 * np.pi * 440 * t)
    reference = np.stack([tone, 0.8 * tone]) + 0.05 * rng.standard_normal((2, rate))
    estimate = reference + 0.02 * rng.standard_normal((2, rate))
    degraded = reference.copy()
    degraded[:, ::2205] += 0.5  # ten one-sample impulses per channel
    return reference, estimate, degraded, rate


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_metric_returns_a_float(name, stereo_pair):
    reference, estimate, degraded, rate = stereo_pair
    metric = get_metric(name)
    options = {}
    if metric.kind == "events":
        reference, estimate = np.array([100, 5000, 9000]), np.array([110, 9000, 15000])
    if name == "impulse_removal_rate":
        options["degraded"] = degraded
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RestorekitWarning)
        value = metric(reference, estimate, rate, **options)
    assert type(value) is float
    if name not in ("pesq", "stoi"):  # these two may be undefined on non-speech
        assert math.isfinite(value)
