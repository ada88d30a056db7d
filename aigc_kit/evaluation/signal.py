"""Objective metrics that compare a generated signal (the *estimate*) with a *reference*.

Introduced in ``01_aigc_overview`` (chapter 2.5) and used throughout ``07_evaluation``
(chapter 9).

Which metric when
-----------------
* **Waveform metrics** -- :func:`mse`, :func:`snr`, :func:`si_snr` -- compare sample by
  sample, so they need a reference that is *time-aligned* with the estimate: reconstruction
  (autoencoders, codecs), denoising and speech enhancement, source separation. A copy that is
  delayed by half a period scores terribly even though it sounds identical. ``si_snr`` also
  forgives a wrong overall gain, which makes ``-si_snr`` a popular training loss.
* **Spectral metrics** -- :func:`lsd` (log-spectral distance) and
  :func:`spectral_convergence` -- compare STFT magnitudes and ignore phase, so they suit
  resynthesis and vocoders, where the waveform may legitimately differ in phase.
* **Free generation** (text-to-audio, unconditional sampling) has no matching reference at
  all; there you compare distributions in a feature space, not pairs of signals:
  :func:`frechet_distance` on the kit's classifier features, :func:`inception_score` and
  :func:`generation_report` on its class probabilities, :func:`class_coverage` for diversity.
  These take feature or probability matrices, not waveforms.

Conventions shared by every function
------------------------------------
* Arguments are ``(estimate, reference)``, in that order, each a NumPy array or a PyTorch
  tensor of the same shape ``(..., n_samples)``: the last axis is time, every leading axis is
  a batch axis and the result holds one value per row, shape ``estimate.shape[:-1]``.
* NumPy in gives NumPy out, computed in float64 (a ``numpy.float64`` scalar for 1-D input).
  A tensor in gives a tensor out on the same device, in float32 or float64 (integer and
  half-precision tensors are promoted to float32), and gradients flow through it. If only one
  argument is a tensor, the other is converted to match it.
* ``eps`` is the machine epsilon of the computation dtype (``torch.finfo(dtype).eps``), as in
  ``torchmetrics``. A reference row whose energy ``sum(reference**2)`` is not above ``eps`` is
  treated as silent and raises ``ValueError`` for every metric except :func:`mse`, because the
  ratio would then measure ``eps`` rather than the signal. NaN or Inf anywhere in the inputs
  raises ``ValueError`` too: no metric ever returns NaN or Inf silently.
"""

from __future__ import annotations

from typing import TypeAlias

import numpy as np
import torch

__all__ = [
    "mse",
    "snr",
    "si_snr",
    "lsd",
    "spectral_convergence",
]

Signal: TypeAlias = np.ndarray | torch.Tensor
Score: TypeAlias = np.ndarray | np.float64 | torch.Tensor

_MAX_LISTED_ROWS = 10


def _as_real_tensor(x: Signal, role: str) -> torch.Tensor:
    """``x`` as a real floating tensor: NumPy input becomes float64 on the CPU."""
    if isinstance(x, torch.Tensor):
        if x.is_complex():
            raise ValueError(f"{role} must be real-valued, got a tensor of dtype {x.dtype}.")
        if not x.is_floating_point() or x.dtype in (torch.float16, torch.bfloat16):
            return x.to(torch.float32)
        return x
    array = np.asarray(x)
    if np.iscomplexobj(array):
        raise ValueError(f"{role} must be real-valued, got an array of dtype {array.dtype}.")
    return torch.from_numpy(array.astype(np.float64))


def _describe_rows(mask: torch.Tensor) -> str:
    """Human-readable list of the batch rows where ``mask`` is true (``mask`` is non-0-d)."""
    rows = [tuple(index) for index in torch.nonzero(mask).tolist()]
    shown = [str(row[0]) if len(row) == 1 else str(row) for row in rows[:_MAX_LISTED_ROWS]]
    more = f" and {len(rows) - _MAX_LISTED_ROWS} more" if len(rows) > _MAX_LISTED_ROWS else ""
    return f"row(s) {', '.join(shown)}{more} of batch shape {tuple(mask.shape)}"


