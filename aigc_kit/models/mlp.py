"""The source's fully connected GAN (chapter 5), made to run, plus an MLP VAE.

The source text builds, in Keras, a generator ``latent 100 -> 256 -> 512 -> 1024 -> out``
and a discriminator ``in -> 512 -> 256 -> 1``, every hidden layer a ``Dense`` followed by
``LeakyReLU(alpha=0.01)``, with no batch normalisation; plus an "encoder" and "decoder"
that are never trained. The classes here keep those layer sizes (so the parameter counts
match the source) and change what kept the source from working:

* the generator ends in ``tanh``, because its targets, the log-mel images of
  ``aigc_kit.features.mel_images``, live in [-1, 1] (the source's output was unbounded);
* the discriminator returns **logits**, not ``sigmoid`` probabilities: the losses of
  ``aigc_kit.training.losses`` take logits and apply the sigmoid inside a numerically stable
  ``log-sigmoid`` (``sigmoid`` then ``log`` underflows to ``-inf`` for confident outputs);
* the LeakyReLU slope is 0.2, the customary GAN value since DCGAN, instead of the source's
  0.01 (:data:`SOURCE_NEGATIVE_SLOPE`, still selectable). Trained on the FSDD images
  (Adam 2e-4, betas (0.5, 0.999), batch 64, two seeds), the source's slope collapsed to
  near-identical samples for the first 1,000 steps (spread between samples 1.7 against
  14 for real images) and reached 8.5 after 1,500; with 0.2 the spread was 7-9 after 500
  steps and 12 after 1,500;
* the encoder outputs a mean *and* a log-variance and the :class:`VAE` samples with the
  reparameterisation trick, so that it can be trained with ``aigc_kit.training.losses.vae_loss``.

Batch normalisation (``batch_norm=True``, after each LeakyReLU, as many Keras GAN
tutorials do) is an option, not the default, because the source has none.

The :class:`VAE` wrapper also serves the convolutional encoder and decoder of
``aigc_kit.models.conv``. Taught in ``06_project_audio_gan``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import nn

from aigc_kit.models.contract import no_labels, prior_codes, reparameterize
from aigc_kit.runtime.device import model_device, param_dtype

Device = str | torch.device | None

SOURCE_NEGATIVE_SLOPE = 0.01
"""The LeakyReLU slope of the source's Keras code (``LeakyReLU(alpha=0.01)``)."""

NEGATIVE_SLOPE = 0.2
"""The kit's default LeakyReLU slope (see the module docstring for why not the source's)."""


def check_shape(x: torch.Tensor, shape: Sequence[int], owner: str, what: str) -> None:
    """Raise a ValueError unless ``x`` has shape ``(batch, *shape)``.

    Parameters
    ----------
    x : torch.Tensor
        The input.
    shape : sequence of int
        Expected shape of one example.
    owner, what : str
        Names for the message (the module and the kind of input).

    Notes
    -----
    Taught in ``06_project_audio_gan``.
    """
    if not isinstance(x, torch.Tensor) or tuple(x.shape[1:]) != tuple(shape):
        got = tuple(x.shape) if isinstance(x, torch.Tensor) else type(x).__name__
        raise ValueError(f"{owner}: expected {what} of shape (batch, "
                         f"{', '.join(map(str, shape))}), got {got}")


def check_batch_norm_batch(module: nn.Module, x: torch.Tensor) -> None:
    """Raise a clear ValueError for a batch of one through BatchNorm1d in training mode.

    Batch statistics of a single example are undefined (its variance is 0); in eval mode
    the running statistics are used and a batch of one is fine.

    Notes
    -----
    Taught in ``06_project_audio_gan``.
    """
    has_bn = any(isinstance(m, nn.BatchNorm1d) for m in module.modules())
    if has_bn and module.training and x.shape[0] == 1:
        raise ValueError(f"{type(module).__name__}: batch normalisation in training mode "
                         "needs a batch of at least 2 examples, got 1; call .eval() to run "
                         "single examples, or use a larger batch")


