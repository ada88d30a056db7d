"""Sampling from trained generators, and reconstruction by VAEs, for every model of the kit.

Every VAE follows :class:`aigc_kit.models.contract.GenerativeVAE` and every GAN generator
:class:`aigc_kit.models.contract.LatentSampler`, so one function does each job:

- :func:`sample`: ``n`` new examples from any generator of the kit (a VAE, a GAN
  generator, a :class:`GANSampler` or trained GAN with its prior, the melody and video
  VAEs), in eval mode, returned on the CPU. Its randomness is spelled one way everywhere:
  ``seed=s`` (a private CPU ``torch.Generator``: the same codes on every device, the
  global RNG untouched), or ``generator=g`` (a ``torch.Generator`` of your own), or
  neither (torch's global RNG, so :func:`aigc_kit.seed_everything` repeats it);
- :func:`reconstruct`: any VAE's reconstructions of a data set (posterior mean), batched,
  in eval mode, on the CPU;
- :class:`GANSampler`: a trained GAN generator with its latent size and prior, which
  follows the same contract as a VAE (``GANSampler(g, 100, prior).sample(n, generator=g)``).

The models' own ``sample(n, *, generator=None, device=None)`` methods are the contract
underneath: they return on ``device`` (default the model's) and leave the train/eval mode
alone; :func:`sample` is what chapters call. ``rng`` in the kit always means a NumPy
``Generator``; a torch one is always called ``generator``.

Taught in ``06_project_audio_gan``; used by the model zoo, the report and chapters 4, 7, 8
and 12.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import torch
from torch import nn

from aigc_kit.models.contract import (
    GenerativeVAE,
    LatentSampler,
    balanced_labels,
    check_count,
    prior_codes,
)
from aigc_kit.runtime.device import model_device, param_dtype
from aigc_kit.training.classifier import predict

_BATCH = 256  # examples per forward pass when a GAN is sampled


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
        device: str | torch.device | None = None,
        labels: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """``n`` examples ``G(z)`` with ``z`` from the prior, in eval mode, without gradients.

        Parameters
        ----------
        n : int
            Number of examples.
        generator : torch.Generator, optional
            Source of the codes: on any device for ``N(0, I)`` (the codes are drawn on its
            device and moved), on the CPU for a ``prior``
            (:class:`aigc_kit.models.MixturePrior` draws on the CPU). ``None``: the global
            RNG.
        device : str or torch.device, optional
            Where to compute and return the examples; default the generator's device.
        labels : torch.Tensor of int, shape (n,), optional
            Classes to generate, for a class-conditional generator (one with an
            ``n_classes`` attribute, called ``G(z, labels)``); default every class equally
            often (as far as ``n`` allows, like a balanced held-out set), in an order
            shuffled by the same source as the codes. Refused for an unconditional one.

        Returns
        -------
        torch.Tensor of shape (n, *example_shape)
            On ``device``, in batches of 256. The generator's train/eval mode is restored
            afterwards (BatchNorm generators are sampled with their running statistics).
        """
        n = check_count(n)
        device = torch.device(device) if device is not None else model_device(self.generator)
        dtype = param_dtype(self.generator)
        if self.prior is None:
            z = prior_codes(n, self.latent_dim, device, generator, dtype)
        else:
            z = self.prior(n, generator=generator).to(device, dtype)
            if z.shape != (n, self.latent_dim):
                raise ValueError(f"the prior gives codes of shape {tuple(z.shape)}, expected "
                                 f"({n}, {self.latent_dim}): build it with "
                                 f"latent_dim={self.latent_dim}")
        n_classes = getattr(self.generator, "n_classes", None)
        if n_classes is None:
            if labels is not None:
                raise ValueError(f"{type(self.generator).__name__} is not class-conditional; "
                                 "sample it without labels")
            with torch.no_grad():
                return predict(self.generator, z, batch_size=_BATCH, device=device).to(device)
        if labels is None:
            labels = balanced_labels(n, n_classes, generator)
        with torch.no_grad():
            return predict(self.generator, z, torch.as_tensor(labels), batch_size=_BATCH,
                           device=device).to(device)


def sample(
    model: LatentSampler | GenerativeVAE,
    n: int,
    *,
    seed: int | None = None,
    generator: torch.Generator | None = None,
    labels: torch.Tensor | None = None,
    device: str | torch.device | None = None,
) -> torch.Tensor:
    """``n`` new examples from any generator of the kit, in eval mode, on the CPU.

    The one sampling entry point of the kit: the image VAE, the conditional VAE, the
    melody and video VAEs, a GAN generator, a :class:`GANSampler` or a trained GAN with its
    prior are all called as ``model.sample(n, generator=..., device=...)`` (plus
    ``labels=`` for a conditional model).

    Parameters
    ----------
    model : LatentSampler or GenerativeVAE
        Anything with ``sample(n, *, generator=None, device=None)``.
    n : int
        Number of examples.
    seed : int, optional
        Seed of a private CPU ``torch.Generator`` for the codes: the same seed gives the
        same codes on every device, and the global RNG is untouched.
    generator : torch.Generator, optional
        Or a generator of your own (not both). Neither: torch's global RNG.
    labels : torch.Tensor, optional
        ``(n, n_labels)`` integer labels of a conditional VAE; passed on only when given.
    device : str or torch.device, optional
        Where to compute; default where the model is.

    Returns
    -------
    torch.Tensor of shape (n, *example_shape)
        The examples, on the CPU. A module model runs in eval mode without gradients and
        gets its previous train/eval mode back afterwards.

    Raises
    ------
    ValueError
        If both ``seed`` and ``generator`` are given, or ``n`` is not a positive integer.

    Notes
    -----
    Taught in ``06_project_audio_gan``.
    """
    if not isinstance(model, LatentSampler):
        raise TypeError(f"sample: {type(model).__name__} has no sample(n, *, generator, "
                        "device) method (see aigc_kit.models.LatentSampler)")
    generator = seeded_generator(seed, generator, "sample")
    n = check_count(n)
    extra = {} if labels is None else {"labels": torch.as_tensor(labels)}
    with eval_mode(model), torch.no_grad():
        out = model.sample(n, generator=generator, device=device, **extra)
    return out.cpu()


def seeded_generator(seed: int | None, generator: torch.Generator | None,
                     caller: str = "sample") -> torch.Generator | None:
    """The torch generator that ``seed=`` or ``generator=`` stands for (the kit's contract).

    ``seed``: a fresh CPU ``torch.Generator`` seeded with it (the same draws on every
    device); ``generator``: passed through; neither: ``None`` (torch's global RNG); both:
    a ``ValueError`` naming ``caller``.

    Notes
    -----
    The randomness of :func:`sample` and of every other sampler of the kit (the melody
    models of ``09_music_generation`` too). Taught in ``06_project_audio_gan``.
    """
    if seed is not None and generator is not None:
        raise ValueError(f"{caller}: give seed or generator, not both")
    return torch.Generator().manual_seed(int(seed)) if seed is not None else generator


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
    with eval_mode(vae), torch.no_grad():
        for i in range(0, len(x), batch_size):
            xb = x[i:i + batch_size].to(device, dtype)
            extra = {} if labels is None else {"labels": labels[i:i + batch_size].to(device)}
            mu, _ = vae.encode(xb, **extra)
            out.append(vae.decode(mu, **extra).cpu())
    return torch.cat(out)


@contextmanager
def eval_mode(model: object) -> Iterator[None]:
    """Eval mode for a ``with`` block, then every submodule's own mode back.

    A model that is not an ``nn.Module`` (e.g. a :class:`GANSampler`) is left alone.

    Notes
    -----
    Used by :func:`sample`, :func:`reconstruct` and the melody samplers
    (``09_music_generation``). Taught in ``06_project_audio_gan``.
    """
    modules = list(model.modules()) if isinstance(model, nn.Module) else []
    modes = [m.training for m in modules]
    if isinstance(model, nn.Module):
        model.eval()
    try:
        yield
    finally:
        for m, mode in zip(modules, modes, strict=True):
            m.training = mode