def _prepare(estimate: Signal, reference: Signal) -> tuple[torch.Tensor, torch.Tensor, bool]:
    """Validate and convert the pair; also returns whether the result should be NumPy."""
    as_numpy = not isinstance(estimate, torch.Tensor) and not isinstance(reference, torch.Tensor)
    est = _as_real_tensor(estimate, "estimate")
    ref = _as_real_tensor(reference, "reference")
    if est.shape != ref.shape:
        raise ValueError(
            f"estimate and reference must have the same shape, got estimate "
            f"{tuple(est.shape)} and reference {tuple(ref.shape)}; trim or pad to the same "
            "length, e.g. aigc_kit.data.fix_length."
        )
    if est.ndim == 0 or est.shape[-1] == 0:
        raise ValueError(
            f"signals need a non-empty last (time) axis, got shape {tuple(est.shape)}."
        )
    if isinstance(estimate, torch.Tensor) and isinstance(reference, torch.Tensor):
        dtype = torch.promote_types(est.dtype, ref.dtype)
        est, ref = est.to(dtype), ref.to(dtype)
    elif isinstance(estimate, torch.Tensor):
        ref = ref.to(device=est.device, dtype=est.dtype)
    elif isinstance(reference, torch.Tensor):
        est = est.to(device=ref.device, dtype=ref.dtype)
    for role, signal in (("estimate", est), ("reference", ref)):
        bad = ~torch.isfinite(signal).all(dim=-1)
        if bad.any():
            where = "the signal" if bad.ndim == 0 else _describe_rows(bad)
            raise ValueError(
                f"{role} contains NaN or Inf values ({where}); metrics are undefined for "
                "non-finite samples, so find where they came from (e.g. a diverged model or a "
                "division by zero) or replace them, e.g. with numpy.nan_to_num."
            )
    return est, ref, as_numpy


def _check_not_silent(energy: torch.Tensor, eps: float, metric: str, what: str) -> None:
    """Raise if any reference row has ``energy <= eps`` (``what`` says which energy)."""
    silent = energy <= eps
    if silent.any():
        where = (
            "the reference signal" if silent.ndim == 0 else f"reference {_describe_rows(silent)}"
        )
        raise ValueError(
            f"{metric} is undefined for a silent reference (all zeros or effectively silent: "
            f"{what} <= eps = {eps:.3g}) in {where}. Drop those rows or compare against a "
            "reference that contains signal."
        )


def _finish(value: torch.Tensor, as_numpy: bool) -> Score:
    """Return a tensor unchanged, or a float64 NumPy array / scalar for NumPy callers."""
    if not torch.isfinite(value).all():
        raise ValueError(
            f"the metric overflowed to a non-finite value in {value.dtype}; the inputs are too "
            "large for this dtype, so rescale them (e.g. peak-normalise) or use float64."
        )
    if not as_numpy:
        return value
    out = value.numpy()
    return out if out.ndim else np.float64(out)


def _check_stft_args(n_samples: int, n_fft: int, hop_length: int) -> None:
    if n_fft <= 0 or hop_length <= 0:
        raise ValueError(
            f"n_fft and hop_length must be positive, got n_fft={n_fft}, hop_length={hop_length}."
        )
    if n_samples < n_fft:
        raise ValueError(
            f"signals of {n_samples} samples are shorter than one analysis window "
            f"(n_fft={n_fft}); pass a smaller n_fft (and hop_length) or longer signals."
        )


