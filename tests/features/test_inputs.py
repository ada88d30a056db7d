"""Tests for aigc_kit.features.inputs: the input checks of every feature and its inverse."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from aigc_kit.features.inputs import as_float_tensor, as_waveform, check_band


def test_as_waveform_gives_float32_numpy_without_copying_float32():
    x = np.linspace(-1, 1, 16, dtype=np.float32).reshape(2, 8)
    assert as_waveform(x) is x  # already right: no copy
    from_double = as_waveform(x.astype(np.float64))
    assert from_double.dtype == np.float32 and np.array_equal(from_double, x)
    from_tensor = as_waveform(torch.from_numpy(x).requires_grad_(True))
    assert isinstance(from_tensor, np.ndarray) and np.array_equal(from_tensor, x)
    assert as_waveform([1, 2, 3]).tolist() == [1.0, 2.0, 3.0]


@pytest.mark.parametrize(("bad", "message"), [
    (np.array([1 + 2j, 0j]), "real-valued waveform array, got dtype complex128"),
    (np.array([True, False]), "real-valued waveform array, got dtype bool"),
    (np.array(["a", "b"]), "real-valued waveform array, got dtype <U1"),
    (np.array(0.5), r"shape \(\.\.\., n_samples\) with samples, got \(\)"),
    (np.zeros((3, 0)), r"with samples, got \(3, 0\)"),
    (np.array([0.0, np.nan]), "contains NaN or infinite samples"),
    (np.array([0.0, -np.inf]), "contains NaN or infinite samples"),
])
def test_as_waveform_names_the_argument_and_what_is_wrong(bad, message):
    with pytest.raises(ValueError, match=message) as info:
        as_waveform(bad, "clip")
    assert str(info.value).startswith("clip ")


def test_as_waveform_scales_integer_pcm_to_full_scale():
    pcm = np.array([[-32768, 0, 16384, 32767]], dtype=np.int16)
    y = as_waveform(pcm)
    assert y.dtype == np.float32
    np.testing.assert_allclose(y, [[-1.0, 0.0, 0.5, 32767 / 32768]], rtol=1e-7)
    assert as_waveform(np.array([2**31 - 1], dtype=np.int32))[0] == pytest.approx(1.0)


def test_as_float_tensor_converts_and_places():
    x64 = np.arange(6, dtype=np.float64).reshape(2, 3)
    t = as_float_tensor(x64, None, "spec")
    assert t.dtype == torch.float32 and t.device.type == "cpu" and t.tolist() == x64.tolist()
    ints = as_float_tensor(torch.arange(4), "cpu", "spec")
    assert ints.dtype == torch.float32 and ints.tolist() == [0.0, 1.0, 2.0, 3.0]
    same = torch.ones(3)
    assert as_float_tensor(same, None, "spec") is same  # float32 on its device: untouched


def test_as_float_tensor_checks_values_even_when_the_quick_sum_overflows():
    huge = np.full(8, 3e38, dtype=np.float32)  # finite, but their float32 sum is inf
    assert torch.isfinite(as_float_tensor(huge, None, "spec")).all()
    opposite = torch.tensor([np.inf, -np.inf, 0.0])  # sums to NaN
    with pytest.raises(ValueError, match="spec contains NaN or infinite values"):
        as_float_tensor(opposite, None, "spec")
    with pytest.raises(ValueError, match="spec contains NaN"):
        as_float_tensor(np.array([[1.0, np.nan]]), None, "spec")


@pytest.mark.parametrize(("bad", "min_ndim", "message"), [
    (np.array([1j]), 1, "images must be real-valued, got dtype complex128"),
    (torch.tensor([1j]), 1, "images must be real-valued, got dtype torch.complex64"),
    (torch.tensor([True]), 1, "images must be real-valued, got dtype torch.bool"),
    (np.array(["x"]), 1, "images must be real-valued"),
    (torch.zeros(5), 2, r"images must have at least 2 non-empty dimensions, got shape \(5,\)"),
    (torch.zeros(2, 0), 2, r"got shape \(2, 0\)"),
])
def test_as_float_tensor_errors_name_the_argument(bad, min_ndim, message):
    with pytest.raises(ValueError, match=message):
        as_float_tensor(bad, None, "images", min_ndim=min_ndim)


def test_check_band_defaults_to_nyquist_and_refuses_a_band_outside_it():
    assert check_band(16000, 0.0, None) == 8000.0
    assert isinstance(check_band(16000, 30, 8000), float)
    assert check_band(22050, 30.0, 8000.0) == 8000.0
    for fmin, fmax in ((-1.0, None), (500.0, 500.0), (600.0, 500.0), (0.0, 8000.5)):
        with pytest.raises(ValueError, match=r"0 <= fmin < fmax <= sr/2 = 8000 Hz, "
                                             rf"got fmin={fmin!r}, fmax="):
            check_band(16000, fmin, fmax)


def test_as_clips_is_the_one_front_end_for_batches_of_clips():
    from aigc_kit.features.inputs import as_clips

    clips = as_clips([np.zeros(5, np.int16), torch.ones(3)], "judge")
    assert [c.dtype for c in clips] == [np.float32] * 2 and [len(c) for c in clips] == [5, 3]
    assert len(as_clips(np.zeros(4), "judge")) == 1  # one clip
    assert as_clips(np.zeros((2, 2, 4)), "judge", multichannel=True)[0].shape == (2, 4)
    for bad, message in [([], "judge: no clips given"),
                         (np.zeros((2, 2, 4)), r"judge: expected one clip \(n_samples,\)"),
                         ([np.zeros(3), np.zeros(0)], "judge: clip 1 must be a non-empty 1-D"),
                         ([np.array(["a"])], "clip 0 must be a non-empty 1-D real waveform"),
                         ([np.array([0.0, np.nan])], "clip 0 contains NaN or infinite samples;")]:
        with pytest.raises(ValueError, match=message):
            as_clips(bad, "judge")
