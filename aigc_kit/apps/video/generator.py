"""A small video generator: a convolutional VAE on procedurally generated moving shapes.

The data are in the manner of MoCoGAN's synthetic clips: one shape (a square or a disc) of
one colour glides with constant velocity over a black canvas. *Content* (shape, colour,
size) and *motion* (direction, speed, start position) are drawn independently, and every
clip carries its ground truth (positions per frame, velocity in pixels per frame).

The model stacks the ``T`` frames as ``3 T`` channels of one image and runs a 2-D
convolutional VAE over it, so one latent vector describes the whole clip (appearance and
motion together). It is trained with ``aigc_kit.training.train_vae`` (``vae(x)`` returns
``(recon, mu, logvar)``; the loss is ``aigc_kit.training.losses.vae_loss``: sum of squared errors
plus ``beta`` KL, on data in [0, 1]).

Scores: reconstruction MSE and PSNR on held-out clips, and motion statistics (the speed
and straightness of the shape's centroid track) of generated clips against real ones.

Taught in ``12_video_style_and_generation``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch
from torch import nn

from aigc_kit.generation.sampling import reconstruct
from aigc_kit.models.contract import no_labels, prior_codes, reparameterize
from aigc_kit.runtime.device import get_device, model_device, param_dtype

SHAPES = ("square", "disc")


@dataclass
class MovingShapes:
    """Clips of moving shapes and their ground truth.

    Attributes
    ----------
    clips : np.ndarray, shape (n, T, H, W, 3)
        float32 in [0, 1].
    shape : np.ndarray, shape (n,)
        Index into ``SHAPES``.
    colour : np.ndarray, shape (n, 3)
        RGB in [0, 1].
    radius : np.ndarray, shape (n,)
        Half the side (square) or the radius (disc), in pixels.
    positions : np.ndarray, shape (n, T, 2)
        Centre ``(row, col)`` in pixels in every frame.
    velocity : np.ndarray, shape (n, 2)
        ``(rows, cols)`` per frame, constant over the clip.

    Notes
    -----
    Taught in ``12_video_style_and_generation``.
    """

    clips: np.ndarray
    shape: np.ndarray
    colour: np.ndarray
    radius: np.ndarray
    positions: np.ndarray
    velocity: np.ndarray

    def tensor(self, device: str | torch.device | None = None) -> torch.Tensor:
        """The clips as a float32 tensor ``(n, T, 3, H, W)`` for the VAE."""
        return torch.from_numpy(np.ascontiguousarray(self.clips.transpose(0, 1, 4, 2, 3))).to(
            device or "cpu")


def moving_shapes(
    n: int,
    seed: int = 0,
    frames: int = 8,
    size: int = 32,
    speed: tuple[float, float] = (0.5, 2.0),
    radius: tuple[float, float] = (3.0, 5.0),
    shapes: tuple[str, ...] = SHAPES,
) -> MovingShapes:
    """``n`` clips of one shape moving with constant velocity on a black square canvas.

    Content (shape, colour: a saturated random hue, size) and motion (direction uniform
    over the circle, speed, start position) are drawn independently; the start position is
    drawn so that the shape stays inside the canvas for all frames. Edges are anti-aliased
    (one-pixel ramp), so sub-pixel motion is visible.

    Parameters
    ----------
    n : int
        Number of clips.
    seed : int
        Same seed, same clips.
    frames : int
        Frames per clip ``T``.
    size : int
        Canvas height = width, in pixels.
    speed : (float, float)
        Range of speeds, pixels per frame.
    radius : (float, float)
        Range of shape radii (half side for squares), pixels.
    shapes : tuple of str
        Subset of ``SHAPES``.

    Returns
    -------
    MovingShapes

    Taught in ``12_video_style_and_generation``.
    """
    if n < 1 or frames < 2 or size < 8:
        raise ValueError(f"need n >= 1, frames >= 2 and size >= 8; got n={n}, "
                         f"frames={frames}, size={size}")
    if not shapes or any(s not in SHAPES for s in shapes):
        raise ValueError(f"shapes must be a non-empty subset of {SHAPES}, got {shapes}")
    if not 0 <= speed[0] <= speed[1] or not 0 < radius[0] <= radius[1]:
        raise ValueError(f"speed and radius must be increasing ranges of positive values, got "
                         f"speed={speed}, radius={radius}")
    travel = speed[1] * (frames - 1)
    if 2 * radius[1] + travel + 2 > size:
        raise ValueError(f"a shape of radius {radius[1]} moving {speed[1]} px/frame for "
                         f"{frames} frames does not fit a {size}-pixel canvas; lower speed or "
                         "radius, or raise size")
    rng = np.random.default_rng(seed)
    kind = np.array([SHAPES.index(s) for s in shapes])[rng.integers(len(shapes), size=n)]
    hue = rng.random(n)
    from skimage.color import hsv2rgb

    colour = hsv2rgb(np.stack([hue, np.full(n, 0.85), rng.uniform(0.7, 1.0, n)], 1)[None])[0]
    rad = rng.uniform(*radius, size=n)
    angle = rng.uniform(0, 2 * np.pi, n)
    spd = rng.uniform(*speed, size=n)
    velocity = np.stack([np.sin(angle), np.cos(angle)], 1) * spd[:, None]
    end = velocity * (frames - 1)
    lo = rad[:, None] + 1 - np.minimum(end, 0)
    hi = size - 1 - rad[:, None] - 1 - np.maximum(end, 0)
    start = lo + rng.random((n, 2)) * (hi - lo)
    t = np.arange(frames)
    positions = start[:, None, :] + t[None, :, None] * velocity[:, None, :]
    grid = np.arange(size, dtype=np.float64)
    dy = grid[None, None, :, None] - positions[:, :, 0, None, None]  # (n, T, H, 1)
    dx = grid[None, None, None, :] - positions[:, :, 1, None, None]  # (n, T, 1, W)
    r = rad[:, None, None, None]
    disc = np.clip(r + 0.5 - np.sqrt(dy**2 + dx**2), 0, 1)
    square = np.clip(r + 0.5 - np.abs(dy), 0, 1) * np.clip(r + 0.5 - np.abs(dx), 0, 1)
    mask = np.where((kind == 0)[:, None, None, None], square, disc)
    clips = (mask[..., None] * colour[:, None, None, None, :]).astype(np.float32)
    return MovingShapes(clips, kind, colour.astype(np.float32), rad, positions, velocity)


class VideoVAE(nn.Module):
    """A convolutional VAE over short clips ``(B, T, 3, H, W)``, frames stacked as channels.

    Encoder: ``3 T`` channels -> three stride-2 convolutions (``width``, ``2 width``,
    ``2 width`` channels) -> linear to ``mu``, ``logvar`` (``latent_dim`` each). Decoder:
    the mirror image with transposed convolutions and a *linear* output, clipped to [0, 1]
    in eval mode. (A sigmoid output with the squared-error loss stalls on these mostly black
    clips: the network first predicts black everywhere, the sigmoid saturates near 0 and its
    gradient vanishes, and the reconstruction never leaves the all-black solution.)
    ``forward(x)`` returns ``(recon, mu, logvar)`` as ``train_vae`` expects. Follows
    :class:`aigc_kit.models.contract.GenerativeVAE` (tensors in and out; not conditioned).

    Parameters
    ----------
    frames, size : int
        Clip length ``T`` and canvas size ``H = W`` (a multiple of 8).
    latent_dim : int
        Size of the latent vector of one clip.
    width : int
        Channels of the first convolution.

    Taught in ``12_video_style_and_generation``.
    """

    def __init__(self, frames: int = 8, size: int = 32, latent_dim: int = 16,
                 width: int = 32) -> None:
        super().__init__()
        if size % 8:
            raise ValueError(f"size must be a multiple of 8, got {size}")
        self.frames, self.size, self.latent_dim = frames, size, latent_dim
        c, s = 3 * frames, size // 8
        self.encoder = nn.Sequential(
            nn.Conv2d(c, width, 4, 2, 1), nn.LeakyReLU(0.2),
            nn.Conv2d(width, 2 * width, 4, 2, 1), nn.LeakyReLU(0.2),
            nn.Conv2d(2 * width, 2 * width, 4, 2, 1), nn.LeakyReLU(0.2),
            nn.Flatten(),
        )
        self.to_stats = nn.Linear(2 * width * s * s, 2 * latent_dim)
        self.from_latent = nn.Sequential(nn.Linear(latent_dim, 2 * width * s * s),
                                         nn.LeakyReLU(0.2))
        self.decoder = nn.Sequential(
            nn.Unflatten(1, (2 * width, s, s)),
            nn.ConvTranspose2d(2 * width, 2 * width, 4, 2, 1), nn.LeakyReLU(0.2),
            nn.ConvTranspose2d(2 * width, width, 4, 2, 1), nn.LeakyReLU(0.2),
            nn.ConvTranspose2d(width, c, 4, 2, 1),
        )

    def _check(self, x: torch.Tensor) -> None:
        want = (self.frames, 3, self.size, self.size)
        if x.ndim != 5 or tuple(x.shape[1:]) != want:
            raise ValueError(f"VideoVAE expects clips of shape (B, {', '.join(map(str, want))}),"
                             f" got {tuple(x.shape)}; MovingShapes.tensor() gives that layout")

    def encode(
        self, x: torch.Tensor, labels: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Clips ``(B, T, 3, H, W)`` -> ``mu, logvar``, each ``(B, latent_dim)``.

        ``labels`` must be ``None`` (the contract's signature; this VAE is not conditioned).
        """
        no_labels(self, labels)
        self._check(x)
        h = self.encoder(x.reshape(len(x), -1, self.size, self.size))
        mu, logvar = self.to_stats(h).chunk(2, dim=1)
        return mu, logvar

    def decode(self, z: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        """Latents ``(B, latent_dim)`` -> clips ``(B, T, 3, H, W)`` (clipped to [0, 1] in eval
        mode; unclipped while training, see the class docstring)."""
        no_labels(self, labels)
        out = self.decoder(self.from_latent(z))
        if not self.training:
            out = out.clamp(0.0, 1.0)
        return out.reshape(len(z), self.frames, 3, self.size, self.size)

    def forward(
        self, x: torch.Tensor, labels: torch.Tensor | None = None, deterministic: bool = False
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """``(recon, mu, logvar)`` of clips ``(B, T, 3, H, W)``.

        ``z`` is drawn from the posterior in training mode; in eval mode, or when
        ``deterministic``, ``z = mu`` (the posterior mean).
        """
        mu, logvar = self.encode(x, labels)
        z = reparameterize(mu, logvar) if self.training and not deterministic else mu
        return self.decode(z), mu, logvar

    @torch.no_grad()
    def sample(
        self,
        n: int,
        *,
        labels: torch.Tensor | None = None,
        generator: torch.Generator | None = None,
        device: str | torch.device | None = None,
    ) -> torch.Tensor:
        """``n`` clips decoded from codes drawn from the prior ``N(0, I)``, without gradients.

        Parameters
        ----------
        n : int
            Number of clips.
        labels : None
            Must be ``None`` (the contract's signature).
        generator : torch.Generator, optional
            Source of the codes (on any device); default the global RNG.
        device : str or torch.device, optional
            Where to decode; default the model's device.

        Returns
        -------
        torch.Tensor of shape (n, T, 3, H, W)
            float32 clips on ``device``, in [0, 1] in eval mode (the mode is not changed).
            :func:`clips_to_numpy` gives the ``(n, T, H, W, 3)`` array of ``tile_clips``
            and ``motion_statistics``; :func:`aigc_kit.generation.sample` seeds, sets eval
            mode and returns them on the CPU.
        """
        no_labels(self, labels)
        device = torch.device(device) if device is not None else model_device(self)
        return self.decode(prior_codes(n, self.latent_dim, device, generator,
                                       param_dtype(self)))


def clips_to_numpy(clips: torch.Tensor) -> np.ndarray:
    """Tensor clips ``(B, T, 3, H, W)`` -> array ``(B, T, H, W, 3)`` float32.

    Notes
    -----
    Taught in ``12_video_style_and_generation``.
    """
    if clips.ndim != 5 or clips.shape[2] != 3:
        raise ValueError(f"expected clips of shape (B, T, 3, H, W), got {tuple(clips.shape)}")
    return clips.detach().float().cpu().numpy().transpose(0, 1, 3, 4, 2)


@torch.no_grad()
def reconstruction_scores(
    vae: VideoVAE, data: MovingShapes | torch.Tensor, device: str | torch.device | None = None,
) -> dict[str, float]:
    """Reconstruction error of held-out clips (decoded from ``mu``, no sampling).

    The reconstructions come from :func:`aigc_kit.generation.reconstruct` (eval mode for
    the call, the VAE's mode restored after; the VAE is moved to ``device``, default
    :func:`aigc_kit.get_device`).

    Returns
    -------
    dict
        ``mse`` (mean squared error per value, data in [0, 1]) and ``psnr`` (dB,
        ``10 log10(1 / mse)`` averaged over clips).

    Taught in ``12_video_style_and_generation``.
    """
    x = data.tensor() if isinstance(data, MovingShapes) else torch.as_tensor(data).cpu()
    recon = reconstruct(vae, x, device=get_device(device))
    per_clip = (recon - x.to(recon.dtype)).pow(2).mean(dim=(1, 2, 3, 4)).numpy()
    psnr = 10 * np.log10(1.0 / np.maximum(per_clip, 1e-12))
    return {"mse": float(per_clip.mean()), "psnr": float(psnr.mean())}


def centroid_tracks(clips: np.ndarray) -> np.ndarray:
    """Brightness-weighted centroid ``(row, col)`` of every frame, shape (n, T, 2), pixels.

    Parameters
    ----------
    clips : np.ndarray, shape (n, T, H, W, 3)
        One shape on black per clip (as made by ``moving_shapes`` or generated like them).

    Taught in ``12_video_style_and_generation``.
    """
    clips = np.asarray(clips, dtype=np.float64)
    if clips.ndim != 5 or clips.shape[-1] != 3:
        raise ValueError(f"expected clips of shape (n, T, H, W, 3), got {clips.shape}")
    mass = clips.sum(axis=-1)
    total = mass.sum(axis=(2, 3)) + 1e-8
    rows = np.arange(clips.shape[2])
    cols = np.arange(clips.shape[3])
    r = (mass.sum(axis=3) * rows).sum(axis=2) / total
    c = (mass.sum(axis=2) * cols).sum(axis=2) / total
    return np.stack([r, c], axis=-1)


def motion_statistics(clips: np.ndarray) -> pd.DataFrame:
    """Per-clip motion statistics from the centroid track and frame differences.

    Columns: ``speed`` (mean centroid displacement per frame, pixels), ``straightness``
    (net displacement / path length: 1 for constant velocity, small for jitter),
    ``frame_difference`` (mean absolute frame-to-frame change) and ``mass_change``
    (relative change of total brightness across the clip: 0 when the shape keeps its size
    and colour).

    Taught in ``12_video_style_and_generation``.
    """
    tracks = centroid_tracks(clips)
    steps = np.linalg.norm(np.diff(tracks, axis=1), axis=-1)
    path = steps.sum(axis=1)
    net = np.linalg.norm(tracks[:, -1] - tracks[:, 0], axis=-1)
    mass = np.asarray(clips, dtype=np.float64).sum(axis=(2, 3, 4))
    return pd.DataFrame({
        "speed": steps.mean(axis=1),
        "straightness": net / np.maximum(path, 1e-8),
        "frame_difference": np.abs(np.diff(clips, axis=1)).mean(axis=(1, 2, 3, 4)),
        "mass_change": mass.std(axis=1) / np.maximum(mass.mean(axis=1), 1e-8),
    })


def tile_clips(clips: np.ndarray, cols: int = 4, gap: int = 1) -> np.ndarray:
    """Tile ``n`` clips into one clip (a grid per frame) for playback or a storyboard.

    Parameters
    ----------
    clips : np.ndarray, shape (n, T, H, W, 3)
    cols : int
        Clips per row; rows follow.
    gap : int
        Grey separating lines, in pixels.

    Returns
    -------
    np.ndarray, shape (T, rows * (H + gap) - gap, cols * (W + gap) - gap, 3)

    Taught in ``12_video_style_and_generation``.
    """
    clips = np.asarray(clips, dtype=np.float32)
    if clips.ndim != 5 or clips.shape[-1] != 3 or len(clips) == 0:
        raise ValueError(f"expected a non-empty batch of clips (n, T, H, W, 3), got "
                         f"{clips.shape}")
    n, t, h, w, _ = clips.shape
    cols = max(1, min(cols, n))
    rows = int(np.ceil(n / cols))
    out = np.full((t, rows * (h + gap) - gap, cols * (w + gap) - gap, 3), 0.5, np.float32)
    for i in range(n):
        r, c = divmod(i, cols)
        out[:, r * (h + gap):r * (h + gap) + h, c * (w + gap):c * (w + gap) + w] = clips[i]
    return np.clip(out, 0.0, 1.0)