def _stft(x: torch.Tensor, n_fft: int, hop_length: int) -> torch.Tensor:
    """Complex STFT of ``(..., n)`` signals, shape ``(..., n_fft // 2 + 1, n_frames)``.

    Periodic Hann window, frames centred on ``t * hop_length`` with reflect padding (the
    ``torch.stft`` / ``torchaudio`` defaults).
    """
    window = torch.hann_window(n_fft, dtype=x.dtype, device=x.device)
    spec = torch.stft(
        x.reshape(-1, x.shape[-1]),
        n_fft=n_fft,
        hop_length=hop_length,
        window=window,
        center=True,
        pad_mode="reflect",
        return_complex=True,
    )
    return spec.reshape(*x.shape[:-1], *spec.shape[-2:])


def mse(estimate: Signal, reference: Signal) -> Score:
    """Mean squared error over the time axis.

    Taught in ``01_aigc_overview``; revisited in ``07_evaluation``.

    .. math:: \\mathrm{MSE} = \\frac{1}{N} \\sum_{n=1}^{N} (\\hat{x}_n - x_n)^2

    Parameters
    ----------
    estimate, reference : numpy.ndarray or torch.Tensor, shape (..., n_samples)
        Generated and reference signals, time-aligned.

    Returns
    -------
    numpy.ndarray, numpy.float64 or torch.Tensor, shape (...)
        MSE per row, in squared signal units (not dB). Zero for a perfect reconstruction;
        a silent reference is allowed.
    """
    est, ref, as_numpy = _prepare(estimate, reference)
    return _finish(torch.mean((est - ref) ** 2, dim=-1), as_numpy)


def snr(estimate: Signal, reference: Signal) -> Score:
    """Signal-to-noise ratio in dB, treating ``estimate - reference`` as the noise.

    Taught in ``01_aigc_overview``; revisited in ``07_evaluation``. Same definition as
    ``torchmetrics.functional.audio.signal_noise_ratio`` with ``zero_mean=False``:

    .. math:: \\mathrm{SNR} = 10 \\log_{10}
              \\frac{\\sum_n x_n^2 + \\epsilon}{\\sum_n (\\hat{x}_n - x_n)^2 + \\epsilon}

    with ``eps`` the machine epsilon of the dtype. Higher is better. A perfect reconstruction
    gives a very large but finite value, ``10 log10(sum(x**2) / eps)`` (156.5 dB plus the
    reference energy in dB for float64, 69.2 dB plus it for float32), because of ``eps``,
    exactly like torchmetrics. SNR punishes any gain or phase
    error: ``snr(0.5 * x, x)`` is only 6 dB and ``snr(-x, x)`` is -6 dB.

    Parameters
    ----------
    estimate, reference : numpy.ndarray or torch.Tensor, shape (..., n_samples)
        Generated and reference signals, time-aligned.

    Returns
    -------
    numpy.ndarray, numpy.float64 or torch.Tensor, shape (...)
        SNR per row in dB.

    Raises
    ------
    ValueError
        Shape mismatch, NaN/Inf samples, or a silent reference row.

    Examples
    --------
    >>> import numpy as np
    >>> round(float(snr(np.array([2.5, 0, 2, 8]), np.array([3, -0.5, 2, 7]))), 4)
    16.1805
    """
    est, ref, as_numpy = _prepare(estimate, reference)
    eps = torch.finfo(est.dtype).eps
    signal_energy = torch.sum(ref**2, dim=-1)
    _check_not_silent(signal_energy, eps, "snr", "energy sum(reference**2)")
    noise_energy = torch.sum((est - ref) ** 2, dim=-1)
    return _finish(10 * torch.log10((signal_energy + eps) / (noise_energy + eps)), as_numpy)


