"""Sampling from trained generators, and reconstruction by VAEs, for every model of the kit.

Every VAE follows :class:`aigc_kit.models.contract.GenerativeVAE` and every GAN generator
:class:`aigc_kit.models.contract.LatentSampler`, so one function does each job:

- :func:`sample`: ``n`` new examples from any VAE or latent sampler, from a private
  ``torch.Generator`` seeded by ``seed`` (the global RNG untouched), in eval mode, on the CPU;
- :func:`reconstruct`: any VAE's reconstructions of a data set (posterior mean), batched,
  in eval mode, on the CPU;
- :class:`GANSampler`: a trained GAN generator with its latent size and prior, sampled like
  a VAE (``GANSampler(g, 100).sample(n)``);
- :func:`sample_generator`: the GAN's batched ``G(z)`` underneath;
- :func:`sample_model`: the GAN or the VAE of the chapter-6 model zoo by name.

Taught in ``06_project_audio_gan``; used by the model zoo, the report and chapters 7, 8 and
12.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

import torch
from torch import nn

from aigc_kit.models.contract import GenerativeVAE, LatentSampler, check_count
from aigc_kit.runtime.device import model_device, param_dtype
from aigc_kit.training.classifier import predict

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
    rng: torch.Generator | None = None,
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
        Seed of a private random generator for ``z`` (the global RNG is untouched; for
        ``N(0, I)`` the generator lives on ``device``, so CPU and GPU draw different codes);
        ``None`` draws from the global RNG (or from ``rng``).
    batch_size : int
        Examples per forward pass.
    prior : nn.Module, optional
        Draw ``z`` from this prior (e.g. :class:`aigc_kit.models.MixturePrior`, the one the
        generator was trained with) instead of ``N(0, I)``; ``seed`` seeds it too.
    rng : torch.Generator, optional
        Draw ``z`` from this generator instead (``seed`` must then be ``None``): on any
        device for ``N(0, I)`` (the codes are drawn there and moved), on the CPU for a
        ``prior`` (:class:`aigc_kit.models.MixturePrior` draws on the CPU).

    Returns
    -------
    torch.Tensor, shape (n, ...)
        The examples, on the CPU.

    Notes
    -----
    Taught in ``06_project_audio_gan``.
    """
    device = torch.device(device) if device is not None else model_device(generator)
    if rng is not None and seed is not None:
        raise ValueError("sample_generator: give seed or rng, not both (seed=None with rng)")
    dtype = param_dtype(generator)
    if prior is not None:
        if rng is None and seed is not None:
            rng = torch.Generator().manual_seed(seed)
        z = prior(n, generator=rng).to(device, dtype)
        if z.shape != (n, latent_dim):
            raise ValueError(f"the prior gives codes of shape {tuple(z.shape)}, expected "
                             f"({n}, {latent_dim}): build it with latent_dim={latent_dim}")
    elif rng is not None:
        z = torch.randn(n, latent_dim, generator=rng, device=rng.device).to(device, dtype)
    else:
        rng = torch.Generator(device=device).manual_seed(seed) if seed is not None else None
        z = torch.randn(n, latent_dim, generator=rng, device=device, dtype=dtype)
    return predict(generator, z, batch_size=batch_size, device=device)


@dataclass
class GANSampler:
    """A trained GAN generator with its latent size and prior: a :class:`LatentSampler`.

    ``GANSampler(g, latent_dim, prior).sample(n, generator=...)`` follows the same contract
    as ``vae.sample(n, generator=...)``, so :func:`sample` treats a GAN and a VAE alike.

    Attributes
    ----------
    generator : nn.Module
        Maps codes ``(batch, latent_dim)`` to examples.
    latent_dim : int
        Size of ``z``.
    prior : nn.Module, optional
        The latent prior the generator was trained with (e.g.
        :class:`aigc_kit.models.MixturePrior`); default ``N(0, I)``.

    Notes
    -----
    Taught in ``06_project_audio_gan``.
    """

    generator: nn.Module
    latent_dim: int
    prior: nn.Module | None = None

    def sample(
        self,
        n: int,
        *,
        generator: torch.Generator | None = None,
        seed: int | None = None,
        device: str | torch.device | None = None,
    ) -> torch.Tensor:
        """``n`` examples ``G(z)`` with ``z`` from the prior, in eval mode, without gradients.

        Parameters
        ----------
        n : int
            Number of examples.
        generator : torch.Generator, optional
            Source of the codes (for ``N(0, I)`` on any device; for a ``prior`` on the
            CPU).
        seed : int, optional
            Or a seed, exactly as :func:`sample_generator`'s (so
            ``GANSampler(g, d).sample(n, seed=s)`` equals ``sample_generator(g, n, d,
            seed=s)``). Neither: the global RNG.
        device : str or torch.device, optional
            Where to compute and return the examples; default the generator's device.

        Returns
        -------
        torch.Tensor of shape (n, *example_shape)
            On ``device``. The generator's train/eval mode is restored afterwards.
        """
        if generator is not None and seed is not None:
            raise ValueError("GANSampler.sample: give generator or seed, not both")
        device = torch.device(device) if device is not None else model_device(self.generator)
        out = sample_generator(self.generator, check_count(n), self.latent_dim, device=device,
                               seed=seed, prior=self.prior, rng=generator)
        return out.to(device)