def mlp(
    sizes: Sequence[int], negative_slope: float, batch_norm: bool = False
) -> nn.Sequential:
    """Fully connected layers ``sizes[0] -> ... -> sizes[-1]``, each Linear + LeakyReLU.

    Parameters
    ----------
    sizes : sequence of int
        Input size followed by the hidden sizes; the last layer is activated too.
    negative_slope : float
        LeakyReLU slope for negative inputs.
    batch_norm : bool
        Add ``BatchNorm1d(momentum=0.2)`` after each LeakyReLU (Keras ``momentum=0.8``
        is PyTorch ``momentum=0.2``: the weight of the *new* batch).

    Returns
    -------
    nn.Sequential
        The layers; maps ``(batch, sizes[0])`` to ``(batch, sizes[-1])``.

    Notes
    -----
    Taught in ``06_project_audio_gan``.
    """
    layers: list[nn.Module] = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True):
        layers += [nn.Linear(n_in, n_out), nn.LeakyReLU(negative_slope)]
        if batch_norm:
            layers.append(nn.BatchNorm1d(n_out, momentum=0.2))
    return nn.Sequential(*layers)


class LatentDecoder(nn.Module):
    """Base of every module mapping a latent ``z`` of shape (batch, latent_dim) to images.

    Subclasses set ``latent_dim`` and ``out_shape``; :meth:`sample` then draws images.

    Notes
    -----
    Taught in ``06_project_audio_gan``.
    """

    latent_dim: int
    out_shape: tuple[int, ...]

    @torch.no_grad()
    def sample(
        self, n: int, *, generator: torch.Generator | None = None, device: Device = None
    ) -> torch.Tensor:
        """Images from ``n`` latent codes drawn from the prior ``N(0, I)``, without gradients.

        The sampling entry point of every GAN generator and VAE decoder
        (:class:`aigc_kit.models.contract.LatentSampler`).

        Parameters
        ----------
        n : int
            Number of images.
        generator : torch.Generator, optional
            Source of the codes, for repeatable samples (on any device: the codes are
            drawn on the generator's device and moved); default the global RNG.
        device : str or torch.device, optional
            Where the codes go and the module runs: the module's device (the default).

        Returns
        -------
        torch.Tensor of shape (n, *out_shape)
            The images, on ``device``. The module's mode is not changed: call ``.eval()``
            first when it has batch normalisation or dropout (or use
            :func:`aigc_kit.generation.sample`, which does).
        """
        device = torch.device(device) if device is not None else model_device(self)
        return self(prior_codes(n, self.latent_dim, device, generator, param_dtype(self)))


class MLPGenerator(LatentDecoder):
    """The source's generator: ``z -> 256 -> 512 -> 1024 -> image``, LeakyReLU, tanh output.

    Parameters
    ----------
    latent_dim : int
        Size of the latent code ``z`` (the source's 100).
    out_shape : tuple of int
        Shape of one output image, e.g. ``(1, 32, 32)`` (``MelSpec.shape``).
    hidden : sequence of int
        Hidden layer sizes (the source's 256, 512, 1024).
    negative_slope : float
        LeakyReLU slope (the source's is 0.01, :data:`SOURCE_NEGATIVE_SLOPE`).
    batch_norm : bool
        BatchNorm1d after each LeakyReLU (not in the source; see the module docstring).

    Notes
    -----
    ``forward(z)`` maps ``(batch, latent_dim)`` to ``(batch, *out_shape)`` in [-1, 1].
    With the defaults the linear layers are 100x256, 256x512, 512x1024 and 1024x1024
    (plus biases): 1,732,352 parameters. Taught in ``06_project_audio_gan``.
    """

    def __init__(
        self,
        latent_dim: int = 100,
        out_shape: Sequence[int] = (1, 32, 32),
        hidden: Sequence[int] = (256, 512, 1024),
        negative_slope: float = NEGATIVE_SLOPE,
        batch_norm: bool = False,
    ) -> None:
        super().__init__()
        self.latent_dim = latent_dim
        self.out_shape = tuple(out_shape)
        self.body = mlp([latent_dim, *hidden], negative_slope, batch_norm)
        self.head = nn.Sequential(nn.Linear(hidden[-1], math.prod(self.out_shape)), nn.Tanh())

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        """Images ``(batch, *out_shape)`` in [-1, 1] from latent codes ``(batch, latent_dim)``."""
        check_shape(z, (self.latent_dim,), type(self).__name__, "latent codes")
        check_batch_norm_batch(self, z)
        return self.head(self.body(z)).view(-1, *self.out_shape)