def si_snr(estimate: Signal, reference: Signal) -> Score:
    """Scale-invariant signal-to-noise ratio (SI-SNR) in dB.

    Taught in ``01_aigc_overview``; used as a training loss (``-si_snr``) and revisited in
    ``07_evaluation``. Same definition as
    ``torchmetrics.functional.audio.scale_invariant_signal_noise_ratio``: with both signals
    made zero-mean,

    .. math:: \\alpha = \\frac{\\langle \\hat{x}, x \\rangle + \\epsilon}
                               {\\langle x, x \\rangle + \\epsilon}, \\quad
              s = \\alpha x, \\quad e = \\hat{x} - s, \\quad
              \\mathrm{SI\\text{-}SNR} = 10 \\log_{10}
              \\frac{\\lVert s \\rVert^2 + \\epsilon}{\\lVert e \\rVert^2 + \\epsilon}

    The estimate is compared with the best-scaled copy of the reference, so multiplying the
    estimate by any non-zero gain (even a negative one) leaves the score unchanged. Higher is
    better; a perfect reconstruction is very large but finite because of ``eps``.

    Parameters
    ----------
    estimate, reference : numpy.ndarray or torch.Tensor, shape (..., n_samples)
        Generated and reference signals, time-aligned.

    Returns
    -------
    numpy.ndarray, numpy.float64 or torch.Tensor, shape (...)
        SI-SNR per row in dB; differentiable for tensor input.

    Raises
    ------
    ValueError
        Shape mismatch, NaN/Inf samples, or a reference row that is silent after removing
        its mean (so a constant, DC-only reference is silent too).

    Examples
    --------
    >>> import numpy as np
    >>> round(float(si_snr(np.array([2.5, 0, 2, 8]), np.array([3, -0.5, 2, 7]))), 4)
    15.0918
    """
    est, ref, as_numpy = _prepare(estimate, reference)
    eps = torch.finfo(est.dtype).eps
    est = est - est.mean(dim=-1, keepdim=True)
    ref = ref - ref.mean(dim=-1, keepdim=True)
    ref_energy = torch.sum(ref**2, dim=-1, keepdim=True)
    _check_not_silent(ref_energy.squeeze(-1), eps, "si_snr", "energy sum((reference - mean)**2)")
    alpha = (torch.sum(est * ref, dim=-1, keepdim=True) + eps) / (ref_energy + eps)
    target = alpha * ref
    noise = est - target
    ratio = (torch.sum(target**2, dim=-1) + eps) / (torch.sum(noise**2, dim=-1) + eps)
    return _finish(10 * torch.log10(ratio), as_numpy)


