import types

import numpy as np
import pytest
import torch

from aigc_kit import get_device, seed_everything
from aigc_kit.runtime import count_parameters, fast_bfloat16, model_device, param_dtype


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


def test_count_parameters_counts_weights_and_biases_once():
    layer = torch.nn.Linear(3, 4)
    shared = torch.nn.Sequential(layer, torch.nn.ReLU(), layer)
    assert count_parameters(layer) == 3 * 4 + 4
    assert count_parameters(shared) == 16
    layer.bias.requires_grad_(False)
    assert count_parameters(layer, trainable_only=True) == 12


def test_model_device_and_dtype_read_the_first_parameter_with_fallbacks():
    net = torch.nn.Sequential(torch.nn.Linear(2, 2)).to(torch.float64)
    assert model_device(net) == torch.device("cpu") and param_dtype(net) == torch.float64
    assert model_device(torch.nn.ReLU()) == torch.device("cpu")  # no parameters
    assert param_dtype(torch.nn.ReLU()) == torch.float32
    meta = torch.nn.Linear(2, 2, device="meta", dtype=torch.bfloat16)
    assert model_device(meta).type == "meta" and param_dtype(meta) == torch.bfloat16

    class Counts(torch.nn.Module):  # an integer parameter is skipped for the dtype
        def __init__(self):
            super().__init__()
            self.count = torch.nn.Parameter(torch.zeros(1, dtype=torch.int64),
                                            requires_grad=False)
            self.weight = torch.nn.Parameter(torch.zeros(1, dtype=torch.float16))

    assert param_dtype(Counts()) == torch.float16
