"""Video style transfer without pretrained weights: colour transfer and random-network textures.

Two methods that need no download:

- **Colour transfer** (Reinhard et al. 2001): in CIE Lab, shift and scale each channel so
  the clip's mean and standard deviation become the style image's. The statistics are
  fitted *once for the whole clip*, so every frame gets the same affine map and nothing
  flickers (fitting per frame would make the colours pump whenever the content changes).
- **Texture transfer** with the Gram statistics of a *random-weight* shallow convolutional
  network: Ustyuzhaninov, Brendel, Gatys & Bethge (2016, "Texture synthesis using shallow
  convolutional networks with random filters") showed that the correlations of the
  rectified responses of random multi-scale filters describe textures well. Each frame is
  optimised (Adam on the pixels) to match the style image's Gram matrices while keeping
  its low-pass content. ``mode`` picks the temporal handling: ``"independent"`` (each
  frame from its own input), ``"temporal"`` (start from the previous output and penalise
  change from it where the input did not change) or ``"warped"`` (Ruder et al. 2016:
  start from the previous output *warped along the input's optical flow* and penalise
  change from it on non-occluded pixels; see :mod:`aigc_kit.apps.video.flow`).

Scores: ``gram_style_distance`` (relative Gram error to the style image, 0 is a perfect
match) and ``flicker_score`` (mean frame-to-frame change of the output divided by the
input's; 1 means the output changes as much as the input, larger means added flicker).
The flow-based scores ``warp_error`` and ``ghosting_score`` live in
:mod:`aigc_kit.apps.video.flow`.

Taught in ``12_video_style_and_generation``.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from aigc_kit.apps.video.flow import ClipFlows, FlowConfig, clip_flows, warp
from aigc_kit.apps.video.io import as_frames, from_tensor, to_tensor
from aigc_kit.runtime import get_device


def _as_image(image: object, name: str = "style_image") -> np.ndarray:
    """One RGB image ``(h, w, 3)`` in [0, 1] (checked like a one-frame clip)."""
    arr = np.asarray(image)
    if arr.ndim != 3 or arr.shape[-1] != 3:
        raise ValueError(f"{name}: expected one RGB image of shape (h, w, 3), got {arr.shape}; "
                         "for a clip's frame use frames[t]")
    return as_frames(arr[None], name=name)[0]


# ----------------------------------------------------------------------------------------
# Colour transfer
# ----------------------------------------------------------------------------------------


def lab_statistics(images: object) -> tuple[np.ndarray, np.ndarray]:
    """Mean and standard deviation of each CIE Lab channel over all pixels.

    Parameters
    ----------
    images : array-like, shape (h, w, 3) or (T, H, W, 3)
        RGB in [0, 1]: one image or a whole clip (pooled over all frames).

    Returns
    -------
    mean, std : np.ndarray, shape (3,)
        L* (0-100), a*, b* statistics.

    Taught in ``12_video_style_and_generation``.
    """
    from skimage.color import rgb2lab

    arr = np.asarray(images)
    arr = as_frames(arr[None] if arr.ndim == 3 else arr, name="images")
    lab = rgb2lab(arr).reshape(-1, 3)
    return lab.mean(axis=0), lab.std(axis=0)


def colour_transfer(frames: object, style_image: object, strength: float = 1.0) -> np.ndarray:
    """Reinhard colour transfer in Lab, fitted once over the whole clip.

    Each Lab channel ``c`` is mapped by ``(c - mean_clip) * std_style / std_clip +
    mean_style``, with the clip's statistics pooled over *all* frames, so every frame gets
    the same map (no flicker). The result is converted back to RGB and clipped to [0, 1].

    Parameters
    ----------
    frames : array-like, shape (T, H, W, 3)
        The clip, float in [0, 1].
    style_image : array-like, shape (h, w, 3)
        The image whose colours the clip should take on.
    strength : float
        0 leaves the clip unchanged, 1 is the full transfer; in between blends the Lab
        statistics linearly.

    Returns
    -------
    np.ndarray, shape (T, H, W, 3)
        float32 in [0, 1].

    Taught in ``12_video_style_and_generation``.
    """
    from skimage.color import lab2rgb, rgb2lab

    arr = as_frames(frames)
    style = _as_image(style_image)
    if not 0.0 <= strength <= 1.0:
        raise ValueError(f"strength must lie in [0, 1], got {strength}")
    mean_c, std_c = lab_statistics(arr)
    mean_s, std_s = lab_statistics(style)
    target_mean = (1 - strength) * mean_c + strength * mean_s
    target_std = (1 - strength) * std_c + strength * std_s
    lab = rgb2lab(arr)
    lab = (lab - mean_c) * (target_std / np.maximum(std_c, 1e-6)) + target_mean
    lab[..., 0] = np.clip(lab[..., 0], 0.0, 100.0)
    with warnings.catch_warnings():  # colours outside the sRGB gamut are clipped, as intended
        warnings.simplefilter("ignore", UserWarning)
        out = np.stack([lab2rgb(frame) for frame in lab])
    return np.clip(out, 0.0, 1.0).astype(np.float32)


# ----------------------------------------------------------------------------------------
# Random-network texture statistics
# ----------------------------------------------------------------------------------------


class RandomTextureNet(nn.Module):
    """A shallow convolutional network with random, fixed filters (no training).

    Layer 1: filters of several sizes (``kernel_sizes``, ``channels`` each) on the
    input, ReLU; layer 2: 2x average pooling, then 3x3 filters, ReLU. ``forward`` returns
    the feature maps of both layers; their Gram matrices are the texture statistics.
    Weights are drawn from ``seed`` (He-style scaling, zero-mean filters) and frozen.

    Taught in ``12_video_style_and_generation``.
    """

    def __init__(self, channels: int = 32, kernel_sizes: Sequence[int] = (3, 5, 7),
                 seed: int = 0) -> None:
        super().__init__()
        gen = torch.Generator().manual_seed(seed)
        self.convs1 = nn.ModuleList()
        for k in kernel_sizes:
            conv = nn.Conv2d(3, channels, k, padding=k // 2, padding_mode="reflect")
            self._init(conv, gen)
            self.convs1.append(conv)
        width = channels * len(kernel_sizes)
        self.conv2 = nn.Conv2d(width, 2 * channels, 3, padding=1, padding_mode="reflect")
        self._init(self.conv2, gen)
        self.requires_grad_(False)

    @staticmethod
    def _init(conv: nn.Conv2d, gen: torch.Generator) -> None:
        fan_in = conv.in_channels * conv.kernel_size[0] * conv.kernel_size[1]
        w = torch.randn(conv.weight.shape, generator=gen) * np.sqrt(2.0 / fan_in)
        conv.weight.data = w - w.mean(dim=(1, 2, 3), keepdim=True)
        conv.bias.data.zero_()

    def forward(self, x: torch.Tensor) -> list[torch.Tensor]:
        x = x - 0.5
        h1 = torch.cat([F.relu(conv(x)) for conv in self.convs1], dim=1)
        h2 = F.relu(self.conv2(F.avg_pool2d(h1, 2)))
        return [h1, h2]


def gram_matrices(features: Sequence[torch.Tensor]) -> list[torch.Tensor]:
    """Gram matrix of each feature map: ``G = F F^T / (H W)``, shape (B, C, C).

    Taught in ``12_video_style_and_generation``.
    """
    grams = []
    for f in features:
        b, c, h, w = f.shape
        flat = f.reshape(b, c, h * w)
        grams.append(flat @ flat.transpose(1, 2) / (h * w))
    return grams


def _gaussian_blur(x: torch.Tensor, sigma: float) -> torch.Tensor:
    """Separable Gaussian low-pass of a batch ``(B, 3, H, W)`` (reflect padding)."""
    radius = max(1, int(round(3 * sigma)))
    taps = torch.arange(-radius, radius + 1, dtype=x.dtype, device=x.device)
    kernel = torch.exp(-0.5 * (taps / sigma) ** 2)
    kernel = (kernel / kernel.sum()).repeat(3, 1, 1, 1)  # (3, 1, 1, k) depthwise
    x = F.conv2d(F.pad(x, (radius, radius, 0, 0), mode="reflect"), kernel, groups=3)
    return F.conv2d(F.pad(x, (0, 0, radius, radius), mode="reflect"),
                    kernel.transpose(2, 3), groups=3)


def _style_grams(net: RandomTextureNet, style: np.ndarray, device: torch.device
                 ) -> list[torch.Tensor]:
    x = to_tensor(style[None], device)
    with torch.no_grad():
        return gram_matrices(net(x))


def _gram_loss(grams: list[torch.Tensor], target: list[torch.Tensor]) -> torch.Tensor:
    """Sum over layers of the relative squared Gram error, one value per batch item."""
    return sum(((g - t).pow(2).sum(dim=(1, 2)) / t.pow(2).sum()) for g, t in
               zip(grams, target, strict=True))


def gram_style_distance(
    frames: object, style_image: object, seed: int = 0,
    device: str | torch.device | None = None, per_frame: bool = False,
) -> float | np.ndarray:
    """How far a clip's texture statistics are from a style image's.

    For each frame: the sum over the two layers of :class:`RandomTextureNet` (weights from
    ``seed``) of ``||G(frame) - G(style)||^2 / ||G(style)||^2`` (squared Frobenius norms).
    0 is a perfect match; an unrelated photo typically scores around 0.5-2.

    Parameters
    ----------
    frames : array-like, shape (T, H, W, 3)
        float in [0, 1].
    style_image : array-like, shape (h, w, 3)
        float in [0, 1].
    seed : int
        Seed of the random network (use the same as for ``style_transfer``).
    device : str or torch.device, optional
        Default ``aigc_kit.get_device()``.
    per_frame : bool
        Return the distance of every frame, shape (T,), instead of their mean.

    Taught in ``12_video_style_and_generation``.
    """
    arr = as_frames(frames)
    style = _as_image(style_image)
    device = get_device(device)
    net = RandomTextureNet(seed=seed).to(device)
    target = _style_grams(net, style, device)
    with torch.no_grad():
        d = torch.cat([_gram_loss(gram_matrices(net(to_tensor(arr[i:i + 8], device))), target)
                       for i in range(0, len(arr), 8)]).cpu().numpy()
    return d if per_frame else float(d.mean())


def flicker_score(output: object, input: object) -> float:  # noqa: A002 - the issue's name
    """Mean frame-to-frame change of ``output`` divided by that of ``input``.

    ``mean |y_t - y_{t-1}|`` over all pixels and frames, over the same for the input clip.
    1: the output changes exactly as much as the input; above 1: the processing adds
    temporal change (flicker, crawling texture); below 1: it smooths motion away.

    Raises
    ------
    ValueError
        Clips of different shapes, fewer than 2 frames, or an input that never changes.

    Taught in ``12_video_style_and_generation``.
    """
    y = as_frames(output, name="output")
    x = as_frames(input, name="input")
    if y.shape[0] != x.shape[0]:
        raise ValueError(f"output has {len(y)} frames but input has {len(x)}; "
                         "compare a stylised clip with the clip it came from")
    if len(x) < 2:
        raise ValueError("flicker_score needs at least 2 frames")
    dx = float(np.abs(np.diff(x, axis=0)).mean())
    if dx <= 1e-8:
        raise ValueError("the input clip never changes (all frames equal); the flicker "
                         "ratio is undefined, use np.abs(np.diff(output, axis=0)).mean()")
    if y.shape[1:3] != x.shape[1:3]:
        raise ValueError(f"output frames {y.shape[1:3]} and input frames {x.shape[1:3]} "
                         "differ in size")
    return float(np.abs(np.diff(y, axis=0)).mean()) / dx


TEMPORAL_MODES = ("independent", "temporal", "warped")


def _temporal_setup(
    mode: str | None, init: str, temporal_weight: float, arr: np.ndarray,
    flow: FlowConfig | ClipFlows | None,
) -> tuple[str, float, ClipFlows | None]:
    """Resolve ``mode`` into ``(init, temporal_weight, flows)`` (flows only for warped)."""
    if mode is None:
        if init not in ("previous", "content"):
            raise ValueError(f"init must be 'previous' or 'content', got {init!r}")
        return init, temporal_weight, None
    if mode not in TEMPORAL_MODES:
        raise ValueError(f"mode must be one of {TEMPORAL_MODES} (or None to use init), got "
                         f"{mode!r}")
    if mode == "independent":
        return "content", 0.0, None
    if mode != "warped" or len(arr) < 2:
        return "previous", temporal_weight, None
    if not isinstance(flow, ClipFlows):
        return "previous", temporal_weight, clip_flows(arr, flow)
    flow.check_clip(arr)
    return "previous", temporal_weight, flow


def _optimise_frame(
    net: RandomTextureNet, target: list[torch.Tensor], start: torch.Tensor,
    content: torch.Tensor, steps: int, lr: float, weights: tuple[float, float, float],
    temporal: tuple[torch.Tensor, torch.Tensor] | None, content_sigma: float,
) -> torch.Tensor:
    """Adam on the pixels of one frame ``(1, 3, H, W)``; ``temporal = (reference, weight)``."""
    style_weight, content_weight, temporal_weight = weights
    y = start.clone().requires_grad_(True)
    opt = torch.optim.Adam([y], lr=lr)
    for _ in range(steps):
        loss = style_weight * _gram_loss(gram_matrices(net(y)), target).sum()
        low = _gaussian_blur(y, content_sigma)
        loss = loss + content_weight * (low - content).pow(2).mean()
        if temporal is not None:
            ref, w = temporal
            loss = loss + temporal_weight * (w * (y - ref).pow(2)).mean() / (w.mean() + 1e-8)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        with torch.no_grad():
            y.clamp_(0.0, 1.0)
    return y.detach()


def _previous(outputs: list[torch.Tensor], x: torch.Tensor, t: int, flows: ClipFlows | None,
              temporal_sigma: float) -> tuple[torch.Tensor, torch.Tensor]:
    """The reference for frame ``t`` and its per-pixel temporal weight, both on x's device.

    Without flows: the previous output, weighted ``exp(-|x_t - x_{t-1}| / temporal_sigma)``.
    With flows: the previous output warped along the input's backward flow, weighted by the
    reliability mask (Ruder et al. 2016).
    """
    if flows is None:
        change = (x[t] - x[t - 1]).abs().mean(dim=0, keepdim=True)[None]
        return outputs[-1], torch.exp(-change / temporal_sigma)
    prev = outputs[-1][0].permute(1, 2, 0).cpu().numpy()
    warped = warp(prev, flows.backward[t - 1])
    ref = torch.from_numpy(warped).permute(2, 0, 1)[None].to(x.device)
    mask = torch.from_numpy(flows.mask[t - 1].astype(np.float32))[None, None].to(x.device)
    return ref, mask


def style_transfer(
    frames: object,
    style_image: object,
    *,
    iterations: int = 30,
    first_iterations: int | None = None,
    lr: float = 0.03,
    style_weight: float = 1.0,
    content_weight: float = 20.0,
    content_sigma: float = 2.0,
    temporal_weight: float = 0.0,
    temporal_sigma: float = 0.05,
    init: str = "previous",
    mode: str | None = None,
    flow: FlowConfig | ClipFlows | None = None,
    seed: int = 0,
    device: str | torch.device | None = None,
) -> np.ndarray:
    """Texture style transfer, frame by frame, with random-network Gram statistics.

    Frame ``t``'s output ``y_t`` minimises (Adam on the pixels, clamped to [0, 1])::

        style_weight * gram_loss(y_t, style)
        + content_weight * mean((blur(y_t) - blur(x_t))^2)              # keep the layout
        + temporal_weight * mean(w_t * (y_t - r_t)^2) / mean(w_t)       # optional

    where ``blur`` is a Gaussian low-pass of standard deviation ``content_sigma`` (the
    content is the low-pass picture, so the style can replace the fine texture). The
    temporal reference ``r_t`` and weight ``w_t`` depend on ``mode``:

    - ``"independent"``: every frame starts from its input, no temporal term;
    - ``"temporal"``: start from ``r_t = y_{t-1}`` (not warped), with
      ``w_t = exp(-|x_t - x_{t-1}| / temporal_sigma)`` (mean over colour): near 1 where the
      input did not change, near 0 where it did (moving edges, cuts);
    - ``"warped"`` (Ruder et al. 2016): start from ``r_t = warp(y_{t-1}, b_t)``, the previous
      output moved along the input's backward optical flow ``b_t``
      (:func:`aigc_kit.apps.video.flow.clip_flows`), with ``w_t`` the flow's reliability
      mask (0 on occluded pixels and motion boundaries, 1 elsewhere).

    ``mode=None`` keeps the older switches: ``init`` and ``temporal_weight`` as given,
    without warping (``init="content"`` is ``"independent"``, ``init="previous"`` is
    ``"temporal"``).

    Parameters
    ----------
    frames : array-like, shape (T, H, W, 3)
        float in [0, 1]; keep it small (e.g. 24 frames of 64 x 64 on a CPU).
    style_image : array-like, shape (h, w, 3)
        The texture to transfer, float in [0, 1] (a 64-128 pixel crop is plenty).
    iterations : int
        Adam steps per frame after the first.
    first_iterations : int, optional
        Adam steps for frame 0 (default ``3 * iterations``: it starts from the content).
    lr : float
        Adam learning rate (pixel units).
    style_weight, content_weight, temporal_weight : float
        Weights of the three terms; ``temporal_weight = 0`` switches the temporal term off.
    content_sigma : float
        Standard deviation of the content term's Gaussian low-pass, in pixels (larger
        leaves more of the picture to the style).
    temporal_sigma : float
        Input change (mean absolute difference in [0, 1] units) at which the unwarped
        temporal weight has fallen to 1/e.
    init : str
        With ``mode=None``: ``"previous"`` (start each frame from the previous output) or
        ``"content"`` (start every frame from its input).
    mode : str, optional
        ``"independent"``, ``"temporal"`` or ``"warped"`` (see above); overrides ``init``.
    flow : FlowConfig or ClipFlows, optional
        Optical-flow settings of the ``"warped"`` mode (default ``FlowConfig()``), or the
        flows themselves, ``clip_flows(frames)``, to reuse ones already computed.
    seed : int
        Seed of the random network.
    device : str or torch.device, optional
        Default ``aigc_kit.get_device()``.

    Returns
    -------
    np.ndarray, shape (T, H, W, 3)
        float32 in [0, 1].

    Taught in ``12_video_style_and_generation``.
    """
    arr = as_frames(frames)
    style = _as_image(style_image)
    if iterations < 1:
        raise ValueError(f"iterations must be >= 1, got {iterations}")
    if not 0 < content_sigma < min(arr.shape[1:3]) / 6:
        raise ValueError(f"content_sigma must be positive and below 1/6 of the frame size "
                         f"{arr.shape[1:3]}, got {content_sigma}")
    if min(style_weight, content_weight, temporal_weight) < 0:
        raise ValueError("the loss weights must be >= 0")
    init, temporal_weight, flows = _temporal_setup(mode, init, temporal_weight, arr, flow)
    first_iterations = 3 * iterations if first_iterations is None else int(first_iterations)
    device = get_device(device)
    net = RandomTextureNet(seed=seed).to(device)
    target = _style_grams(net, style, device)
    x = to_tensor(arr, device)
    weights = (style_weight, content_weight, temporal_weight)
    outputs: list[torch.Tensor] = []
    for t in range(len(x)):
        content = _gaussian_blur(x[t:t + 1], content_sigma)
        start, temporal = x[t:t + 1], None
        if t > 0 and init == "previous":
            ref, w = _previous(outputs, x, t, flows, temporal_sigma)
            start, temporal = ref, ((ref, w) if temporal_weight > 0 else None)
        steps = first_iterations if t == 0 else iterations
        outputs.append(_optimise_frame(net, target, start, content, steps, lr, weights,
                                       temporal, content_sigma))
    return from_tensor(torch.cat(outputs))
