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
