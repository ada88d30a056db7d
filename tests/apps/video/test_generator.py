"""Tests of aigc_kit.apps.video.generator: moving-shape data, the video VAE, motion scores."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from aigc_kit.apps.video import (
    VideoVAE,
    centroid_tracks,
    clips_to_numpy,
    motion_statistics,
    moving_shapes,
    reconstruction_scores,
)
from aigc_kit.generation import sample
from aigc_kit.training import RunConfig, train_vae


def test_moving_shapes_is_deterministic_with_ground_truth():
    a, b = moving_shapes(6, seed=4), moving_shapes(6, seed=4)
    np.testing.assert_array_equal(a.clips, b.clips)
    assert a.clips.shape == (6, 8, 32, 32, 3) and a.clips.dtype == np.float32
    assert not np.array_equal(a.clips, moving_shapes(6, seed=5).clips)
    # positions follow the velocity exactly, and the centroid of the pixels follows them
    np.testing.assert_allclose(np.diff(a.positions, axis=1), np.repeat(
        a.velocity[:, None], 7, axis=1), atol=1e-9)
    speed = np.linalg.norm(a.velocity, axis=1)
    assert ((speed >= 0.5) & (speed <= 2.0)).all()
    np.testing.assert_allclose(centroid_tracks(a.clips), a.positions, atol=0.1)
    stats = motion_statistics(a.clips)
    np.testing.assert_allclose(stats["speed"], speed, atol=0.05)
    assert (stats["straightness"] > 0.99).all()
    # the whole shape stays on the canvas: total brightness constant over time
    assert (stats["mass_change"] < 0.02).all()


def test_content_and_motion_vary_independently():
    d = moving_shapes(400, seed=0)
    assert set(np.unique(d.shape)) == {0, 1}
    speed = np.linalg.norm(d.velocity, axis=1)
    for k in (0, 1):  # both shapes get the whole range of speeds and directions
        assert speed[d.shape == k].min() < 0.7 and speed[d.shape == k].max() > 1.8
    assert abs(np.corrcoef(speed, d.colour[:, 0])[0, 1]) < 0.2


def test_vae_shapes_and_reconstruction_improves():
    torch.manual_seed(0)
    train, test = moving_shapes(256, seed=0), moving_shapes(64, seed=1)
    vae = VideoVAE(latent_dim=8, width=16)
    recon, mu, logvar = vae(train.tensor()[:5])
    assert recon.shape == (5, 8, 3, 32, 32) and mu.shape == logvar.shape == (5, 8)
    before = reconstruction_scores(vae, test, device="cpu")
    black = float((test.clips**2).mean())  # the MSE of predicting an empty canvas
    result = train_vae(vae, train.tensor(), batch_size=32, lr=2e-3, beta=0.02,
                       run=RunConfig(steps=60, device="cpu", progress=False))
    assert result.ok
    after = reconstruction_scores(vae, test, device="cpu")
    assert after["mse"] < 0.75 * min(before["mse"], black)
    assert after["psnr"] > before["psnr"] + 1.5
    vae.train()  # sample() runs in eval mode (clipped to [0, 1]) and restores the mode
    samples = clips_to_numpy(sample(vae, 3, seed=0))
    assert samples.shape == (3, 8, 32, 32, 3) and 0 <= samples.min() and samples.max() <= 1
    np.testing.assert_array_equal(samples, clips_to_numpy(sample(vae, 3, seed=0)))
    assert vae.training


def test_bad_inputs_raise():
    with pytest.raises(ValueError, match="does not fit"):
        moving_shapes(2, size=16, speed=(1.0, 3.0))
    with pytest.raises(ValueError, match="shapes"):
        moving_shapes(2, shapes=("triangle",))
    with pytest.raises(ValueError, match="n >= 1"):
        moving_shapes(0)
    with pytest.raises(ValueError, match="multiple of 8"):
        VideoVAE(size=30)
    with pytest.raises(ValueError, match=r"\(B, 8, 3, 32, 32\)"):
        VideoVAE()(torch.zeros(2, 24, 32, 32))
    with pytest.raises(ValueError, match=r"\(n, T, H, W, 3\)"):
        centroid_tracks(np.zeros((8, 32, 32, 3)))
