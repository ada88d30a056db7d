"""Device selection and reproducible seeding.

Taught in ``01_aigc_overview``; used by every notebook that trains a model.
"""

from __future__ import annotations

import os
import random

import numpy as np
import torch


def get_device(prefer: str | None = None) -> torch.device:
    """The device to compute on: ``cuda`` when a GPU is available, else ``cpu``.

    Parameters
    ----------
    prefer : str, optional
        ``"cpu"`` or ``"cuda"`` to override; also read from the environment variable
        ``AIGC_KIT_DEVICE``. Asking for ``"cuda"`` on a machine without a GPU raises
        ``RuntimeError``.
    """
    choice = prefer or os.environ.get("AIGC_KIT_DEVICE") or "auto"
    if choice == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if choice.startswith("cuda") and not torch.cuda.is_available():
        raise RuntimeError(
            f"device {choice!r} was requested but no CUDA GPU is available; "
            "use 'cpu' or unset AIGC_KIT_DEVICE."
        )
    return torch.device(choice)


def seed_everything(seed: int) -> np.random.Generator:
    """Seed Python, NumPy and PyTorch so a run repeats exactly on the same machine.

    Returns a fresh ``numpy.random.Generator`` seeded with ``seed`` for code that
    prefers an explicit generator.
    """
    random.seed(seed)
    np.random.seed(seed % 2**32)  # noqa: NPY002 - libraries still draw from the legacy global RNG
    torch.manual_seed(seed)
    if torch.cuda.is_available():
        torch.cuda.manual_seed_all(seed)
    return np.random.default_rng(seed)
