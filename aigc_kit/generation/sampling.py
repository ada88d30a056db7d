"""Sampling from trained generators, and reconstruction by VAEs.

Taught in ``06_project_audio_gan``; used by the model zoo, the report and chapters 7 and 8.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch
from torch import nn

from aigc_kit.runtime.device import model_device, param_dtype
from aigc_kit.training.trainers import predict

if TYPE_CHECKING:
    from aigc_kit.generation.zoo import TrainedModels

MODELS = ("gan", "vae")


@torch.no_grad()
def sample_generator(
    generator: nn.Module,
    n: int,
    latent_dim: int,
    device: str | torch.device | None = None,
    seed: int | None = 0,
    batch_size: int = 256,
    prior: nn.Module | None = None,
) -> torch.Tensor:
    """Draw ``n`` examples ``G(z)``, ``z ~ N(0, I)``, in eval mode and without gradients.

    Eval mode matters for generators with BatchNorm (running statistics instead of the
    batch's); the generator is returned to its previous mode afterwards.

    Parameters
    ----------
    generator : nn.Module
        Maps ``(batch, latent_dim)`` noise to examples.
    n : int
        Number of examples.
    latent_dim : int
        Size of ``z``.
    device : str or torch.device, optional
        Where to compute; default where the generator is.
    seed : int or None
        Seed of a private random generator for ``z`` (the global RNG is untouched);
        ``None`` draws from the global RNG.
    batch_size : int
        Examples per forward pass.
    prior : nn.Module, optional
        Draw ``z`` from this prior (e.g. :class:`aigc_kit.models.MixturePrior`, the one the
        generator was trained with) instead of ``N(0, I)``; ``seed`` seeds it too.

    Returns
    -------
    torch.Tensor, shape (n, ...)
        The examples, on the CPU.

    Notes
    -----
    Taught in ``06_project_audio_gan``.
    """
    device = torch.device(device) if device is not None else model_device(generator)
    if prior is not None:
        rng = torch.Generator().manual_seed(seed) if seed is not None else None
        z = prior(n, generator=rng).to(device, param_dtype(generator))
        if z.shape != (n, latent_dim):
            raise ValueError(f"the prior gives codes of shape {tuple(z.shape)}, expected "
                             f"({n}, {latent_dim}): build it with latent_dim={latent_dim}")
    else:
        rng = torch.Generator(device=device).manual_seed(seed) if seed is not None else None
        z = torch.randn(n, latent_dim, generator=rng, device=device,
                        dtype=param_dtype(generator))
    return predict(generator, z, batch_size=batch_size, device=device)


def sample_model(models: TrainedModels, model: str, n_samples: int, seed: int) -> torch.Tensor:
    """Draw ``n_samples`` images from the GAN or from the VAE's prior, reproducibly.

    Parameters
    ----------
    models : TrainedModels
        From :func:`aigc_kit.generation.zoo.trained_models`.
    model : {"gan", "vae"}
        Which generator.
    n_samples : int
        Number of images.
    seed : int
        Seed of the latent codes (a private generator; the global RNG is untouched).

    Returns
    -------
    torch.Tensor, shape (n_samples, 1, n_mels, n_frames)
        Images in [-1, 1], on the CPU.
    """
    if model == "gan":
        from aigc_kit.generation.zoo import GAN_LATENT

        device = next(models.generator.parameters()).device
        return sample_generator(models.generator, n_samples, GAN_LATENT, device=device,
                                seed=seed).cpu()
    if model == "vae":
        with torch.no_grad():
            return models.vae.sample(n_samples,
                                     generator=torch.Generator().manual_seed(seed)).cpu()
    raise ValueError(f"model must be one of {MODELS}, got {model!r}")


def reconstruct(models: TrainedModels, images: torch.Tensor) -> torch.Tensor:
    """The VAE's reconstructions (posterior mean) of ``images`` ``(n, 1, M, F)``, on the CPU."""
    device = next(models.vae.parameters()).device
    with torch.no_grad():
        return models.vae(images.to(device), deterministic=True)[0].cpu()
