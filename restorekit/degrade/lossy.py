"""Damage from later copies of a recording: lossy coding, low sample rates, added noise.

Mp3            an MP3 encode and decode (LAME), aligned back to the input to the sample
Resample       a band-limited transfer: down to a low sample rate and back up
AdditiveNoise  white or pink noise at a chosen signal-to-noise ratio (additive)

Mp3 and Resample return as many frames as they were given, aligned with the input, so
restorers can still be scored sample by sample against the clean signal.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

import numpy as np

from restorekit.audio import MAX_SAMPLE_RATE, MIN_SAMPLE_RATE, Audio
from restorekit.checks import check_range
from restorekit.degrade.base import Degradation, Truth
from restorekit.dsp.arrays import fit_length, resample_array
from restorekit.errors import ParameterError

__all__ = ["Mp3", "Resample", "AdditiveNoise", "MP3_BITRATES", "MP3_SAMPLE_RATES"]

# ISO/IEC 11172-3 and 13818-3: the sample rates of MPEG-1, -2 and -2.5 Layer III, and the
# MPEG-1 bit rates. MPEG-2 (16-24 kHz) stops at 160 kbit/s and MPEG-2.5 (8-12 kHz) at 64.
MP3_SAMPLE_RATES = (8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000)
MP3_BITRATES = (32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320)
# LAME's encoder delay (576 frames) plus an mpg123 decoder's (529) is 1105 frames; a
# decoder that reads LAME's gapless tag removes some of it, so search 0 to 4000.
_NOMINAL_DELAY = 1105
_MAX_DELAY = 4000
_LAME_QUALITY = 2  # LAME's -q 2, "recommended, high quality"


def _highest_bitrate(codec_rate: int) -> int:
    return 320 if codec_rate >= 32000 else 160 if codec_rate >= 16000 else 64


class Mp3(Degradation):
    """An MP3 encode and decode, as in a lossy copy of a transfer.

    MP3 (MPEG-1/2 Layer III, ISO/IEC 11172-3) drops what a psychoacoustic model says is
    masked: at low bit rates the treble above 11 to 16 kHz goes, transients smear into
    pre-echo and quiet, noisy passages "swirl". Encoding is by LAME (through lameenc,
    constant bit rate, quality 2) and decoding by libsndfile (mpg123).

    The bit rate is drawn from the standard MPEG-1 rates within ``bitrate_kbps``. Audio
    at a rate MP3 does not support is resampled (soxr) to the nearest one that it does
    (``codec_rate``) and back; below 32 kHz the bit rate is capped at 160 kbit/s
    (MPEG-2) or 64 (MPEG-2.5). Samples are clipped to full scale ([-1, 1]) as they become
    the 16-bit integers LAME takes, as on a 16-bit master, rather than wrapping round.
    Channels are coded in stereo pairs (an odd last one in mono).

    The decoded signal starts late by the codec's delay (``delay_frames`` at
    ``codec_rate``, about 1105 for LAME). It is found as the lag, 0 to 4000 frames, of
    the largest cross-correlation between the decoded and the input mono mix, and
    removed, so the output is aligned with the input to the frame and just as long.
    A silent input has no delay to find; LAME's nominal 1105 frames is recorded.

    Parameters
    ----------
    bitrate_kbps : int or (int, int)
        Constant bit rate in kbit/s, 32 to 320; the range must hold a standard rate.
    p : float
        Probability of applying this degradation.

    References
    ----------
    K. Brandenburg, "MP3 and AAC explained", AES 17th International Conference, 1999.
    The LAME project, *LAME technical FAQ* (encoder delay and padding).
    """

    name = "mp3"
    additive = False

    def __init__(self, *, bitrate_kbps=(64, 320), p: float = 1.0) -> None:
        super().__init__(p=p)
        self.bitrate_kbps = check_range(bitrate_kbps, name="bitrate_kbps", low=32, high=320)
        lo, hi = self.bitrate_kbps
        if not any(lo <= rate <= hi for rate in MP3_BITRATES):
            raise ParameterError(f"bitrate_kbps ({lo:g}, {hi:g}) holds no standard MP3 bit "
                                 f"rate; choose from {', '.join(map(str, MP3_BITRATES))}.")

    def draw(self, audio: Audio, rng: np.random.Generator) -> dict[str, Any]:
        lo, hi = self.bitrate_kbps
        bitrate = int(rng.choice([rate for rate in MP3_BITRATES if lo <= rate <= hi]))
        codec_rate = min(MP3_SAMPLE_RATES, key=lambda rate: abs(rate - audio.sample_rate))
        return {"bitrate_kbps": min(bitrate, _highest_bitrate(codec_rate)),
                "codec_rate": codec_rate}

    def apply(self, audio: Audio, params: Mapping[str, Any],
              rng: np.random.Generator) -> tuple[np.ndarray, Truth]:
        codec_rate = params["codec_rate"]
        # At least one frame, so that even a very short input makes a stream to decode.
        clean = fit_length(resample_array(audio.samples, audio.sample_rate, codec_rate),
                            max(1, round(audio.frames * codec_rate / audio.sample_rate)))
        decoded = np.concatenate([
            fit_length(_mp3_round_trip(clean[pair:pair + 2], codec_rate,
                                        params["bitrate_kbps"]), clean.shape[1] + _MAX_DELAY)
            for pair in range(0, clean.shape[0], 2)])
        delay = _find_delay(decoded.mean(axis=0), clean.mean(axis=0, dtype=np.float64))
        aligned = fit_length(decoded[:, delay:], clean.shape[1])
        out = fit_length(resample_array(aligned, codec_rate, audio.sample_rate), audio.frames)
        return out, Truth(self.name, params={"delay_frames": delay})


def _mp3_round_trip(samples: np.ndarray, rate: int, bitrate: int) -> np.ndarray:
    """Encode one or two channels to MP3 and decode them again, delay and all."""
    import lameenc
    import soundfile

    encoder = lameenc.Encoder()
    encoder.set_channels(samples.shape[0])
    encoder.set_in_sample_rate(rate)
    # Left alone, LAME would also drop the sample rate at low bit rates; keep it.
    encoder.set_out_sample_rate(rate)
    encoder.set_bit_rate(bitrate)
    encoder.set_quality(_LAME_QUALITY)
    codes = np.clip(np.round(samples * 32768.0), -32768, 32767).astype("<i2")
    stream = encoder.encode(codes.T.tobytes()) + encoder.flush()  # interleaved frames
    decoded, _ = soundfile.read(io.BytesIO(bytes(stream)), dtype="float32", always_2d=True)
    return decoded.T


def _find_delay(decoded: np.ndarray, clean: np.ndarray) -> int:
    """The lag (0 to ``_MAX_DELAY``) at which ``decoded`` best matches ``clean``."""
    from scipy.signal import correlate  # slow to import

    if not np.any(clean):
        return _NOMINAL_DELAY
    # "valid" slides clean along decoded (clean.size + _MAX_DELAY long): one score a lag.
    score = correlate(decoded, clean, mode="valid", method="fft")
    return int(np.argmax(score))


class Resample(Degradation):
    """A band-limited transfer: down to a low sample rate and back up.

    Telephone lines (8 kHz), Bluetooth headsets (16 kHz) and early low-rate
    digitisations keep nothing above half their sample rate. This resamples to
    ``rate_hz`` and back with soxr's very-high-quality, linear-phase filters, so the
    band above ``rate_hz / 2`` is gone (below −100 dB) while the band under it passes
    almost untouched and stays aligned with the input; the output is trimmed or padded
    to the input's length. A rate at or above the input's does nothing.

    Parameters
    ----------
    rate_hz : int or (int, int)
        The intermediate sample rate in Hz (whole numbers), 1000 to 768000.
    p : float
        Probability of applying this degradation.

    References
    ----------
    libsoxr, the SoX Resampler library, https://sourceforge.net/projects/soxr/.
    """

    name = "resample"
    additive = False

    def __init__(self, *, rate_hz=(8000, 16000), p: float = 1.0) -> None:
        super().__init__(p=p)
        lo, hi = check_range(rate_hz, name="rate_hz", low=MIN_SAMPLE_RATE,
                             high=MAX_SAMPLE_RATE)
        if lo != int(lo) or hi != int(hi):
            raise ParameterError(f"rate_hz must be whole numbers of Hz, got {rate_hz!r}.")
        self.rate_hz = (int(lo), int(hi))

    def draw(self, audio: Audio, rng: np.random.Generator) -> dict[str, Any]:
        return {"rate_hz": int(rng.integers(self.rate_hz[0], self.rate_hz[1] + 1))}

    def apply(self, audio: Audio, params: Mapping[str, Any],
              rng: np.random.Generator) -> tuple[np.ndarray, Truth]:
        if params["rate_hz"] >= audio.sample_rate:
            return audio.samples.copy(), Truth(self.name)
        low = resample_array(audio.samples, audio.sample_rate, params["rate_hz"])
        round_trip = resample_array(low, params["rate_hz"], audio.sample_rate)
        return fit_length(round_trip, audio.frames), Truth(self.name)


class AdditiveNoise(Degradation):
    """Steady broadband noise at a chosen signal-to-noise ratio.

    Tape hiss, preamplifier and converter noise are close to white (equal power per Hz);
    many acoustic and electronic noises (1/f noise) are pink (equal power per octave,
    −3 dB per octave). White noise is Gaussian; pink noise is white noise whose
    spectrum is scaled by ``1 / sqrt(f)`` (the DC bin takes the first bin's weight).
    Each channel gets its own noise.

    The noise is scaled so that the RMS of the signal over all channels, over the RMS
    of the noise actually drawn, is exactly ``snr_db``. A silent signal has no level to
    measure, so its noise is set against full scale (an RMS of 1.0) instead.
    ``truth.added`` holds the noise as float32, and the output is computed as
    ``input + added`` in float32, so that identity holds exactly.

    Parameters
    ----------
    snr_db : float or (float, float)
        Signal-to-noise ratio in dB, −40 to 120.
    color : {"white", "pink"}
        Spectrum of the noise.
    p : float
        Probability of applying this degradation.

    References
    ----------
    R. F. Voss and J. Clarke, "1/f noise in music and speech", Nature 258, 1975.
    """

    name = "additive_noise"
    additive = True

    def __init__(self, *, snr_db=(10.0, 40.0), color: str = "white", p: float = 1.0) -> None:
        super().__init__(p=p)
        self.snr_db = check_range(snr_db, name="snr_db", low=-40.0, high=120.0)
        if color not in ("white", "pink"):
            raise ParameterError(f'color must be "white" or "pink", got {color!r}.')
        self.color = color

    def draw(self, audio: Audio, rng: np.random.Generator) -> dict[str, Any]:
        return {"snr_db": float(rng.uniform(*self.snr_db)), "color": self.color}

    def apply(self, audio: Audio, params: Mapping[str, Any],
              rng: np.random.Generator) -> tuple[np.ndarray, Truth]:
        noise = rng.standard_normal(audio.samples.shape)
        if params["color"] == "pink":
            spectrum = np.fft.rfft(noise, axis=1)
            spectrum /= np.sqrt(np.maximum(np.arange(spectrum.shape[1]), 1))
            noise = np.fft.irfft(spectrum, n=audio.frames, axis=1)
        signal_rms = _rms(audio.samples)
        target_rms = (signal_rms if signal_rms > 0 else 1.0) * 10.0 ** (-params["snr_db"] / 20)
        noise_rms = _rms(noise)
        added = (noise * (target_rms / noise_rms if noise_rms > 0 else 0.0)).astype(np.float32)
        return audio.samples + added, Truth(self.name, added=added)


def _rms(samples: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(samples, dtype=np.float64))))
