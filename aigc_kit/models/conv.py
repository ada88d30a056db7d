"""Convolutional GAN and VAE for log-mel images, sized to train in about a minute on a CPU.

A spectrogram is an image whose neighbouring pixels are related (harmonics, onsets), so
convolutions share what an MLP must learn separately for every pixel: the models here have
a fraction of the MLP's parameters and give cleaner spectrograms.

* :class:`ConvGenerator` / :class:`ConvDecoder` (DCGAN-like, as in SpecGAN): a linear
  layer to a ``(4 width, H/8, W/8)`` map (BatchNorm, ReLU), then three times
  nearest-neighbour upsampling x2 + 3x3 convolution (BatchNorm and ReLU after the first
  two, tanh after the last). Upsampling followed by a convolution, rather than a
  transposed convolution, avoids the checkerboard artefacts of strided transposed
  convolutions (Odena et al. 2016), which in a spectrogram would be a comb of false
  partials.
* :class:`ConvDiscriminator`: three 4x4 convolutions of stride 2 with LeakyReLU(0.2) and a
  linear layer to one **logit** per image. It has no BatchNorm: with BatchNorm a
  discriminator judges each image by the statistics of its batch, which mixes real and
  fake batches differently and breaks batches of one and the per-example gradient penalty
  of WGAN-GP. Instead every layer is spectrally normalised by default (Miyato et al. 2018),
  which bounds how sharply D can change and keeps its gradients useful to G.
* :class:`ConvEncoder`: the discriminator's convolutions (with BatchNorm) ending in a mean
  and a log-variance, for ``aigc_kit.models.VAE``.

Images must have a height and width divisible by 8 (three halvings), e.g. 64x32 (both
presets of ``aigc_kit.features.mel_images``) or 32x32 (the first kit's). Taught in
``06_project_audio_gan``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import nn
from torch.nn.utils.parametrizations import spectral_norm as _spectral_norm

from aigc_kit.models.mlp import LatentDecoder, check_shape

_N_HALVINGS = 3
_SCALE = 2**_N_HALVINGS


def _check_image_shape(shape: Sequence[int], owner: str) -> tuple[int, int, int]:
    """``shape`` as ``(channels, height, width)`` with height and width divisible by 8."""
    shape = tuple(int(s) for s in shape)
    if len(shape) != 3 or min(shape) < 1 or shape[1] % _SCALE or shape[2] % _SCALE:
        raise ValueError(f"{owner}: image shape must be (channels, height, width) with height "
                         f"and width divisible by {_SCALE} (e.g. (1, 32, 32) or (1, 32, 48)), "
                         f"got {shape}")
    return shape  # type: ignore[return-value]


def down_stack(channels: int, width: int, batch_norm: bool, spectral: bool) -> nn.Sequential:
    """Three stride-2 4x4 convolutions ``channels -> w -> 2w -> 4w``, LeakyReLU(0.2).

    BatchNorm (if asked) follows every convolution but the first, as in DCGAN. The body of
    :class:`ConvDiscriminator`, :class:`ConvEncoder` and the convolutional
    :class:`aigc_kit.models.ProjectionDiscriminator`.

    Notes
    -----
    Taught in ``06_project_audio_gan``.
    """
    sizes = [channels, width, 2 * width, 4 * width]
    layers: list[nn.Module] = []
    for i, (c_in, c_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
        conv = nn.Conv2d(c_in, c_out, 4, stride=2, padding=1, bias=not (batch_norm and i))
        layers.append(_spectral_norm(conv) if spectral else conv)
        if batch_norm and i:
            layers.append(nn.BatchNorm2d(c_out))
        layers.append(nn.LeakyReLU(0.2))
    return nn.Sequential(*layers)


class ConvGenerator(LatentDecoder):
    """DCGAN-like generator: ``z`` -> linear -> 3 x (upsample x2, 3x3 conv) -> tanh.

    Parameters
    ----------
    latent_dim : int
        Size of the latent code ``z``.
    out_shape : tuple of int
        ``(channels, height, width)`` of one image, height and width divisible by 8,
        e.g. ``(1, 32, 32)`` or ``(1, 32, 48)`` (``MelSpec.shape``).
    width : int
        Channels at half the output resolution; 2x as many at a quarter and 4x at an
        eighth.

    Notes
    -----
    ``forward(z)`` maps ``(batch, latent_dim)`` to ``(batch, *out_shape)`` in [-1, 1].
    With the defaults: 125,809 parameters and about 2.5 million multiply-adds per 32x32
    image, small enough for a few thousand training steps in minutes on two CPU cores.
    Taught in ``06_project_audio_gan``.
    """

    def __init__(
        self, latent_dim: int = 100, out_shape: Sequence[int] = (1, 32, 32), width: int = 16
    ) -> None:
        super().__init__()
        channels, height, width_px = _check_image_shape(out_shape, type(self).__name__)
        self.latent_dim = latent_dim
        self.out_shape = (channels, height, width_px)
        self._base = (4 * width, height // _SCALE, width_px // _SCALE)
        self.project = nn.Linear(latent_dim, math.prod(self._base), bias=False)
        self.project_norm = nn.Sequential(nn.BatchNorm2d(self._base[0]), nn.ReLU())
        blocks: list[nn.Module] = []
        for c_in, c_out in ((4 * width, 2 * width), (2 * width, width)):
            blocks += [
                nn.Upsample(scale_factor=2, mode="nearest"),
                nn.Conv2d(c_in, c_out, 3, padding=1, bias=False),
                nn.BatchNorm2d(c_out),
                nn.ReLU(),
            ]
        self.blocks = nn.Sequential(*blocks)
        self.out = nn.Sequential(
            nn.Upsample(scale_factor=2, mode="nearest"),
            nn.Conv2d(width, channels, 3, padding=1),
            nn.Tanh(),
        )

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        """Images ``(batch, *out_shape)`` in [-1, 1] from latent codes ``(batch, latent_dim)``."""
        check_shape(z, (self.latent_dim,), type(self).__name__, "latent codes")
        h = self.project_norm(self.project(z).view(-1, *self._base))
        return self.out(self.blocks(h))


class ConvDecoder(ConvGenerator):
    """The convolutional VAE decoder: the architecture of :class:`ConvGenerator`.

    Notes
    -----
    Taught in ``06_project_audio_gan``.
    """


class ConvDiscriminator(nn.Module):
    """Strided-convolution discriminator returning one logit per image.

    Parameters
    ----------
    in_shape : tuple of int
        ``(channels, height, width)`` of one image, height and width divisible by 8.
    width : int
        Channels of the first convolution; then 2x and 4x as many.
    spectral_norm : bool
        Spectrally normalise every layer (see the module docstring). No BatchNorm, so
        each image's logit depends on that image alone.

    Notes
    -----
    ``forward(x)`` maps ``(batch, *in_shape)`` to **logits** ``(batch,)``; the GAN
    losses of ``aigc_kit.training.losses`` take logits. With the defaults: 42,353 parameters.
    Taught in ``06_project_audio_gan``.
    """

    def __init__(
        self, in_shape: Sequence[int] = (1, 32, 32), width: int = 16, spectral_norm: bool = True
    ) -> None:
        super().__init__()
        channels, height, width_px = _check_image_shape(in_shape, type(self).__name__)
        self.in_shape = (channels, height, width_px)
        self.features = down_stack(channels, width, batch_norm=False, spectral=spectral_norm)
        head = nn.Linear(4 * width * (height // _SCALE) * (width_px // _SCALE), 1)
        self.head = _spectral_norm(head) if spectral_norm else head

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits ``(batch,)`` for images ``(batch, *in_shape)``."""
        check_shape(x, self.in_shape, type(self).__name__, "images")
        return self.head(self.features(x).flatten(1)).squeeze(-1)


