"""GANs told which note to make: class conditioning and a generator built for notes.

The notes dataset has 48 labelled classes (4 timbres x 12 pitches). The source's GAN
ignores the labels; the models here use them, in two steps measured in
``06_project_audio_gan`` and ``benchmarks/bench_gan.py``:

* :class:`LabelConditioned` wraps any generator of codes (the source's MLP, the
  convolutional one): the class enters as a learnt embedding added to ``z``, so
  ``G(z, label)`` is asked for *that* note (a conditional GAN, Mirza and Osindero 2014).
* :class:`ProjectionDiscriminator` judges an image *as* the claimed class: its logit is
  ``psi(phi(x)) + <embed(label), phi(x)>`` (Miyato and Koyama 2018), so a clean C4 drawn
  for the label E4 is a fake. ``phi`` is the source's MLP body or strided convolutions.
* :class:`HarmonicGenerator` does not draw pixels at all. Like a synthesiser (and DDSP,
  Engel et al. 2020) it makes the *parameters* of a note and renders them into the very
  log-mel image the analysis of ``features.to_images`` would give: a fundamental at the
  class's semitone plus a learnt detune (within +-50 cents), the level of each of
  ``n_harmonics`` harmonics in every frame, and a noise floor (a coarse spectral shape
  times a level per frame). Each harmonic ``k`` is a line at ``k f0`` spread over the
  FFT bins by the Hann window's transform, the power spectra are summed, mapped to mel
  bands by the same Slaney filter bank, turned into dB relative to the clip's loudest bin
  and clipped at ``top_db``. Every step is differentiable, so the GAN learns timbre and
  envelope while a note can only be a note: smeared, wavering or between-pitch images
  cannot be drawn. The pitch is an input, as in DDSP; what is learnt (detune, harmonic
  levels, envelopes, noise) the discriminator and the judges measure.

Taught in ``06_project_audio_gan``.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torchaudio
from torch import nn
from torch.nn.utils.parametrizations import spectral_norm

from aigc_kit.features.mel_images import MelSpec
from aigc_kit.models.conv import down_stack
from aigc_kit.models.mlp import NEGATIVE_SLOPE, check_shape, mlp

_FLOOR = 1e-10  # power floor before the log, as in features.log_mel
_MAX_DETUNE_CENTS = 50.0


def check_labels(labels: torch.Tensor, n: int, n_classes: int, owner: str) -> torch.Tensor:
    """``labels`` as a long tensor ``(n,)`` of classes in ``0..n_classes-1``, or a ValueError.

    Notes
    -----
    Taught in ``06_project_audio_gan``.
    """
    labels = torch.as_tensor(labels)
    if labels.ndim == 2 and labels.shape[1] == 1:
        labels = labels[:, 0]
    if labels.shape != (n,):
        raise ValueError(f"{owner}: labels must have shape ({n},), one class per example, got "
                         f"{tuple(labels.shape)}")
    labels = labels.long()
    if n and (labels.min() < 0 or labels.max() >= n_classes):
        raise ValueError(f"{owner}: labels must lie in 0..{n_classes - 1}, got "
                         f"{labels.min().item()}..{labels.max().item()}")
    return labels


class LabelConditioned(nn.Module):
    """A generator of codes made class-conditional: ``G(z + embed(label))``.

    Parameters
    ----------
    generator : nn.Module
        Maps codes ``(batch, latent_dim)`` to images (e.g. :class:`MLPGenerator`).
    latent_dim : int
        Size of its codes.
    n_classes : int
        Number of classes.

    Notes
    -----
    ``forward(z, labels)``: codes ``(batch, latent_dim)``, labels ``(batch,)``. Taught in
    ``06_project_audio_gan``.
    """

    def __init__(self, generator: nn.Module, latent_dim: int, n_classes: int) -> None:
        super().__init__()
        self.generator, self.latent_dim, self.n_classes = generator, latent_dim, n_classes
        self.embed = nn.Embedding(n_classes, latent_dim)

    def forward(self, z: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        """Images of the classes ``labels`` from codes ``z``."""
        labels = check_labels(labels, len(z), self.n_classes, type(self).__name__)
        return self.generator(z + self.embed(labels.to(z.device)).to(z.dtype))


class ProjectionDiscriminator(nn.Module):
    """A class-conditional discriminator with a projection head (Miyato and Koyama 2018).

    Parameters
    ----------
    in_shape : tuple of int
        ``(1, n_mels, n_frames)``.
    n_classes : int
        Number of classes.
    body : {"mlp", "conv"}
        The feature extractor ``phi``: the source's MLP (512-256, LeakyReLU 0.01) or three
        spectrally normalised strided convolutions (``width``, 2x, 4x channels).
    width : int
        Channels of the first convolution (``body="conv"``).
    features : int
        Size of ``phi(x)``.

    Notes
    -----
    ``forward(x, labels)`` maps images ``(batch, *in_shape)`` and labels ``(batch,)`` to
    logits ``(batch,)``. No batch normalisation, so the R1 penalty is per example. Taught
    in ``06_project_audio_gan``.
    """

    def __init__(self, in_shape: Sequence[int], n_classes: int, body: str = "mlp",
                 width: int = 16, features: int = 256) -> None:
        super().__init__()
        self.in_shape, self.n_classes = tuple(int(s) for s in in_shape), n_classes
        channels, height, frames = self.in_shape
        if body == "mlp":
            self.body = nn.Sequential(nn.Flatten(), mlp([channels * height * frames, 512,
                                                          features], NEGATIVE_SLOPE))
        elif body == "conv":
            self.body = nn.Sequential(
                down_stack(channels, width, batch_norm=False, spectral=True), nn.Flatten(),
                spectral_norm(nn.Linear(4 * width * (height // 8) * (frames // 8), features)),
                nn.LeakyReLU(0.2))
        else:
            raise ValueError(f"ProjectionDiscriminator: body must be 'mlp' or 'conv', got "
                             f"{body!r}")
        self.head = nn.Linear(features, 1)
        self.embed = nn.Embedding(n_classes, features)
        nn.init.normal_(self.embed.weight, std=0.02)

    def forward(self, x: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        """Logits ``(batch,)``: is ``x`` a real example of class ``labels``?"""
        check_shape(x, self.in_shape, type(self).__name__, "images")
        labels = check_labels(labels, len(x), self.n_classes, type(self).__name__)
        h = self.body(x)
        return (self.head(h).squeeze(-1)
                + (self.embed(labels.to(x.device)).to(h.dtype) * h).sum(dim=1))


class HarmonicGenerator(nn.Module):
    """A note synthesiser's parameters from ``(z, label)``, rendered as a log-mel image.

    Parameters
    ----------
    spec : MelSpec
        The images to render (``NOTES_SPEC``): rate, FFT size, bands, frames, ``top_db``.
    class_midi : sequence of float
        MIDI note number of each class (the semitone the fundamental is detuned from);
        its length is the number of classes.
    latent_dim : int
        Size of ``z``.
    n_harmonics : int
        Harmonics rendered (those above 0.45 ``sr`` are silenced).
    hidden : int
        Width of the two hidden layers.
    noise_bands : int
        Resolution of the noise floor's spectral shape (interpolated to ``n_mels``).

    Notes
    -----
    ``forward(z, labels)`` maps codes ``(batch, latent_dim)`` and labels ``(batch,)`` to
    images ``(batch, 1, n_mels, n_frames)`` in [-1, 1]; :meth:`parameters_of` gives the
    synthesis parameters behind them. See the module docstring. Taught in
    ``06_project_audio_gan``.
    """

    def __init__(self, spec: MelSpec, class_midi: Sequence[float], latent_dim: int = 64,
                 n_harmonics: int = 16, hidden: int = 256, noise_bands: int = 16) -> None:
        super().__init__()
        self.spec, self.latent_dim = spec, latent_dim
        self.n_classes, self.n_harmonics, self.noise_bands = (len(class_midi), n_harmonics,
                                                              noise_bands)
        self.register_buffer("class_midi", torch.as_tensor(list(class_midi), dtype=torch.float32))
        n_bins = spec.n_fft // 2 + 1
        self.register_buffer("bins", torch.arange(n_bins, dtype=torch.float32))
        self.register_buffer("mel_fb", torchaudio.functional.melscale_fbanks(
            n_bins, 0.0, spec.sr / 2, spec.n_mels, spec.sr, norm="slaney", mel_scale="slaney"))
        self.embed = nn.Embedding(self.n_classes, latent_dim)
        self.body = mlp([2 * latent_dim, hidden, hidden], 0.2)
        frames = spec.n_frames
        self.head = nn.Linear(hidden, 1 + n_harmonics * frames + noise_bands + frames)

    def parameters_of(self, z: torch.Tensor, labels: torch.Tensor) -> dict[str, torch.Tensor]:
        """The synthesis parameters of ``(z, labels)``.

        Returns
        -------
        dict
            ``f0_hz`` ``(batch,)``; ``harmonic_db`` ``(batch, n_harmonics, n_frames)``
            (level of each harmonic per frame, dB); ``noise_db`` ``(batch, n_mels,
            n_frames)`` (noise power per band and frame, dB).
        """
        check_shape(z, (self.latent_dim,), type(self).__name__, "latent codes")
        labels = check_labels(labels, len(z), self.n_classes, type(self).__name__)
        labels = labels.to(z.device)
        out = self.head(self.body(torch.cat([z, self.embed(labels).to(z.dtype)], dim=1))).float()
        k, frames = self.n_harmonics, self.spec.n_frames
        detune, harm, shape, level = torch.split(out, [1, k * frames, self.noise_bands, frames],
                                                 dim=1)
        midi = self.class_midi[labels] + _MAX_DETUNE_CENTS / 100 * torch.tanh(detune[:, 0])
        shape = nn.functional.interpolate(shape[:, None], size=self.spec.n_mels,
                                          mode="linear", align_corners=True)[:, 0]
        return {"f0_hz": 440.0 * 2 ** ((midi - 69) / 12),
                "harmonic_db": 20 * harm.view(-1, k, frames),
                "noise_db": 20 * (shape[:, :, None] + level[:, None, :]) - 40}

    def render(self, params: dict[str, torch.Tensor]) -> torch.Tensor:
        """Images ``(batch, 1, n_mels, n_frames)`` in [-1, 1] of synthesis parameters."""
        spec = self.spec
        k = torch.arange(1, self.n_harmonics + 1, device=self.bins.device, dtype=torch.float32)
        freqs = params["f0_hz"][:, None] * k  # (batch, K) in Hz
        offset = self.bins - freqs[:, :, None] * spec.n_fft / spec.sr  # (batch, K, bins)
        # The periodic Hann window's transform: 0.5 sinc(d) + 0.25 sinc(d - 1) + 0.25 sinc(d + 1)
        window = (0.5 * torch.sinc(offset) + 0.25 * torch.sinc(offset - 1)
                  + 0.25 * torch.sinc(offset + 1)) ** 2
        audible = (freqs < 0.45 * spec.sr).float()[:, :, None]
        power = 10 ** (params["harmonic_db"].clamp(max=40) / 10) * audible  # (batch, K, T)
        linear = torch.einsum("bkf,bkt->bft", window, power)
        mel = torch.einsum("bft,fm->bmt", linear, self.mel_fb)
        mel = mel + 10 ** (params["noise_db"].clamp(max=40) / 10)
        mel = mel / mel.amax(dim=(1, 2), keepdim=True)
        db = (10 * torch.log10(mel.clamp(min=_FLOOR))).clamp(min=-spec.top_db)
        return (db / (spec.top_db / 2) + 1.0).unsqueeze(1)

    def forward(self, z: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        """Images ``(batch, 1, n_mels, n_frames)`` in [-1, 1] of the classes ``labels``."""
        return self.render(self.parameters_of(z, labels)).to(z.dtype)
