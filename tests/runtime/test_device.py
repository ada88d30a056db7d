import types

import numpy as np
import pytest
import torch

from aigc_kit import get_device, seed_everything
from aigc_kit.models import LinearGaussianModel
from aigc_kit.runtime import fast_bfloat16


def test_get_device_follows_availability(monkeypatch):
    monkeypatch.delenv("AIGC_KIT_DEVICE", raising=False)
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert get_device().type == expected
    assert get_device("cpu").type == "cpu"


def test_get_device_refuses_missing_gpu(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(RuntimeError, match="no CUDA GPU"):
        get_device("cuda")
    monkeypatch.setenv("AIGC_KIT_DEVICE", "cuda")
    with pytest.raises(RuntimeError, match="AIGC_KIT_DEVICE"):
        get_device()
    # an explicit device (str or torch.device) wins over the environment
    assert get_device(torch.device("cpu")) == torch.device("cpu") == get_device("cpu")
    with pytest.raises(RuntimeError, match="no CUDA GPU"):
        get_device(torch.device("cuda"))


def test_fast_bfloat16_follows_the_hardware(monkeypatch):
    for native in (True, False):
        monkeypatch.setattr(torch.ops.mkldnn, "_is_mkldnn_bf16_supported", lambda n=native: n)
        assert fast_bfloat16("cpu") is native
    monkeypatch.setattr(torch.ops, "mkldnn", types.SimpleNamespace())
    assert fast_bfloat16("cpu") is False  # a torch build without the check: assume emulated
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    for capability, native in (((7, 5), False), ((8, 0), True), ((9, 0), True)):
        monkeypatch.setattr(torch.cuda, "get_device_capability", lambda d, c=capability: c)
        assert fast_bfloat16("cuda") is native
    assert fast_bfloat16("meta") is False


def test_seed_everything_repeats_numbers():
    first = (seed_everything(7).normal(size=3), np.random.rand(3), torch.randn(3))  # noqa: NPY002
    second = (seed_everything(7).normal(size=3), np.random.rand(3), torch.randn(3))  # noqa: NPY002
    for a, b in zip(first, second, strict=True):
        assert np.array_equal(np.asarray(a), np.asarray(b))
    other = seed_everything(8).normal(size=3)
    assert not np.array_equal(first[0], other)


def test_linear_gaussian_recovers_low_rank_data():
    rng = np.random.default_rng(0)
    basis = rng.standard_normal((3, 40))
    data = rng.standard_normal((500, 3)) @ basis * 2.0 + 5.0
    data = data.reshape(500, 4, 10) + 0.01 * rng.standard_normal((500, 4, 10))
    model = LinearGaussianModel(3).fit(data)
    recon = model.decode(model.encode(data))
    assert recon.shape == data.shape
    assert np.abs(recon - data).max() < 0.1
    samples = model.sample(2000, np.random.default_rng(1))
    # Samples share the data's mean and overall spread.
    assert np.allclose(samples.mean(axis=0), data.mean(axis=0), atol=0.5)
    assert samples.std() == pytest.approx(data.std(), rel=0.1)
    assert model.noise_std_ == pytest.approx(0.01, rel=0.2)


def test_linear_gaussian_rejects_bad_input():
    with pytest.raises(ValueError, match="more examples than components"):
        LinearGaussianModel(8).fit(np.zeros((5, 10)))
    with pytest.raises(ValueError, match="NaN"):
        LinearGaussianModel(1).fit(np.full((5, 3), np.nan))
    with pytest.raises(RuntimeError, match="fit"):
        LinearGaussianModel(2).sample(1, np.random.default_rng(0))


def test_training_throughput_counts_examples_and_leaves_the_model_alone():
    from aigc_kit.runtime import training_throughput

    small = torch.nn.Linear(16, 1)
    big = torch.nn.Sequential(torch.nn.Linear(16, 2048), torch.nn.ReLU(),
                              torch.nn.Linear(2048, 2048), torch.nn.ReLU(),
                              torch.nn.Linear(2048, 1))
    before = small.weight.detach().clone()
    threads = torch.get_num_threads()
    fast = training_throughput(small, torch.randn(32, 16), "cpu", steps=10, threads=1)
    slow = training_throughput(big, torch.randn(32, 16), "cpu", steps=10, threads=1)
    assert torch.equal(small.weight, before) and torch.get_num_threads() == threads
    assert fast > 3 * slow > 0
    with pytest.raises(ValueError, match="steps >= 1"):
        training_throughput(small, torch.randn(4, 16), "cpu", steps=0)
