"""Synthesised example music, made by the project itself: ``synthesize_music``.

Restorers must be judged on signals with musical structure — sustained tones whose
harmonics a declicker must not smear, sharp attacks it must not mistake for clicks, and
quiet passages where hiss is heard — yet nothing here may depend on a download. So the
example clip is a short chord progression played by four simple instruments:

- a piano-like voice: additive partials with the stiff-string inharmonicity
  ``f_n = n f0 sqrt(1 + B n^2)`` (Fletcher 1964) and per-partial exponential decay;
- a plucked bass: the Karplus-Strong string (Karplus & Strong 1983);
- a bowed pad: band-limited sawtooth with slow attack and 5 Hz vibrato;
- drums: a pitch-swept sine kick and short high-passed noise bursts (hi-hat), whose
  attacks are the transients a declicker must keep.

``synthesize_voice`` sings instead: a source-filter voice (Fant 1960), a glottal pulse
train with vibrato through vowel formants, with breath noise and the noise bursts of
consonants — the sibilants and plosives a declicker must not take for clicks.
"""

from __future__ import annotations

import numpy as np

from restorekit.audio import Audio, check_sample_rate
from restorekit.errors import ParameterError

__all__ = ["synthesize_music", "synthesize_voice"]

# I - vi - IV - V in C major, as MIDI note numbers (root position triads).
_PROGRESSION = [(60, 64, 67), (57, 60, 64), (53, 57, 60), (55, 59, 62)]


def _hz(note: float) -> float:
    return 440.0 * 2.0 ** ((note - 69) / 12)


def _piano(f0: float, n: int, sample_rate: int, rng: np.random.Generator) -> np.ndarray:
    t = np.arange(n) / sample_rate
    inharmonicity = 4e-4
    out = np.zeros(n)
    for k in range(1, 12):
        fk = k * f0 * np.sqrt(1 + inharmonicity * k * k)
        if fk >= 0.45 * sample_rate:
            break
        decay = 1.5 + 0.9 * k  # higher partials die away faster, as on a real string
        out += np.exp(-decay * t) * np.sin(2 * np.pi * fk * t + rng.uniform(0, 2 * np.pi)) / k
    attack = np.minimum(1.0, t / 0.002)
    return out * attack


def _karplus_strong(f0: float, n: int, sample_rate: int,
                    rng: np.random.Generator) -> np.ndarray:
    period = max(2, round(sample_rate / f0))
    out = np.zeros(n)
    first = min(n, period + 1)
    out[:first] = rng.uniform(-1, 1, first)
    # y[n] = 0.996 * (y[n - P] + y[n - P - 1]) / 2: the two-point average is the string's
    # loss filter. Every sample of one period depends only on earlier periods, so a whole
    # period is computed at once.
    for start in range(first, n, period):
        now = np.arange(start, min(start + period, n))
        out[now] = 0.996 * 0.5 * (out[now - period] + out[now - period - 1])
    return out


def _pad(f0: float, n: int, sample_rate: int) -> np.ndarray:
    t = np.arange(n) / sample_rate
    phase = 2 * np.pi * f0 * t + 0.004 * f0 / 5 * np.sin(2 * np.pi * 5 * t)
    harmonics = range(1, max(2, min(16, int(0.45 * sample_rate / f0))))
    saw = sum(np.sin(k * phase) / k for k in harmonics)
    envelope = np.minimum(1.0, t / 0.25) * np.minimum(1.0, (t[-1] - t) / 0.2 + 1e-3)
    return saw * envelope


def _kick(n: int, sample_rate: int) -> np.ndarray:
    t = np.arange(n) / sample_rate
    freq = 50 + 100 * np.exp(-t / 0.03)
    return np.sin(2 * np.pi * np.cumsum(freq) / sample_rate) * np.exp(-t / 0.15)


def _hat(n: int, sample_rate: int, rng: np.random.Generator) -> np.ndarray:
    noise = np.diff(rng.standard_normal(n + 1))  # first difference: a gentle high-pass
    return noise * np.exp(-np.arange(n) / (0.02 * sample_rate))