class MLPDecoder(MLPGenerator):
    """The VAE decoder: the generator's architecture, ``z -> 256 -> 512 -> 1024 -> image``.

    Same parameters and output as :class:`MLPGenerator` (tanh, since the images are in
    [-1, 1]). The source's decoder narrowed instead (1024 -> 512 -> 256), the mirror
    image of its widening encoder; pass ``hidden=(1024, 512, 256)`` for that.

    Notes
    -----
    Taught in ``06_project_audio_gan``.
    """


class MLPDiscriminator(nn.Module):
    """The source's discriminator ``image -> 512 -> 256 -> 1``, returning logits.

    Parameters
    ----------
    in_shape : tuple of int
        Shape of one input image, e.g. ``(1, 32, 32)``.
    hidden : sequence of int
        Hidden layer sizes (the source's 512, 256).
    negative_slope : float
        LeakyReLU slope (the source's is 0.01, :data:`SOURCE_NEGATIVE_SLOPE`).
    batch_norm : bool
        BatchNorm1d after each LeakyReLU (not in the source).

    Notes
    -----
    ``forward(x)`` maps ``(batch, *in_shape)`` to **logits** of shape ``(batch,)``:
    ``sigmoid(logit)`` is the probability that ``x`` is real; the GAN losses of
    ``aigc_kit.training.losses`` take the logits. With the defaults for 1x32x32 images: 656,385
    parameters. Taught in ``06_project_audio_gan``.
    """

    def __init__(
        self,
        in_shape: Sequence[int] = (1, 32, 32),
        hidden: Sequence[int] = (512, 256),
        negative_slope: float = NEGATIVE_SLOPE,
        batch_norm: bool = False,
    ) -> None:
        super().__init__()
        self.in_shape = tuple(in_shape)
        self.body = mlp([math.prod(self.in_shape), *hidden], negative_slope, batch_norm)
        self.head = nn.Linear(hidden[-1], 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits ``(batch,)`` for images ``(batch, *in_shape)``."""
        check_shape(x, self.in_shape, type(self).__name__, "images")
        check_batch_norm_batch(self, x)
        return self.head(self.body(x.flatten(1))).squeeze(-1)


class MLPEncoder(nn.Module):
    """VAE encoder ``image -> 1024 -> 512 -> 256 -> (mu, logvar)``.

    Parameters
    ----------
    in_shape : tuple of int
        Shape of one input image, e.g. ``(1, 32, 32)``.
    latent_dim : int
        Size of the latent code.
    hidden : sequence of int
        Hidden layer sizes. The source's encoder widened (256 -> 512 -> 1024); the kit
        narrows towards the code, the mirror of the decoder.
    negative_slope : float
        LeakyReLU slope (the source's is 0.01, :data:`SOURCE_NEGATIVE_SLOPE`).

    Notes
    -----
    ``forward(x)`` maps ``(batch, *in_shape)`` to ``(mu, logvar)``, each of shape
    ``(batch, latent_dim)``: the mean and log-variance of the Gaussian posterior
    ``q(z|x)``. Taught in ``06_project_audio_gan``.
    """

    def __init__(
        self,
        in_shape: Sequence[int] = (1, 32, 32),
        latent_dim: int = 100,
        hidden: Sequence[int] = (1024, 512, 256),
        negative_slope: float = NEGATIVE_SLOPE,
    ) -> None:
        super().__init__()
        self.in_shape = tuple(in_shape)
        self.latent_dim = latent_dim
        self.body = mlp([math.prod(self.in_shape), *hidden], negative_slope)
        self.mu = nn.Linear(hidden[-1], latent_dim)
        self.logvar = nn.Linear(hidden[-1], latent_dim)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """``(mu, logvar)``, each ``(batch, latent_dim)``, for images ``(batch, *in_shape)``."""
        check_shape(x, self.in_shape, type(self).__name__, "images")
        h = self.body(x.flatten(1))
        return self.mu(h), self.logvar(h)


class VAE(nn.Module):
    """Variational autoencoder from an encoder (x -> mu, logvar) and a decoder (z -> x).

    Works with :class:`MLPEncoder`/:class:`MLPDecoder` and with ``ConvEncoder``/
    ``ConvDecoder`` of ``aigc_kit.models.conv``. Train it with
    ``aigc_kit.training.losses.vae_loss(recon, x, mu, logvar)``. Follows the kit's
    generative-model contract, :class:`aigc_kit.models.contract.GenerativeVAE` (not
    conditioned: ``labels`` must be ``None``).

    Parameters
    ----------
    encoder : nn.Module
        Maps images ``(batch, *shape)`` to ``(mu, logvar)``, each ``(batch, latent_dim)``.
    decoder : LatentDecoder
        Maps codes ``(batch, latent_dim)`` to images ``(batch, *shape)``.

    Notes
    -----
    Taught in ``06_project_audio_gan``.
    """

    def __init__(self, encoder: nn.Module, decoder: LatentDecoder) -> None:
        super().__init__()
        if getattr(encoder, "latent_dim", decoder.latent_dim) != decoder.latent_dim:
            raise ValueError(f"VAE: the encoder's latent_dim {encoder.latent_dim} differs from "
                             f"the decoder's {decoder.latent_dim}")
        self.encoder = encoder
        self.decoder = decoder
        self.latent_dim = decoder.latent_dim

    def encode(
        self, x: torch.Tensor, labels: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """``(mu, logvar)`` of the posterior ``q(z|x)``, each ``(batch, latent_dim)``.

        ``labels`` must be ``None`` (the contract's signature; this VAE is not conditioned).
        """
        no_labels(self, labels)
        return self.encoder(x)

    def decode(self, z: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        """Images ``(batch, *shape)`` from latent codes ``(batch, latent_dim)``."""
        no_labels(self, labels)
        return self.decoder(z)

    def forward(
        self, x: torch.Tensor, labels: torch.Tensor | None = None, deterministic: bool = False
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Encode, draw ``z`` (or take ``z = mu`` when ``deterministic``) and decode.

        Parameters
        ----------
        x : torch.Tensor of shape (batch, *shape)
            Images.
        labels : None
            Must be ``None`` (the contract's signature).
        deterministic : bool
            Use the posterior mean instead of a random draw (for reconstructions to look
            at; training needs the random draw).

        Returns
        -------
        recon : torch.Tensor of shape (batch, *shape)
        mu, logvar : torch.Tensor of shape (batch, latent_dim)
        """
        mu, logvar = self.encode(x, labels)
        z = mu if deterministic else reparameterize(mu, logvar)
        return self.decode(z), mu, logvar

    def sample(
        self,
        n: int,
        *,
        labels: torch.Tensor | None = None,
        generator: torch.Generator | None = None,
        device: Device = None,
    ) -> torch.Tensor:
        """``n`` new images ``(n, *shape)`` decoded from the prior ``N(0, I)``, no gradients.

        See :meth:`LatentDecoder.sample` (``generator`` on any device, the images on
        ``device``, default the decoder's; the mode is not changed). ``labels`` must be
        ``None``.
        """
        no_labels(self, labels)
        return self.decoder.sample(n, generator=generator, device=device)
