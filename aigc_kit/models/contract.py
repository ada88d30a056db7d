"""One contract for the kit's generative models: how a VAE or a GAN is encoded, decoded, sampled.

The kit has four VAEs: the image :class:`~aigc_kit.models.mlp.VAE` (MLP or convolutional
encoder and decoder, ``06_project_audio_gan``), the label-conditioned
:class:`~aigc_kit.models.conditional.ConditionalVAE` (digit, speaker;
``10_speech_synthesis``), the melody VAE ``aigc_kit.apps.music.MelodyVAE``
(``09_music_generation``) and the video VAE ``aigc_kit.apps.video.VideoVAE``
(``12_video_style_and_generation``). They follow :class:`GenerativeVAE`, so one
``reconstruct`` and one ``sample`` (:mod:`aigc_kit.generation.sampling`) serve all of them.
GAN generators (:class:`~aigc_kit.models.mlp.MLPGenerator`,
:class:`~aigc_kit.models.conv.ConvGenerator`) and a trained GAN with its latent prior
(``aigc_kit.generation.GANSampler``) follow :class:`LatentSampler`, the part of the contract
that draws new examples, so a GAN and a VAE are sampled the same way.

What the contract promises
--------------------------
* Every method takes and returns ``torch.Tensor``\\ s (never NumPy arrays); callers that
  need arrays convert (e.g. ``aigc_kit.apps.video.clips_to_numpy``).
* ``decode`` and ``sample`` return examples in the layout ``encode`` takes (the data
  layout), so ``encode(decode(z))`` and ``encode(sample(n))`` work.
* ``labels`` is an integer tensor ``(batch, n_labels)`` for a conditional model (required
  there) and must be ``None`` for an unconditional one (a ``ValueError`` otherwise: labels
  are never silently ignored).
* ``sample`` draws its codes from ``generator`` (a ``torch.Generator`` on any device: the
  codes are drawn on the generator's device and moved) or, without one, from the global
  RNG; it runs without gradients and does not change the module's train/eval mode.
* ``forward`` is the *training* pass: ``(output, mu, logvar)`` for the loss. For the image
  and video VAEs ``output`` is the reconstruction; for the melody VAE it is teacher-forced
  logits. Reconstructions to look at come from ``decode(encode(x)[0])``, which is what
  ``aigc_kit.generation.reconstruct`` computes (posterior mean, eval mode, no gradients).

Taught in ``06_project_audio_gan``.
"""

from __future__ import annotations

import operator
from typing import Protocol, runtime_checkable

import torch

Device = str | torch.device | None


@runtime_checkable
class LatentSampler(Protocol):
    """Anything that draws new examples from a latent prior: GAN generators, VAEs.

    Methods
    -------
    sample(n, *, generator=None, device=None) -> torch.Tensor
        ``n`` new examples ``(n, *example_shape)``, decoded from codes drawn from the
        model's prior (``N(0, I)`` unless the model says otherwise), without gradients.

        Parameters
        ----------
        n : int
            Number of examples.
        generator : torch.Generator, optional
            Source of the codes, for repeatable samples; on any device (the codes are
            drawn on its device and moved). ``None`` draws from the global RNG.
        device : str or torch.device, optional
            Where the examples are computed and returned; default the model's device.

        Returns
        -------
        torch.Tensor of shape (n, *example_shape)
            The examples, on ``device``.

    Notes
    -----
    ``isinstance(obj, LatentSampler)`` checks only that ``obj`` has a ``sample`` method
    (``typing.runtime_checkable``), not its signature; the tests of
    ``tests/models/test_contract.py`` check the behaviour. For a fixed seed and a
    model on the CPU, use :func:`aigc_kit.generation.sample` (a private generator, the
    global RNG untouched, eval mode). Taught in ``06_project_audio_gan``.
    """

    def sample(
        self, n: int, *, generator: torch.Generator | None = None, device: Device = None
    ) -> torch.Tensor: ...


