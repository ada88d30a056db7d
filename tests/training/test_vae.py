"""Tests for aigc_kit.training.vae: train_vae."""

from __future__ import annotations

import torch

from aigc_kit.training import RunConfig, train_vae


def test_vae_loss_decreases(tiny_vae, vae_data):
    torch.manual_seed(0)
    vae = tiny_vae()
    result = train_vae(vae, vae_data(), lr=1e-2, run=RunConfig(steps=300, progress=False))
    assert result.ok
    history = result.history
    assert list(history.columns) == ["step", "seconds", "loss", "reconstruction", "kl"]
    assert history["loss"].tail(30).mean() < 0.5 * history["loss"].head(10).mean()
    assert (history["loss"] - history["reconstruction"] - history["kl"]).abs().max() < 1e-4
