"""Tests for aigc_kit.evaluation.signal: reference values, batching, known cases, errors."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
import torch
from scipy.signal import get_window

from aigc_kit.evaluation import lsd, mse, si_snr, snr, spectral_convergence

SR = 16_000
# The example from the torchmetrics documentation.
TARGET = [3.0, -0.5, 2.0, 7.0]
PREDS = [2.5, 0.0, 2.0, 8.0]


def _lsd(estimate, reference):
    return lsd(estimate, reference, sr=SR)


METRICS: dict[str, Callable] = {
    "mse": mse,
    "snr": snr,
    "si_snr": si_snr,
    "lsd": _lsd,
    "spectral_convergence": spectral_convergence,
}
NEEDS_SIGNAL = ["snr", "si_snr", "lsd", "spectral_convergence"]


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(0)


def _harmonic_tone(f0: float, n: int, offset: int = 0) -> np.ndarray:
    """A tone with three harmonics, sampled at SR, starting ``offset`` samples late."""
    t = (np.arange(n) + offset) / SR
    return sum(np.sin(2 * np.pi * k * f0 * t) / k for k in (1, 2, 3))


def _numpy_stft_magnitude(x: np.ndarray, n_fft: int = 512, hop: int = 128) -> np.ndarray:
    """Independent STFT magnitude of a 1-D signal: reflect-padded, periodic Hann, (freq, time)."""
    padded = np.pad(x, n_fft // 2, mode="reflect")
    n_frames = 1 + (len(padded) - n_fft) // hop
    frames = np.stack([padded[i * hop : i * hop + n_fft] for i in range(n_frames)])
    return np.abs(np.fft.rfft(frames * get_window("hann", n_fft), axis=-1)).T


# --- reference values ---------------------------------------------------------------------


@pytest.mark.parametrize(("metric", "expected"), [(snr, 16.1805), (si_snr, 15.0918)])
def test_torchmetrics_reference_values_numpy(metric: Callable, expected: float) -> None:
    value = metric(np.array(PREDS), np.array(TARGET))
    assert isinstance(value, np.float64)
    assert value == pytest.approx(expected, abs=1e-4)


@pytest.mark.parametrize(("metric", "expected"), [(snr, 16.1805), (si_snr, 15.0918)])
def test_torchmetrics_reference_values_torch(metric: Callable, expected: float) -> None:
    value = metric(torch.tensor(PREDS), torch.tensor(TARGET))
    assert isinstance(value, torch.Tensor)
    assert value.dtype == torch.float32
    assert value.item() == pytest.approx(expected, abs=1e-4)


def test_lsd_and_spectral_convergence_match_direct_numpy_formula(rng) -> None:
    ref = rng.standard_normal(3000)
    est = ref + 0.3 * rng.standard_normal(3000)
    mag_ref, mag_est = _numpy_stft_magnitude(ref), _numpy_stft_magnitude(est)

    sc = np.linalg.norm(mag_ref - mag_est) / np.linalg.norm(mag_ref)
    assert spectral_convergence(est, ref) == pytest.approx(sc, rel=1e-10)

    floor = (mag_ref**2).max() * 1e-8
    db_ref = 10 * np.log10(np.maximum(mag_ref**2, floor))
    db_est = 10 * np.log10(np.maximum(mag_est**2, floor))
    expected = np.mean(np.sqrt(np.mean((db_ref - db_est) ** 2, axis=0)))
    assert lsd(est, ref, sr=SR) == pytest.approx(expected, rel=1e-10)


# --- shapes and types ---------------------------------------------------------------------


@pytest.mark.parametrize("name", list(METRICS))
def test_batched_numpy_equals_row_loop(name: str, rng) -> None:
    metric = METRICS[name]
    ref = rng.standard_normal((2, 3, 1024))
    est = ref + 0.3 * rng.standard_normal((2, 3, 1024))
    batched = metric(est, ref)
    assert isinstance(batched, np.ndarray)
    assert batched.dtype == np.float64
    assert batched.shape == (2, 3)
    looped = np.array([[metric(est[i, j], ref[i, j]) for j in range(3)] for i in range(2)])
    np.testing.assert_allclose(batched, looped, rtol=1e-12)


@pytest.mark.parametrize("name", list(METRICS))
def test_batched_torch_equals_row_loop(name: str, rng) -> None:
    metric = METRICS[name]
    ref = torch.from_numpy(rng.standard_normal((2, 3, 1024)).astype(np.float32))
    est = ref + 0.3 * torch.from_numpy(rng.standard_normal((2, 3, 1024)).astype(np.float32))
    batched = metric(est, ref)
    assert isinstance(batched, torch.Tensor)
    assert batched.dtype == torch.float32
    assert batched.shape == (2, 3)
    looped = torch.stack(
        [torch.stack([metric(est[i, j], ref[i, j]) for j in range(3)]) for i in range(2)]
    )
    torch.testing.assert_close(batched, looped, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("name", list(METRICS))
def test_one_dimensional_input_gives_a_scalar(name: str, rng) -> None:
    metric = METRICS[name]
    ref = rng.standard_normal(1024)
    est = ref + 0.1 * rng.standard_normal(1024)
    value = metric(est, ref)
    assert isinstance(value, np.float64)
    assert isinstance(value, float)
    tensor_value = metric(torch.from_numpy(est), torch.from_numpy(ref))
    assert isinstance(tensor_value, torch.Tensor)
    assert tensor_value.ndim == 0
    assert tensor_value.dtype == torch.float64
    assert tensor_value.item() == pytest.approx(float(value), rel=1e-12)


def test_mixed_numpy_and_torch_returns_torch(rng) -> None:
    ref = rng.standard_normal(256)
    est = torch.from_numpy((ref + 0.1).astype(np.float32))
    value = mse(est, ref)
    assert isinstance(value, torch.Tensor)
    assert value.dtype == torch.float32
    assert value.item() == pytest.approx(0.01, rel=1e-4)


# --- known values -------------------------------------------------------------------------


@pytest.mark.parametrize("offset", [0.5, -2.0, 3.0])
def test_mse_of_constant_offset_is_offset_squared(offset: float, rng) -> None:
    ref = rng.standard_normal((4, 500))
    np.testing.assert_allclose(mse(ref + offset, ref), np.full(4, offset**2), rtol=1e-12)


@pytest.mark.parametrize("target_db", [10.0, 0.0, -5.0])
def test_snr_of_noise_at_designed_level(target_db: float, rng) -> None:
    ref = rng.standard_normal(4000)
    noise = rng.standard_normal(4000)
    noise *= np.sqrt(np.sum(ref**2) / np.sum(noise**2) / 10 ** (target_db / 10))
    assert snr(ref + noise, ref) == pytest.approx(target_db, abs=1e-9)


def test_perfect_reconstruction_snr_is_large_but_finite(rng) -> None:
    ref = rng.standard_normal(1000)
    value = snr(ref, ref)
    assert np.isfinite(value)
    assert value == pytest.approx(10 * np.log10(np.sum(ref**2) / np.finfo(np.float64).eps))


@pytest.mark.parametrize("gain", [0.3, 5.0])
def test_si_snr_is_scale_invariant_but_snr_is_not(gain: float, rng) -> None:
    ref = rng.standard_normal(2000)
    est = ref + 0.2 * rng.standard_normal(2000)
    assert si_snr(gain * est, ref) == pytest.approx(si_snr(est, ref), abs=1e-9)
    assert abs(snr(gain * est, ref) - snr(est, ref)) > 3.0


def test_lsd_is_zero_for_identical_signals_and_grows_with_noise(rng) -> None:
    ref = _harmonic_tone(220.0, 8000)
    noise = rng.standard_normal(8000)
    assert lsd(ref, ref, sr=SR) == 0.0
    values = [lsd(ref + level * noise, ref, sr=SR) for level in (0.001, 0.01, 0.1, 1.0)]
    assert values[0] > 0.0
    assert all(a < b for a, b in zip(values, values[1:], strict=False))


def test_spectral_convergence_known_values(rng) -> None:
    ref = rng.standard_normal(4000)
    assert spectral_convergence(ref, ref) == 0.0
    assert spectral_convergence(2 * ref, ref) == pytest.approx(1.0, abs=1e-12)
    assert spectral_convergence(np.zeros(4000), ref) == pytest.approx(1.0, abs=1e-12)


def test_phase_lesson_shift_hurts_snr_but_not_spectral_metrics(rng) -> None:
    # 500 Hz at 16 kHz has a period of exactly 32 samples: a 16-sample delay flips the sign.
    n = 8000
    ref = np.sin(2 * np.pi * 500.0 * np.arange(n) / SR)
    shifted = np.sin(2 * np.pi * 500.0 * (np.arange(n) + 16) / SR)
    assert snr(shifted, ref) < -6.0  # 10 log10(1/4) = -6.02 dB: worse than silence (0 dB)
    assert snr(np.zeros(n), ref) == pytest.approx(0.0, abs=1e-9)

    noisy = ref + 0.1 * rng.standard_normal(n)  # audible hiss, yet about 17 dB SNR
    assert snr(noisy, ref) > 15.0
    assert lsd(shifted, ref, sr=SR) < 0.01
    assert spectral_convergence(shifted, ref) < 1e-6
    assert lsd(shifted, ref, sr=SR) < lsd(noisy, ref, sr=SR)

    # A richer tone delayed by an arbitrary 17 samples: even SI-SNR cannot forgive the delay,
    # while the log spectra barely move (leakage changes a little with the frame position).
    tone, late = _harmonic_tone(220.0, n), _harmonic_tone(220.0, n, offset=17)
    assert snr(late, tone) < 0.0
    assert si_snr(late, tone) < 0.0
    assert lsd(late, tone, sr=SR) < 2.0
    assert lsd(late, tone, sr=SR) < lsd(noisy, ref, sr=SR) / 10
    assert spectral_convergence(late, tone) < 0.2


# --- errors -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(METRICS))
def test_shape_mismatch_names_both_shapes_and_the_fix(name: str) -> None:
    with pytest.raises(ValueError, match="same shape") as info:
        METRICS[name](np.ones((2, 1000)), np.ones((2, 900)))
    message = str(info.value)
    assert "(2, 1000)" in message
    assert "(2, 900)" in message
    assert "aigc_kit.data.fix_length" in message


@pytest.mark.parametrize("name", NEEDS_SIGNAL)
def test_silent_reference_raises(name: str, rng) -> None:
    with pytest.raises(ValueError, match="undefined for a silent reference") as info:
        METRICS[name](rng.standard_normal(1024), np.zeros(1024))
    assert name in str(info.value)


@pytest.mark.parametrize("name", NEEDS_SIGNAL)
def test_silent_reference_in_batch_names_the_row(name: str, rng) -> None:
    ref = rng.standard_normal((2, 3, 1024))
    ref[1, 2] = 0.0
    with pytest.raises(ValueError, match="silent") as info:
        METRICS[name](torch.from_numpy(rng.standard_normal((2, 3, 1024))), torch.from_numpy(ref))
    message = str(info.value)
    assert "(1, 2)" in message
    assert "(0, 0)" not in message


def test_si_snr_treats_a_constant_reference_as_silent(rng) -> None:
    with pytest.raises(ValueError, match="silent reference"):
        si_snr(rng.standard_normal(1000), np.full(1000, 0.3))


def test_mse_accepts_a_silent_reference() -> None:
    assert mse(np.ones(10), np.zeros(10)) == 1.0


@pytest.mark.parametrize("name", list(METRICS))
@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_estimate_raises(name: str, bad: float, rng) -> None:
    ref = rng.standard_normal((3, 1024))
    est = ref.copy()
    est[2, 100] = bad
    with pytest.raises(ValueError, match="estimate contains NaN or Inf") as info:
        METRICS[name](est, ref)
    assert "row(s) 2 " in str(info.value)


def test_non_finite_reference_raises(rng) -> None:
    ref = rng.standard_normal(1024)
    ref[5] = np.nan
    with pytest.raises(ValueError, match="reference contains NaN or Inf"):
        snr(torch.from_numpy(rng.standard_normal(1024)), torch.from_numpy(ref))


def test_spectral_metrics_reject_bad_arguments(rng) -> None:
    x = rng.standard_normal(1024)
    with pytest.raises(ValueError, match="sr must be a positive"):
        lsd(x, x, sr=0)
    with pytest.raises(ValueError, match="floor_db"):
        lsd(x, x, sr=SR, floor_db=10.0)
    with pytest.raises(ValueError, match="smaller n_fft"):
        spectral_convergence(x[:100], x[:100])


# --- gradients ----------------------------------------------------------------------------


def test_si_snr_is_differentiable_and_its_gradient_improves_it(rng) -> None:
    ref = torch.from_numpy(rng.standard_normal((2, 800)).astype(np.float32))
    est = ref + 0.5 * torch.randn(2, 800, generator=torch.Generator().manual_seed(0))
    est.requires_grad_(True)
    score = si_snr(est, ref)
    (-score.mean()).backward()
    assert est.grad is not None
    assert torch.isfinite(est.grad).all()
    assert est.grad.abs().sum() > 0
    improved = si_snr((est - 10.0 * est.grad).detach(), ref)
    assert (improved > score.detach()).all()