def sample(
    model: LatentSampler | GenerativeVAE,
    n: int,
    *,
    seed: int = 0,
    labels: torch.Tensor | None = None,
    device: str | torch.device | None = None,
) -> torch.Tensor:
    """``n`` new examples from any VAE or latent sampler, reproducibly, on the CPU.

    The one sampling entry point of the kit: the image VAE, the conditional VAE, the
    melody and video VAEs, a GAN generator (or a :class:`GANSampler` with its prior) are
    all called as ``model.sample(n, generator=rng, device=device)`` (plus ``labels=`` for a
    conditional model).

    Parameters
    ----------
    model : LatentSampler or GenerativeVAE
        Anything with ``sample(n, *, generator=None, device=None)``.
    n : int
        Number of examples.
    seed : int
        Seed of a private CPU ``torch.Generator`` for the codes: the same seed gives the
        same codes on every device, and the global RNG is untouched.
    labels : torch.Tensor, optional
        ``(n, n_labels)`` integer labels of a conditional VAE; passed on only when given.
    device : str or torch.device, optional
        Where to compute; default where the model is.

    Returns
    -------
    torch.Tensor of shape (n, *example_shape)
        The examples, on the CPU. A module model runs in eval mode without gradients and
        gets its previous train/eval mode back afterwards.

    Notes
    -----
    Taught in ``06_project_audio_gan``.
    """
    if not isinstance(model, LatentSampler):
        raise TypeError(f"sample: {type(model).__name__} has no sample(n, *, generator, "
                        "device) method (see aigc_kit.models.LatentSampler)")
    n = check_count(n)
    rng = torch.Generator().manual_seed(int(seed))
    extra = {} if labels is None else {"labels": torch.as_tensor(labels)}
    with _eval_mode(model), torch.no_grad():
        out = model.sample(n, generator=rng, device=device, **extra)
    return out.cpu()


def reconstruct(
    vae: GenerativeVAE,
    x: torch.Tensor,
    *,
    labels: torch.Tensor | None = None,
    batch_size: int = 256,
    device: str | torch.device | None = None,
) -> torch.Tensor:
    """Any VAE's reconstructions of ``x``: ``decode(encode(x).mu)``, batched, on the CPU.

    The posterior mean is decoded (no random draw), in eval mode and without gradients;
    the VAE gets its previous train/eval mode back. For the image, conditional and video
    VAEs this equals ``vae(x, deterministic=True)[0]`` in eval mode; for the melody VAE it
    is the greedy free-running decoding (its ``forward`` gives teacher-forced logits).

    Parameters
    ----------
    vae : GenerativeVAE
        Any VAE of the kit (:class:`aigc_kit.models.contract.GenerativeVAE`).
    x : torch.Tensor, shape (N, *example_shape)
        The examples, on any device.
    labels : torch.Tensor, shape (N, n_labels), optional
        Their labels, for a conditional VAE (passed on only when given).
    batch_size : int
        Examples per forward pass.
    device : str or torch.device, optional
        Where to compute; the VAE is moved there (as :func:`aigc_kit.training.predict`
        does). Default: where the VAE already is.

    Returns
    -------
    torch.Tensor, shape (N, *example_shape)
        The reconstructions, on the CPU.

    Notes
    -----
    Taught in ``06_project_audio_gan``; used by ``07_evaluation``, the report,
    :func:`aigc_kit.evaluation.vae_data_curve` and ``12_video_style_and_generation``.
    """
    x = torch.as_tensor(x)
    if len(x) == 0:
        raise ValueError("reconstruct: x holds no examples")
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    if labels is not None:
        labels = torch.as_tensor(labels)
        if len(labels) != len(x):
            raise ValueError(f"reconstruct: {len(labels)} rows of labels for {len(x)} "
                             "examples; give one row per example")
    device = torch.device(device) if device is not None else model_device(vae)
    vae.to(device)
    dtype = param_dtype(vae) if x.is_floating_point() else x.dtype
    out = []
    with _eval_mode(vae), torch.no_grad():
        for i in range(0, len(x), batch_size):
            xb = x[i:i + batch_size].to(device, dtype)
            extra = {} if labels is None else {"labels": labels[i:i + batch_size].to(device)}
            mu, _ = vae.encode(xb, **extra)
            out.append(vae.decode(mu, **extra).cpu())
    return torch.cat(out)


@contextmanager
def _eval_mode(model: object) -> Iterator[None]:
    """Eval mode for a ``with`` block, then every submodule's own mode back (a model that
    is not an ``nn.Module``, e.g. a :class:`GANSampler`, is left alone)."""
    modules = list(model.modules()) if isinstance(model, nn.Module) else []
    modes = [m.training for m in modules]
    if isinstance(model, nn.Module):
        model.eval()
    try:
        yield
    finally:
        for m, mode in zip(modules, modes, strict=True):
            m.training = mode


def sample_model(models: TrainedModels, model: str, n_samples: int, seed: int) -> torch.Tensor:
    """Draw ``n_samples`` images from the zoo's GAN or from its VAE's prior, reproducibly.

    The VAE is sampled with :func:`sample` (a private CPU generator seeded by ``seed``, eval
    mode).

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
        return sample(models.gan, n_samples, seed=seed)
    if model == "vae":
        return sample(models.vae, n_samples, seed=seed)
    raise ValueError(f"model must be one of {MODELS}, got {model!r}")
