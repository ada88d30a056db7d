"""Input checks shared by the audio features and their inverse: clear errors, one place.

Every feature of :mod:`aigc_kit.features.audio` and every inversion of
:mod:`aigc_kit.features.inverse` takes waveforms or spectrograms as NumPy arrays or torch
tensors of shape ``(..., n)``; these helpers turn them into float32 arrays or tensors, or
raise a ``ValueError`` that names the argument and what is wrong (complex or boolean
values, no samples, NaN or infinite values, a frequency band outside ``[0, sr/2]``).

Used throughout ``03_feature_extraction``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

Device = str | torch.device | None


def as_waveform(y: Any, name: str = "y") -> np.ndarray:
    """``y`` as a float32 NumPy array ``(..., n_samples)``, or a clear ValueError.

    int16 and int32 arrays are PCM (samples read straight from a WAV file) and are scaled
    to [-1, 1) by their full scale (``2 ** 15``, ``2 ** 31``), so levels in dBFS come out
    right; floats and other numbers (a Python list of ints) are taken as they are.

    Notes
    -----
    The input check of every feature of ``03_feature_extraction``.
    """
    if isinstance(y, torch.Tensor):
        y = y.detach().cpu().numpy()
    y = np.asarray(y)
    if not np.issubdtype(y.dtype, np.number) or np.iscomplexobj(y):
        raise ValueError(f"{name} must be a real-valued waveform array, got dtype {y.dtype}")
    if y.ndim == 0 or y.shape[-1] == 0 or y.size == 0:
        raise ValueError(f"{name} must have shape (..., n_samples) with samples, got {y.shape}")
    if y.dtype in (np.int16, np.int32):
        full_scale = float(2 ** (np.iinfo(y.dtype).bits - 1))
        return (y.astype(np.float64) / full_scale).astype(np.float32)
    if not np.isfinite(y).all():
        raise ValueError(f"{name} contains NaN or infinite samples")
    return y.astype(np.float32, copy=False)


def as_clips(waveforms: Any, caller: str, *, multichannel: bool = False) -> list[np.ndarray]:
    """A batch of clips as a list of float32 arrays, each checked, or a ValueError.

    Parameters
    ----------
    waveforms : array, tensor or sequence
        One clip ``(n_samples,)``, clips ``(n_clips, n_samples)`` (with ``multichannel``
        also ``(n_clips, n_channels, n_samples)``), or a list of clips of any lengths.
    caller : str
        Named first in every error message.
    multichannel : bool
        Accept clips ``(n_channels, n_samples)`` as well as 1-D ones.

    Returns
    -------
    list of np.ndarray
        float32 clips, as given (not mixed down, not resampled).

    Raises
    ------
    ValueError
        No clips; a batch of the wrong shape; a clip that is empty, not numeric, of the
        wrong shape, or holds NaN or infinite samples (the message names its index).

    Notes
    -----
    The front end of every judge that hears a batch of clips
    (:class:`aigc_kit.evaluation.AudioListener`, the outside speech judge) and of
    :func:`aigc_kit.features.prepare_clips`; taught in ``07_evaluation``.
    """
    shapes = "(n_samples,) or (n_channels, n_samples)" if multichannel else "(n_samples,)"
    if isinstance(waveforms, torch.Tensor):
        waveforms = waveforms.detach().cpu().numpy()
    if isinstance(waveforms, np.ndarray):
        if waveforms.ndim == 1:
            waveforms = waveforms[None]
        if waveforms.ndim not in ((2, 3) if multichannel else (2,)):
            raise ValueError(f"{caller}: expected one clip {shapes}, a batch of them or a "
                             f"list of clips, got an array of shape {waveforms.shape}")
    if len(waveforms) == 0:
        raise ValueError(f"{caller}: no clips given")
    clips = []
    for i, clip in enumerate(waveforms):
        clip = np.asarray(clip.detach().cpu() if isinstance(clip, torch.Tensor) else clip)
        if (clip.ndim not in ((1, 2) if multichannel else (1,)) or clip.size == 0
                or not np.issubdtype(clip.dtype, np.number) or np.iscomplexobj(clip)):
            raise ValueError(f"{caller}: clip {i} must be a non-empty "
                             f"{'' if multichannel else '1-D '}real waveform {shapes}, got "
                             f"shape {clip.shape} and dtype {clip.dtype}")
        clip = clip.astype(np.float32)
        if not np.isfinite(clip).all():
            raise ValueError(f"{caller}: clip {i} contains NaN or infinite samples; fix or "
                             "drop it (a vocoder or generator that outputs them has diverged)")
        clips.append(clip)
    return clips


def as_float_tensor(x: Any, device: Device, name: str, min_ndim: int = 1) -> torch.Tensor:
    """``x`` (array or tensor) as a finite float32 tensor on ``device``.

    ``device`` defaults to the tensor's own device, or the CPU for NumPy input.

    Notes
    -----
    The input check of the log-mel analysis (``03_feature_extraction``) and of the
    inversions of :mod:`aigc_kit.features.inverse`.
    """
    if not isinstance(x, torch.Tensor):
        x = np.asarray(x)
        if not np.issubdtype(x.dtype, np.number) or np.iscomplexobj(x):
            raise ValueError(f"{name} must be real-valued, got dtype {x.dtype}")
        x = torch.from_numpy(x.astype(np.float32, copy=False))
    elif x.is_complex() or x.dtype == torch.bool:
        raise ValueError(f"{name} must be real-valued, got dtype {x.dtype}")
    if x.ndim < min_ndim or x.numel() == 0:
        raise ValueError(f"{name} must have at least {min_ndim} non-empty dimensions, "
                         f"got shape {tuple(x.shape)}")
    x = x.to(device=torch.device(device) if device is not None else x.device,
             dtype=torch.float32)
    # A finite sum proves every value finite; the full (slower) check runs only otherwise.
    if not torch.isfinite(x.sum()) and not torch.isfinite(x).all():
        raise ValueError(f"{name} contains NaN or infinite values")
    return x


def check_band(sr: int, fmin: float, fmax: float | None) -> float:
    """Validate a frequency band in Hz; return ``fmax`` (default ``sr / 2``).

    Notes
    -----
    Used by the log-mel analysis and its inverse (``03_feature_extraction``).
    """
    fmax = sr / 2 if fmax is None else fmax
    if not 0 <= fmin < fmax <= sr / 2:
        raise ValueError(f"need 0 <= fmin < fmax <= sr/2 = {sr / 2:g} Hz, "
                         f"got fmin={fmin!r}, fmax={fmax!r}")
    return float(fmax)