def _add(track: np.ndarray, sound: np.ndarray, at: int, gain: float, *,
         sample_rate: int) -> None:
    """Mix ``sound`` in at frame ``at``, its ends eased by 0.5 ms / 5 ms cosine ramps.

    A note cut off mid-wave is a step: a click in the "clean" music. Real instruments
    neither start nor stop within a sample, so neither do these.
    """
    sound = sound.copy()
    for ramp, end in ((round(0.0005 * sample_rate), "start"), (round(0.005 * sample_rate),
                                                                "stop")):
        ramp = min(ramp, sound.size // 2)
        if ramp:
            shape = 0.5 - 0.5 * np.cos(np.pi * np.arange(ramp) / ramp)
            if end == "start":
                sound[:ramp] *= shape
            else:
                sound[-ramp:] *= shape[::-1]
    stop = min(track.shape[-1], at + sound.shape[-1])
    if at < stop:
        track[at:stop] += gain * sound[: stop - at]


def _check(sample_rate: int, duration: float, channels: int) -> int:
    """The checked sample rate, after checking the duration and channel count."""
    rate = check_sample_rate(sample_rate)
    if not (np.isfinite(duration) and 0.1 <= duration <= 600):
        raise ParameterError(f"duration must be 0.1 to 600 seconds, got {duration!r}.")
    if channels not in (1, 2):
        raise ParameterError(f"channels must be 1 or 2, got {channels!r}.")
    return rate


def _at_minus_3_dbfs(mix: np.ndarray, rate: int) -> Audio:
    """``mix`` scaled so its peak is at -3 dBFS (silence stays silent)."""
    peak = np.abs(mix).max()
    return Audio(mix * (10 ** (-3 / 20) / peak) if peak > 0 else mix, rate)


def synthesize_music(*, sample_rate: int, duration: float, rng: np.random.Generator,
                     channels: int = 2, tempo_bpm: float = 100.0) -> Audio:
    """Synthesise a short piece: piano chords, plucked bass, pad and drums.

    Parameters
    ----------
    sample_rate : int
        Output rate in Hz.
    duration : float
        Length in seconds (0.1 to 600).
    rng : numpy.random.Generator
        Source of partial phases, string excitations and hi-hat noise; the same seed
        gives the same samples.
    channels : int
        1 (mono) or 2 (the instruments are panned across the stereo image).
    tempo_bpm : float
        Beats per minute; each chord lasts one bar of four beats.

    Returns
    -------
    Audio
        Peak-normalised to -3 dBFS.
    """
    rate = _check(sample_rate, duration, channels)
    if not (np.isfinite(tempo_bpm) and 30 <= tempo_bpm <= 300):
        raise ParameterError(f"tempo_bpm must be 30 to 300, got {tempo_bpm!r}.")
    n = round(duration * rate)
    beat = round(60.0 / tempo_bpm * rate)
    # (pan position -1..1, track) per instrument
    tracks = {name: np.zeros(n) for name in ("piano", "bass", "pad", "drums")}
    for bar, start in enumerate(range(0, n, 4 * beat)):
        chord = _PROGRESSION[bar % len(_PROGRESSION)]
        length = min(4 * beat, n - start)
        for note in chord:
            _add(tracks["pad"], _pad(_hz(note), length, rate), start, 0.05, sample_rate=rate)
        for b in range(4):
            at = start + b * beat
            note = chord[b % 3] + 12
            sounds = [("piano", _piano(_hz(note), 2 * beat, rate, rng), at, 0.3),
                      ("bass", _karplus_strong(_hz(chord[0] - 24), beat, rate, rng), at, 0.4),
                      ("drums", _kick(beat, rate), at, 0.6 if b % 2 == 0 else 0.0),
                      ("drums", _hat(beat // 4, rate, rng), at + beat // 2, 0.15)]
            for name, sound, when, gain in sounds:
                _add(tracks[name], sound, when, gain, sample_rate=rate)
    pans = {"piano": -0.4, "bass": 0.0, "pad": 0.5, "drums": 0.1}
    if channels == 1:
        mix = sum(tracks.values())[np.newaxis, :]
    else:
        # constant-power panning: left gain cos, right gain sin of (pan + 1) * pi / 4
        mix = np.zeros((2, n))
        for name, track in tracks.items():
            angle = (pans[name] + 1) * np.pi / 4
            mix += np.stack([np.cos(angle) * track, np.sin(angle) * track])
    return _at_minus_3_dbfs(mix, rate)


# (F1, F2, F3) in Hz and bandwidths, for the vowels /a/, /e/, /i/, /o/, /u/ (Peterson
# & Barney 1952, adult female averages, rounded)
_VOWELS = [(850, 1220, 2810), (610, 2330, 2990), (310, 2790, 3310), (590, 920, 2710),
           (370, 950, 2670)]
_FORMANT_BANDWIDTHS = (80.0, 100.0, 140.0)


def _resonator(x: np.ndarray, freq: float, bandwidth: float, rate: int) -> np.ndarray:
    """A two-pole formant resonator (Klatt 1980) normalised to unit gain at 0 Hz."""
    from scipy.signal import lfilter

    r = np.exp(-np.pi * bandwidth / rate)
    a = [1.0, -2 * r * np.cos(2 * np.pi * freq / rate), r * r]
    return lfilter([sum(a)], a, x)


def synthesize_voice(*, sample_rate: int, duration: float, rng: np.random.Generator,
                     channels: int = 2) -> Audio:
    """Synthesise a sung melody: vowels on a glottal source, with consonant bursts.

    Each note (a C-major scale phrase, 0.5 s) is a Rosenberg-like glottal pulse train
    at the note's pitch with 5.5 Hz vibrato, shaped by the three formants of one vowel
    (cascade resonators, Klatt 1980), plus aspiration noise; every other note starts
    with a 30 ms "s"-like hiss or a 5 ms plosive burst.

    Parameters
    ----------
    sample_rate : int
    duration : float
        0.1 to 600 seconds.
    rng : numpy.random.Generator
        Source of the vowel order, breath and consonant noise.
    channels : int
        1, or 2 (the voice a little right of centre).

    Returns
    -------
    Audio
        Peak-normalised to -3 dBFS.
    """
    rate = _check(sample_rate, duration, channels)
    n = round(duration * rate)
    note = round(0.5 * rate)
    melody = [67, 69, 71, 72, 74, 72, 71, 69]
    voice = np.zeros(n)
    for k, start in enumerate(range(0, n, note)):
        length = min(note, n - start)
        t = np.arange(length) / rate
        f0 = _hz(melody[k % len(melody)]) * (1 + 0.012 * np.sin(2 * np.pi * 5.5 * t))
        phase = np.cumsum(f0) / rate % 1.0
        # glottal flow derivative: a smooth opening then a sharp closure each period
        source = np.where(phase < 0.6, np.sin(np.pi * phase / 0.6), -1.0) * (phase < 0.75)
        source = np.diff(source, prepend=0.0) + 0.05 * rng.normal(size=length)
        formants = _VOWELS[int(rng.integers(len(_VOWELS)))]
        sung = source
        for freq, bandwidth in zip(formants, _FORMANT_BANDWIDTHS, strict=True):
            sung = _resonator(sung, freq, bandwidth, rate)
        envelope = np.minimum(1.0, np.minimum(t / 0.04, (length / rate - t) / 0.06))
        sung *= np.clip(envelope, 0.0, 1.0)
        if k % 2 == 1:
            burst = round((0.03 if k % 4 == 1 else 0.005) * rate)
            hiss = rng.normal(size=min(burst, length)) * np.hanning(min(burst, length))
            hiss = np.diff(hiss, prepend=0.0)  # high-passed: a sibilant's top end
            sung[: hiss.size] += 0.3 * np.abs(sung).max() * hiss / max(np.abs(hiss).max(),
                                                                      1e-12)
        voice[start: start + length] = sung
    mix = voice[np.newaxis, :] if channels == 1 else np.stack([0.8 * voice, voice])
    return _at_minus_3_dbfs(mix, rate)
