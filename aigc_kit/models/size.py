"""How big a model is: the parameter count printed in ``04_deep_learning_models`` and
``06_project_audio_gan``."""

from __future__ import annotations

from torch import nn


def count_parameters(model: nn.Module, trainable_only: bool = False) -> int:
    """Number of scalar parameters of ``model`` (only those with ``requires_grad`` if asked).

    Parameters shared between layers are counted once.
    """
    return sum(p.numel() for p in model.parameters() if p.requires_grad or not trainable_only)