class ConvEncoder(nn.Module):
    """Convolutional VAE encoder: 3 strided convolutions (BN, LeakyReLU) -> ``(mu, logvar)``.

    Parameters
    ----------
    in_shape : tuple of int
        ``(channels, height, width)`` of one image, height and width divisible by 8.
    latent_dim : int
        Size of the latent code.
    width : int
        Channels of the first convolution; then 2x and 4x as many.

    Notes
    -----
    ``forward(x)`` maps ``(batch, *in_shape)`` to ``(mu, logvar)``, each
    ``(batch, latent_dim)``. A batch of one works in training mode too (the BatchNorm
    statistics are taken over the spatial positions as well). Taught in
    ``06_project_audio_gan``.
    """

    def __init__(
        self, in_shape: Sequence[int] = (1, 32, 32), latent_dim: int = 100, width: int = 16
    ) -> None:
        super().__init__()
        channels, height, width_px = _check_image_shape(in_shape, type(self).__name__)
        self.in_shape = (channels, height, width_px)
        self.latent_dim = latent_dim
        self.features = down_stack(channels, width, batch_norm=True, spectral=False)
        n_features = 4 * width * (height // _SCALE) * (width_px // _SCALE)
        self.mu = nn.Linear(n_features, latent_dim)
        self.logvar = nn.Linear(n_features, latent_dim)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """``(mu, logvar)``, each ``(batch, latent_dim)``, for images ``(batch, *in_shape)``."""
        check_shape(x, self.in_shape, type(self).__name__, "images")
        h = self.features(x).flatten(1)
        return self.mu(h), self.logvar(h)
