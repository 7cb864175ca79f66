"""Small pure signal-processing functions on numpy arrays.

Everything here takes plain arrays shaped ``(channels, frames)`` (1-D is one channel) and
an explicit ``sample_rate=`` where a rate matters, so that :mod:`restorekit.io` can call it
on raw blocks of a long file. Inputs are never modified.

units        :func:`amplitude_to_db`, :func:`db_to_amplitude`
true_peak    :func:`true_peak`, :func:`true_peak_envelope`, :class:`TruePeakMeter`
             (ITU-R BS.1770-4 Annex 2)
loudness     :func:`integrated_loudness`, :class:`LoudnessMeter`, :func:`k_weighting_sos`
             (ITU-R BS.1770-4, LUFS)
dither       :func:`tpdf_dither`, :func:`quantize`, :func:`on_grid` (TPDF, Vanderkooy &
             Lipshitz 1987)
clip         :func:`soft_clip`, :func:`limit_true_peak`
dc           :func:`dc_offset`, :func:`remove_dc`
stft         :func:`stft`, :func:`istft`, :func:`torch_stft`, :func:`torch_istft`
ar           :func:`burg`, :func:`levinson`, :func:`ar_residual`,
             :func:`lsar_interpolate`, :func:`fit_ar_blocks` (Burg 1975; Kay 1988;
             Janssen, Veldhuis & Vries 1986)

Importing this package loads neither torch nor scipy.signal; the functions that need
them import them when first called.
"""

from restorekit.dsp.ar import ar_residual, burg, fit_ar_blocks, levinson, lsar_interpolate
from restorekit.dsp.clip import limit_true_peak, soft_clip
from restorekit.dsp.dc import dc_offset, remove_dc
from restorekit.dsp.dither import on_grid, quantize, tpdf_dither
from restorekit.dsp.loudness import LoudnessMeter, integrated_loudness, k_weighting_sos
from restorekit.dsp.stft import istft, stft, torch_istft, torch_stft
from restorekit.dsp.true_peak import TruePeakMeter, true_peak, true_peak_envelope
from restorekit.dsp.units import amplitude_to_db, db_to_amplitude

__all__ = [
    "amplitude_to_db", "db_to_amplitude",
    "true_peak", "true_peak_envelope", "TruePeakMeter",
    "integrated_loudness", "LoudnessMeter", "k_weighting_sos",
    "tpdf_dither", "quantize", "on_grid",
    "soft_clip", "limit_true_peak",
    "dc_offset", "remove_dc",
    "stft", "istft", "torch_stft", "torch_istft",
    "burg", "levinson", "ar_residual", "lsar_interpolate", "fit_ar_blocks",
]