def lsd(
    estimate: Signal,
    reference: Signal,
    sr: float,
    n_fft: int = 512,
    hop_length: int = 128,
    floor_db: float = -80.0,
) -> Score:
    """Log-spectral distance (LSD) in dB between STFT power spectra; ignores phase.

    Taught in ``01_aigc_overview``; revisited in ``07_evaluation`` for vocoders. With
    :math:`P` the STFT power (periodic Hann window), each spectrogram is converted to dB and
    clamped from below at ``floor_db`` relative to the reference's peak, the same floor for
    both signals so that silence in both costs nothing:

    .. math:: L = 10 \\log_{10} \\max\\bigl(P,\\ 10^{\\mathrm{floor\\_db}/10}
                  \\max_{f,t} P^{\\mathrm{ref}}\\bigr), \\qquad
              \\mathrm{LSD} = \\frac{1}{T} \\sum_{t=1}^{T} \\sqrt{\\frac{1}{F}
              \\sum_{f=1}^{F} (L^{\\mathrm{ref}}_{f,t} - L^{\\mathrm{est}}_{f,t})^2}

    Lower is better; 0 for identical magnitude spectra (so also for ``-reference``).

    Parameters
    ----------
    estimate, reference : numpy.ndarray or torch.Tensor, shape (..., n_samples)
        Generated and reference signals; at least ``n_fft`` samples long.
    sr : float
        Sample rate in Hz. LSD does not depend on it, but it is required so that callers
        state the units of ``n_fft`` and ``hop_length``; must be positive.
    n_fft : int, default 512
        STFT window and FFT size in samples (``n_fft // 2 + 1`` frequency bins).
    hop_length : int, default 128
        Samples between consecutive frames.
    floor_db : float, default -80.0
        Floor in dB relative to the reference's peak power; must be negative.

    Returns
    -------
    numpy.ndarray, numpy.float64 or torch.Tensor, shape (...)
        LSD per row in dB.

    Raises
    ------
    ValueError
        Shape mismatch, NaN/Inf samples, a silent reference row, signals shorter than
        ``n_fft``, or invalid ``sr`` / ``n_fft`` / ``hop_length`` / ``floor_db``.
    """
    if not sr > 0:
        raise ValueError(f"sr must be a positive sample rate in Hz, got {sr}.")
    if not (np.isfinite(floor_db) and floor_db < 0):
        raise ValueError(f"floor_db must be a finite negative number of dB, got {floor_db}.")
    est, ref, as_numpy = _prepare(estimate, reference)
    _check_stft_args(est.shape[-1], n_fft, hop_length)
    eps = torch.finfo(est.dtype).eps
    _check_not_silent(torch.sum(ref**2, dim=-1), eps, "lsd", "energy sum(reference**2)")
    power_ref = _stft(ref, n_fft, hop_length).abs() ** 2
    power_est = _stft(est, n_fft, hop_length).abs() ** 2
    floor = power_ref.amax(dim=(-2, -1), keepdim=True) * 10.0 ** (floor_db / 10.0)
    db_ref = 10 * torch.log10(torch.maximum(power_ref, floor))
    db_est = 10 * torch.log10(torch.maximum(power_est, floor))
    per_frame = torch.sqrt(torch.mean((db_ref - db_est) ** 2, dim=-2))
    return _finish(per_frame.mean(dim=-1), as_numpy)


def spectral_convergence(
    estimate: Signal,
    reference: Signal,
    n_fft: int = 512,
    hop_length: int = 128,
) -> Score:
    """Spectral convergence: relative Frobenius error of the STFT magnitudes; ignores phase.

    Taught in ``01_aigc_overview``; revisited in ``07_evaluation`` (and a common vocoder
    training loss term). With :math:`|S|` the STFT magnitude (periodic Hann window):

    .. math:: \\mathrm{SC} = \\frac{\\lVert |S^{\\mathrm{ref}}| - |S^{\\mathrm{est}}| \\rVert_F}
                                  {\\lVert |S^{\\mathrm{ref}}| \\rVert_F}

    Dimensionless (not dB); 0 for identical magnitudes, 1 for a silent estimate or for an
    estimate at twice the reference's level. Lower is better.

    Parameters
    ----------
    estimate, reference : numpy.ndarray or torch.Tensor, shape (..., n_samples)
        Generated and reference signals; at least ``n_fft`` samples long.
    n_fft : int, default 512
        STFT window and FFT size in samples.
    hop_length : int, default 128
        Samples between consecutive frames.

    Returns
    -------
    numpy.ndarray, numpy.float64 or torch.Tensor, shape (...)
        Spectral convergence per row.

    Raises
    ------
    ValueError
        Shape mismatch, NaN/Inf samples, a silent reference row, signals shorter than
        ``n_fft``, or invalid ``n_fft`` / ``hop_length``.
    """
    est, ref, as_numpy = _prepare(estimate, reference)
    _check_stft_args(est.shape[-1], n_fft, hop_length)
    eps = torch.finfo(est.dtype).eps
    _check_not_silent(
        torch.sum(ref**2, dim=-1), eps, "spectral_convergence", "energy sum(reference**2)"
    )
    mag_ref = _stft(ref, n_fft, hop_length).abs()
    mag_est = _stft(est, n_fft, hop_length).abs()
    error = torch.linalg.matrix_norm(mag_ref - mag_est)
    return _finish(error / torch.linalg.matrix_norm(mag_ref), as_numpy)
