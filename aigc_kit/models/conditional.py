"""A conditional VAE: log-mel images generated *to order* (a digit, a speaker).

A plain VAE draws whatever its latent code happens to decode to. A conditional VAE
(Sohn et al. 2015) is given labels as well: the encoder sees the image and its labels
and encodes what the labels do not say (timing, intonation), the decoder turns a code and
the labels back into an image. Sampling a code from ``N(0, I)`` with chosen labels then
gives a new image of *that* digit by *that* speaker: the generator behind the digit
text-to-speech of ``10_speech_synthesis`` (chapter 6.1).

The labels enter as one-hot vectors, concatenated: to the decoder's input, and as
constant image planes to the encoder's input. Encoder and decoder are the convolutional
ones of :mod:`aigc_kit.models.conv`.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import nn

from aigc_kit.models.contract import prior_codes, reparameterize
from aigc_kit.models.conv import ConvDecoder, ConvEncoder
from aigc_kit.models.mlp import check_shape
from aigc_kit.runtime.device import model_device, param_dtype


class ConditionalVAE(nn.Module):
    """A convolutional VAE conditioned on one or more categorical labels.

    Parameters
    ----------
    in_shape : tuple of int
        Image shape ``(1, n_mels, n_frames)``, height and width divisible by 8.
    n_classes : sequence of int
        Number of classes of each label, e.g. ``(10, 6)`` for (digit, speaker).
    latent_dim : int
        Size of the latent code.
    width : int
        Channel width of the convolutional stacks.

    Notes
    -----
    ``forward(x, labels)`` with images ``(batch, *in_shape)`` and integer labels
    ``(batch, len(n_classes))`` returns ``(recon, mu, logvar)``, as
    :func:`aigc_kit.training.train_vae` expects (pass ``labels=`` to it). Follows
    :class:`aigc_kit.models.contract.GenerativeVAE` with labels required:
    ``sample(n, labels=...)`` draws new images to order. Taught in ``10_speech_synthesis``.
    """

    def __init__(
        self,
        in_shape: Sequence[int] = (1, 32, 32),
        n_classes: Sequence[int] = (10,),
        latent_dim: int = 16,
        width: int = 32,
    ) -> None:
        super().__init__()
        self.in_shape = tuple(int(s) for s in in_shape)
        self.n_classes = tuple(int(n) for n in n_classes)
        if not self.n_classes or min(self.n_classes) < 1:
            raise ValueError(f"ConditionalVAE: n_classes must list at least one label with "
                             f">= 1 class, got {n_classes}")
        self.latent_dim = latent_dim
        n_cond = sum(self.n_classes)
        channels, height, frames = self.in_shape
        self.encoder = ConvEncoder((channels + n_cond, height, frames), latent_dim, width)
        self.decoder = ConvDecoder(latent_dim + n_cond, self.in_shape, width)

    def condition(self, labels: torch.Tensor) -> torch.Tensor:
        """One-hot codes ``(batch, sum(n_classes))`` of integer labels ``(batch, n_labels)``."""
        labels = torch.as_tensor(labels)
        if labels.ndim == 1 and len(self.n_classes) == 1:
            labels = labels[:, None]
        if labels.ndim != 2 or labels.shape[1] != len(self.n_classes):
            raise ValueError(f"ConditionalVAE: labels must have shape (batch, "
                             f"{len(self.n_classes)}), got {tuple(labels.shape)}")
        labels = labels.long()
        for i, n in enumerate(self.n_classes):
            if labels[:, i].min() < 0 or labels[:, i].max() >= n:
                raise ValueError(f"ConditionalVAE: label {i} must lie in 0..{n - 1}, got "
                                 f"{labels[:, i].min().item()}..{labels[:, i].max().item()}")
        return torch.cat([F.one_hot(labels[:, i], n) for i, n in enumerate(self.n_classes)],
                         dim=1).float()

    def _labels(self, labels: torch.Tensor | None) -> torch.Tensor:
        if labels is None:
            raise ValueError(f"ConditionalVAE needs labels of shape (batch, "
                             f"{len(self.n_classes)}) (classes {self.n_classes}), got None")
        return torch.as_tensor(labels)

    def encode(
        self, x: torch.Tensor, labels: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """``(mu, logvar)``, each ``(batch, latent_dim)``, of images ``x`` with their ``labels``.

        ``labels`` is required (``(batch, n_labels)`` integers); ``None`` raises a ValueError.
        """
        check_shape(x, self.in_shape, type(self).__name__, "images")
        c = self.condition(self._labels(labels)).to(x.device, x.dtype)
        planes = c[:, :, None, None].expand(-1, -1, *x.shape[2:])
        return self.encoder(torch.cat([x, planes], dim=1))

    def decode(self, z: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        """Images ``(batch, *in_shape)`` in [-1, 1] from codes ``z`` and (required) ``labels``."""
        c = self.condition(self._labels(labels)).to(z.device, z.dtype)
        return self.decoder(torch.cat([z, c], dim=1))

    def forward(
        self, x: torch.Tensor, labels: torch.Tensor | None = None, deterministic: bool = False
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """``(recon, mu, logvar)``; ``deterministic`` decodes the mean instead of a sample."""
        mu, logvar = self.encode(x, labels)
        z = mu if deterministic else reparameterize(mu, logvar)
        return self.decode(z, labels), mu, logvar

    @torch.no_grad()
    def sample(
        self,
        n: int,
        *,
        labels: torch.Tensor | None = None,
        generator: torch.Generator | None = None,
        device: str | torch.device | None = None,
        temperature: float = 1.0,
    ) -> torch.Tensor:
        """``n`` new images for ``labels``, codes drawn from ``N(0, T^2 I)``, without gradients.

        Parameters
        ----------
        n : int
            Number of images.
        labels : torch.Tensor of int, shape (n, n_labels)
            What to generate, one row per image (e.g. (digit, speaker)); required. With a
            single label, shape ``(n,)`` works too.
        generator : torch.Generator, optional
            Source of the codes (on any device); default the global RNG.
        device : str or torch.device, optional
            Where to decode; default the model's device.
        temperature : float
            Scale ``T`` of the codes: below 1 clearer, more typical images, less variety
            (the "truncation trick").

        Returns
        -------
        torch.Tensor of shape (n, *in_shape)
            Images in [-1, 1], on ``device``. The mode is not changed: call ``.eval()``
            first (the encoder and decoder use batch normalisation), or use
            :func:`aigc_kit.generation.sample`, which does.
        """
        device = torch.device(device) if device is not None else model_device(self)
        labels = self._labels(labels)
        if len(labels) != n:
            raise ValueError(f"ConditionalVAE.sample: {len(labels)} rows of labels for n={n} "
                             "images; give one row per image")
        z = prior_codes(n, self.latent_dim, device, generator, param_dtype(self))
        return self.decode(temperature * z, labels.to(device))
