"""Device selection and reproducible seeding.

Taught in ``01_aigc_overview``; used by every notebook that trains a model.
"""

from __future__ import annotations

import os
import random

import numpy as np
import torch
from torch import nn


def get_device(prefer: str | torch.device | None = None) -> torch.device:
    """The device to compute on: ``cuda`` when a GPU is available, else ``cpu``.

    Parameters
    ----------
    prefer : str or torch.device, optional
        ``"cpu"`` or ``"cuda"`` (or a ``torch.device``) to override; also read from the
        environment variable ``AIGC_KIT_DEVICE``. Asking for ``"cuda"`` on a machine
        without a GPU raises ``RuntimeError``. The kit's functions pass their ``device``
        argument here, so ``device=None`` means this choice.

    Notes
    -----
    Taught in ``01_aigc_overview``.
    """
    choice = str(prefer) if prefer is not None else os.environ.get("AIGC_KIT_DEVICE")
    choice = choice or "auto"
    if choice == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if choice.startswith("cuda") and not torch.cuda.is_available():
        raise RuntimeError(
            f"device {choice!r} was requested but no CUDA GPU is available; "
            "use 'cpu' or unset AIGC_KIT_DEVICE."
        )
    return torch.device(choice)


def fast_bfloat16(device: str | torch.device | None = None) -> bool:
    """Whether ``device`` multiplies bfloat16 matrices natively (so mixed precision pays).

    True on a CUDA GPU of compute capability 8 or more (older ones emulate bfloat16), and on
    a CPU whose oneDNN kernels have bfloat16 instructions (AVX512-BF16 or AMX); there a
    ``(32, 1024) @ (1024, 1024)`` product takes about 0.4x the time of float32 (2 cores).
    Elsewhere bfloat16 is emulated and slower, so :func:`aigc_kit.training.train_gan`'s
    ``mixed_precision`` should stay off. Used by ``06_project_audio_gan`` and
    ``benchmarks/bench_gan.py``.
    """
    device = get_device(device)
    if device.type == "cuda":  # native bfloat16 from compute capability 8 (Ampere) on
        return torch.cuda.get_device_capability(device)[0] >= 8
    if device.type != "cpu":
        return False
    check = getattr(torch.ops.mkldnn, "_is_mkldnn_bf16_supported", None)
    return bool(check is not None and check())


def seed_everything(seed: int) -> np.random.Generator:
    """Seed Python, NumPy and PyTorch so a run repeats exactly on the same machine.

    Returns a fresh ``numpy.random.Generator`` seeded with ``seed`` for code that
    prefers an explicit generator.

    Notes
    -----
    Taught in ``01_aigc_overview``.
    """
    random.seed(seed)
    np.random.seed(seed % 2**32)  # noqa: NPY002 - libraries still draw from the legacy global RNG
    torch.manual_seed(seed)
    if torch.cuda.is_available():
        torch.cuda.manual_seed_all(seed)
    return np.random.default_rng(seed)


def training_throughput(
    model: torch.nn.Module,
    batch: torch.Tensor,
    device: str | torch.device,
    steps: int = 20,
    warmup: int = 3,
    threads: int | None = None,
) -> float:
    """Examples per second of training steps (forward, backward, Adam) on ``device``.

    The loss is the mean square of the model's output, a stand-in that costs what a real
    loss costs. The model is copied, so the original is left untouched. On CUDA the clock
    waits for the GPU (``torch.cuda.synchronize``). Taught in ``13_trends_challenges``.

    Parameters
    ----------
    model : torch.nn.Module
        Any model taking ``batch``.
    batch : torch.Tensor, shape (batch_size, ...)
        One input batch.
    device : str or torch.device
        Where to time.
    steps, warmup : int
        Timed steps, after ``warmup`` untimed ones.
    threads : int, optional
        CPU threads for the measurement (restored afterwards).

    Returns
    -------
    float
        Training examples per second.
    """
    import copy
    import time

    if steps < 1 or warmup < 0:
        raise ValueError("training_throughput: need steps >= 1 and warmup >= 0")
    device = torch.device(device)
    previous = torch.get_num_threads()
    if threads is not None:
        torch.set_num_threads(threads)
    try:
        net = copy.deepcopy(model).to(device).train()
        x = batch.to(device)
        opt = torch.optim.Adam(net.parameters(), lr=1e-4)

        def step() -> None:
            out = net(x)
            loss = (out[0] if isinstance(out, tuple) else out).float().pow(2).mean()
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()

        for _ in range(warmup):
            step()
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        start = time.perf_counter()
        for _ in range(steps):
            step()
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        return steps * len(batch) / (time.perf_counter() - start)
    finally:
        torch.set_num_threads(previous)


def model_device(model: nn.Module) -> torch.device:
    """Where ``model``'s first parameter lives (the CPU for a model without parameters).

    Notes
    -----
    The kit's one way to ask where a model runs; used wherever a function's ``device``
    defaults to the model's (sampling, prediction, vocoders). Taught in
    ``06_project_audio_gan``.
    """
    param = next(model.parameters(), None)
    return param.device if param is not None else torch.device("cpu")


def param_dtype(model: nn.Module) -> torch.dtype:
    """The dtype of ``model``'s first floating-point parameter (float32 if it has none).

    Notes
    -----
    Used where inputs must match a model's precision (bfloat16 runs of
    ``06_project_audio_gan``).
    """
    for p in model.parameters():
        if p.is_floating_point():
            return p.dtype
    return torch.float32


def count_parameters(model: nn.Module, trainable_only: bool = False) -> int:
    """Number of scalar parameters of ``model`` (only those with ``requires_grad`` if asked).

    Parameters shared between layers are counted once.

    Notes
    -----
    Printed in ``04_deep_learning_models`` and ``06_project_audio_gan`` (also from
    ``aigc_kit.models``); part of a checkpoint's architecture description
    (:func:`aigc_kit.runtime.describe_architecture`).
    """
    return sum(p.numel() for p in model.parameters() if p.requires_grad or not trainable_only)
