"""Chapter 3.3's "depends on data" as a measurement: quality against training-set size.

Used in ``06_project_audio_gan`` and recalled in ``13_trends_challenges``.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

from aigc_kit.evaluation.signal import mse
from aigc_kit.features.mel_datasets import MelImageDataset
from aigc_kit.generation.sampling import reconstruct
from aigc_kit.models.mlp import VAE, MLPDecoder, MLPEncoder
from aigc_kit.runtime.device import get_device
from aigc_kit.training.loop import RunConfig
from aigc_kit.training.vae import train_vae


def vae_data_curve(
    data: MelImageDataset,
    shares: Sequence[float],
    seconds: float | None = None,
    latent_dim: int = 16,
    seed: int = 0,
    device: str | torch.device | None = None,
    *,
    steps: int | None = None,
) -> list[float]:
    """Held-out reconstruction MSE of an MLP VAE trained on shares of the training set.

    For each share, a fresh VAE (the source's layer sizes, ``latent_dim``-D code) trains for
    ``seconds`` (or ``steps``) on a random ``share`` of ``data.x_train`` (the same subset
    for the same seed) and reconstructs the held-out images ``data.x_test``; with few
    examples it learns them by heart and generalises worse.

    Parameters
    ----------
    data : MelImageDataset
        Images ``(n, 1, n_mels, n_frames)`` in [-1, 1].
    shares : sequence of float
        Shares of the training set, each in (0, 1].
    seconds : float, optional
        Training budget per share (wall clock, s): the same budget a classroom machine
        has, so more data competes for the same time.
    steps : int, optional
        Or a number of steps per share (the same training on any machine, busy or not);
        give exactly one of the two.
    latent_dim : int
        Size of the VAE's latent code.
    seed : int
        Seed of the subsets, initialisation and batches.
    device : str or torch.device, optional
        Where to train; default :func:`aigc_kit.get_device`.

    Returns
    -------
    list of float
        Mean held-out image MSE per share (images in [-1, 1]).

    Notes
    -----
    Taught in ``06_project_audio_gan`` and ``13_trends_challenges``.
    """
    if (seconds is None) == (steps is None):
        raise ValueError("vae_data_curve: give a budget per share, seconds=... or steps=..., "
                         "not both")
    device = get_device(device)
    shape = data.spec.shape
    errors = []
    for share in shares:
        torch.manual_seed(seed)  # the same initial weights for every share and every call
        vae = VAE(MLPEncoder(shape, latent_dim), MLPDecoder(latent_dim, shape))
        train_vae(vae, data.fraction(share, seed).x_train,
                  run=RunConfig(steps=steps, max_seconds=seconds, seed=seed, device=device,
                                progress=False))
        recon = reconstruct(vae, data.x_test, device=device)
        errors.append(float(mse(recon.flatten(1), data.x_test.flatten(1)).mean()))
    return errors