@runtime_checkable
class GenerativeVAE(Protocol):
    """The contract every VAE of the kit follows: encode, decode, sample, forward.

    Attributes
    ----------
    latent_dim : int
        Size of the latent code ``z``.

    Methods
    -------
    encode(x, labels=None) -> (mu, logvar)
        The Gaussian posterior ``q(z | x)``: ``mu`` and ``logvar`` float tensors of shape
        ``(batch, latent_dim)`` for examples ``x`` of shape ``(batch, *example_shape)``.
    decode(z, labels=None) -> torch.Tensor
        Examples ``(batch, *example_shape)`` in the data layout (what ``encode`` takes) from
        codes ``z`` ``(batch, latent_dim)``, on ``z``'s device. Deterministic for the image
        and video VAEs; the melody VAE writes its notes greedily by default.
    sample(n, *, labels=None, generator=None, device=None) -> torch.Tensor
        ``n`` new examples decoded from codes drawn from ``N(0, I)``, as
        :meth:`LatentSampler.sample` (a conditional VAE needs ``labels`` of ``n`` rows).
    forward(x, labels=None, deterministic=False) -> (output, mu, logvar)
        The training pass: ``z`` drawn with the reparameterisation trick (``z = mu`` when
        ``deterministic``), ``output`` what the loss compares with ``x``.

    Shapes per model
    ----------------
    ========================= ======================================= ====================
    model                     example shape, dtype                    labels
    ========================= ======================================= ====================
    ``VAE``                   ``(1, n_mels, n_frames)`` float in      none
                              [-1, 1] (log-mel images)
    ``ConditionalVAE``        ``in_shape`` float in [-1, 1]           ``(batch, n_labels)``
                                                                      int, e.g. (digit,
                                                                      speaker)
    ``MelodyVAE``             ``(window, features)`` float32 one-hot  none
                              (pitch, duration, phrase end)
    ``VideoVAE``              ``(T, 3, H, W)`` float in [0, 1]        none
    ========================= ======================================= ====================

    Notes
    -----
    ``isinstance(model, GenerativeVAE)`` checks that the attribute and the methods exist
    (``typing.runtime_checkable``), not their signatures. Taught in
    ``06_project_audio_gan``.
    """

    latent_dim: int

    def encode(
        self, x: torch.Tensor, labels: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]: ...

    def decode(self, z: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor: ...

    def sample(
        self,
        n: int,
        *,
        labels: torch.Tensor | None = None,
        generator: torch.Generator | None = None,
        device: Device = None,
    ) -> torch.Tensor: ...

    def forward(
        self, x: torch.Tensor, labels: torch.Tensor | None = None, deterministic: bool = False
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]: ...


def no_labels(owner: object, labels: torch.Tensor | None) -> None:
    """Raise a ValueError when an unconditional model is given ``labels`` (never ignored).

    Notes
    -----
    Taught in ``06_project_audio_gan``.
    """
    if labels is not None:
        raise ValueError(f"{type(owner).__name__} is not conditioned on labels; pass "
                         "labels=None (a ConditionalVAE takes labels)")


def check_count(n: int) -> int:
    """``n`` as an ``int`` if it is a positive integer (NumPy integers too), else a ValueError.

    Notes
    -----
    Taught in ``06_project_audio_gan``.
    """
    if isinstance(n, bool) or not hasattr(n, "__index__") or operator.index(n) < 1:
        raise ValueError(f"n must be a positive integer, got {n!r}")
    return operator.index(n)


def balanced_labels(n: int, n_classes: int,
                    generator: torch.Generator | None = None) -> torch.Tensor:
    """``n`` class labels ``(n,)``, every class equally often as far as ``n`` allows, shuffled.

    Drawn from ``generator`` (on its device; the global RNG without one). The default
    labels of every class-conditional generator of the kit (the conditional GANs, the
    diffusion model), like a balanced held-out set.

    Notes
    -----
    Taught in ``06_project_audio_gan``.
    """
    on = generator.device if generator is not None else torch.device("cpu")
    return torch.randperm(n, generator=generator, device=on).remainder(n_classes)


def prior_codes(
    n: int, latent_dim: int, device: torch.device, generator: torch.Generator | None,
    dtype: torch.dtype = torch.float32,
) -> torch.Tensor:
    """``n`` codes ``(n, latent_dim)`` from ``N(0, I)`` on ``device``, drawn by ``generator``.

    Drawing on the generator's device makes a seed give the same codes whatever ``device``
    the model runs on (for a CPU generator); without a generator the global RNG of
    ``device`` is used.

    Notes
    -----
    Taught in ``06_project_audio_gan``.
    """
    n = check_count(n)
    z = torch.randn(n, latent_dim, generator=generator,
                    device=generator.device if generator is not None else device)
    return z.to(device, dtype)


def reparameterize(
    mu: torch.Tensor, logvar: torch.Tensor, eps: torch.Tensor | None = None
) -> torch.Tensor:
    """A differentiable draw ``z = mu + exp(0.5 * logvar) * eps`` with ``eps ~ N(0, I)``.

    The randomness sits in ``eps``, outside the network, so gradients flow to ``mu`` and
    ``logvar`` (the reparameterisation trick). Every VAE of the kit draws its training
    codes here.

    Parameters
    ----------
    mu, logvar : torch.Tensor of shape (batch, latent_dim)
        Posterior mean and log-variance.
    eps : torch.Tensor of the same shape, optional
        The standard normal noise; drawn with ``torch.randn_like(mu)`` when omitted.

    Returns
    -------
    torch.Tensor of shape (batch, latent_dim)

    Notes
    -----
    Taught in ``04_deep_learning_models`` and ``06_project_audio_gan``.
    """
    if eps is None:
        eps = torch.randn_like(mu)
    return mu + torch.exp(0.5 * logvar) * eps
