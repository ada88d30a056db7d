"""Optical flow, backward warping, occlusion masks and temporal-consistency scores.

Video style transfer stays steady only if each stylised frame follows the *motion* of the
input: Ruder, Dosovitskiy & Brox (2016, "Artistic style transfer for videos") warp the
previous stylised frame along the optical flow, start the next frame from it, and
penalise change from it only where the flow is reliable. This module holds the pieces:

- :func:`optical_flow`: dense flow between two frames with scikit-image
  (``optical_flow_ilk`` or ``optical_flow_tvl1``; no OpenCV);
- :func:`warp`: backward warping of an image along a flow (bilinear);
- :func:`occlusion_mask`: Ruder et al.'s forward-backward consistency and motion-boundary
  check (plus pixels whose flow leaves the frame);
- :func:`clip_flows`: both flows and the mask for every consecutive pair of a clip;
- :func:`warp_error` and :func:`ghosting_score`: the temporal-consistency scores.

Flow convention: a flow has shape ``(2, H, W)`` (row, column displacement in pixels). The
*backward* flow ``b`` of pair ``(t-1, t)`` satisfies ``x_t(p) ~ x_{t-1}(p + b(p))``, so
``warp(x_{t-1}, b)`` looks like ``x_t``.

Taught in ``12_video_style_and_generation``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from aigc_kit.apps.video.features import LUMA
from aigc_kit.apps.video.io import as_frames

FLOW_METHODS = ("ilk", "tvl1")


@dataclass(frozen=True)
class FlowConfig:
    """How :func:`clip_flows` estimates flow and decides which pixels to trust.

    Attributes
    ----------
    method : str
        ``"ilk"`` (iterative Lucas-Kanade, fast) or ``"tvl1"`` (TV-L1, slower, sharper
        motion boundaries), both from ``skimage.registration``.
    radius : int
        Window radius of ``"ilk"``, pixels (ignored by ``"tvl1"``).
    consistency : (float, float)
        Ruder et al.'s forward-backward tolerance ``(relative, absolute)``: a pixel is
        consistent when ``|f + b|^2 <= relative (|f|^2 + |b|^2) + absolute`` (pixels^2).
    boundary : (float, float)
        Motion-boundary tolerance ``(relative, absolute)``: a pixel is on a motion boundary
        when ``|grad b_row|^2 + |grad b_col|^2 > relative |b|^2 + absolute``.

    Taught in ``12_video_style_and_generation``.
    """

    method: str = "ilk"
    radius: int = 4
    consistency: tuple[float, float] = (0.01, 0.5)
    boundary: tuple[float, float] = (0.01, 0.002)

    def __post_init__(self) -> None:
        if self.method not in FLOW_METHODS:
            raise ValueError(f"FlowConfig.method must be one of {FLOW_METHODS}, got "
                             f"{self.method!r} (aigc_kit/apps/video/flow.py)")
        if self.radius < 1:
            raise ValueError(f"FlowConfig.radius must be >= 1 pixel, got {self.radius}")


@dataclass(frozen=True)
class ClipFlows:
    """Backward flows and reliability masks of every consecutive frame pair of a clip.

    Attributes
    ----------
    backward : np.ndarray, shape (T-1, 2, H, W)
        ``backward[t-1]`` maps frame ``t`` to frame ``t-1``: ``warp(x[t-1], backward[t-1])``
        looks like ``x[t]``.
    mask : np.ndarray, shape (T-1, H, W), bool
        True where the flow is reliable (not occluded / disoccluded, not on a motion
        boundary, not flowing out of the frame).

    Taught in ``12_video_style_and_generation``.
    """

    backward: np.ndarray
    mask: np.ndarray

    def check_clip(self, frames: np.ndarray) -> None:
        """ValueError unless these are the flows of ``frames`` ``(T, H, W, 3)``."""
        expected = (len(frames) - 1, 2, *frames.shape[1:3])
        if self.backward.shape != expected:
            raise ValueError(f"ClipFlows of shape {self.backward.shape} do not belong to frames "
                             f"{frames.shape} (expected {expected}); compute them with "
                             "clip_flows(frames) of this clip")


def _grey(image: np.ndarray) -> np.ndarray:
    return image @ LUMA if image.ndim == 3 else image


def optical_flow(reference: object, moving: object, config: FlowConfig | None = None
                 ) -> np.ndarray:
    """Dense optical flow such that ``warp(moving, flow)`` looks like ``reference``.

    Parameters
    ----------
    reference, moving : array-like, shape (H, W, 3) or (H, W)
        Two frames in [0, 1] (colour is converted to luma).
    config : FlowConfig, optional
        Method and window; default ``FlowConfig()`` (iterative Lucas-Kanade).

    Returns
    -------
    np.ndarray, shape (2, H, W), float32
        Row and column displacement in pixels. With ``reference = x_t`` and
        ``moving = x_{t-1}`` this is the backward flow of the pair.

    Taught in ``12_video_style_and_generation``.
    """
    from skimage.registration import optical_flow_ilk, optical_flow_tvl1

    config = config or FlowConfig()
    ref, mov = _grey(np.asarray(reference, np.float32)), _grey(np.asarray(moving, np.float32))
    if ref.shape != mov.shape or ref.ndim != 2:
        raise ValueError(f"optical_flow: frames of shapes {ref.shape} and {mov.shape}; pass two "
                         "frames of one clip, each (H, W, 3)")
    if config.method == "ilk":
        flow = optical_flow_ilk(ref, mov, radius=config.radius)
    else:
        flow = optical_flow_tvl1(ref, mov)
    return flow.astype(np.float32)


def _source_coords(flow: np.ndarray) -> np.ndarray:
    """``p + flow(p)`` for every pixel ``p``: the (row, column) each pixel samples, (2, H, W)."""
    rows, cols = np.meshgrid(np.arange(flow.shape[1]), np.arange(flow.shape[2]), indexing="ij")
    return np.stack([rows + flow[0], cols + flow[1]])


def warp(image: object, flow: np.ndarray) -> np.ndarray:
    """Backward-warp an image along a flow: ``out(p) = image(p + flow(p))``, bilinear.

    Parameters
    ----------
    image : array-like, shape (H, W, C) or (H, W)
        The image to move (e.g. the previous stylised frame).
    flow : np.ndarray, shape (2, H, W)
        Row and column displacement in pixels (a backward flow, see :func:`optical_flow`).
        Samples outside the frame take the nearest edge pixel.

    Returns
    -------
    np.ndarray, same shape as ``image``, float32

    Taught in ``12_video_style_and_generation``.
    """
    from scipy.ndimage import map_coordinates

    img = np.asarray(image, np.float32)
    flow = np.asarray(flow, np.float32)
    if flow.shape != (2, *img.shape[:2]):
        raise ValueError(f"warp: flow of shape {flow.shape} does not fit an image of shape "
                         f"{img.shape}; expected (2, {img.shape[0]}, {img.shape[1]})")
    coords = _source_coords(flow)
    if img.ndim == 2:
        return map_coordinates(img, coords, order=1, mode="nearest").astype(np.float32)
    return np.stack([map_coordinates(img[..., c], coords, order=1, mode="nearest")
                     for c in range(img.shape[2])], axis=-1).astype(np.float32)


def occlusion_mask(backward: np.ndarray, forward: np.ndarray,
                   config: FlowConfig | None = None) -> np.ndarray:
    """Pixels of frame ``t`` whose backward flow can be trusted (Ruder et al. 2016).

    With ``b`` the backward flow (``t -> t-1``) and ``f`` the forward flow (``t-1 -> t``)
    of the pair, ``f~(p) = f(p + b(p))`` is the forward flow at where ``p`` came from. A
    pixel is *occluded* (disoccluded in ``t``: not visible in ``t-1``) when the two flows
    disagree, ``|f~ + b|^2 > 0.01 (|f~|^2 + |b|^2) + 0.5``; it is on a *motion boundary*
    when ``|grad b_row|^2 + |grad b_col|^2 > 0.01 |b|^2 + 0.002``; and it is unreliable
    when ``p + b(p)`` lies outside the frame. The mask is True on the remaining pixels.

    Parameters
    ----------
    backward, forward : np.ndarray, shape (2, H, W)
        ``optical_flow(x_t, x_{t-1})`` and ``optical_flow(x_{t-1}, x_t)``, pixels.
    config : FlowConfig, optional
        The two tolerances (defaults: Ruder et al.'s values above).

    Returns
    -------
    np.ndarray, shape (H, W), bool

    Taught in ``12_video_style_and_generation``.
    """
    config = config or FlowConfig()
    b, f = np.asarray(backward, np.float32), np.asarray(forward, np.float32)
    if b.shape != f.shape or b.ndim != 3 or b.shape[0] != 2:
        raise ValueError(f"occlusion_mask: flows of shapes {b.shape} and {f.shape}; expected "
                         "two (2, H, W) flows of the same frame pair")
    f_back = np.moveaxis(warp(np.moveaxis(f, 0, -1), b), -1, 0)
    rel, absolute = config.consistency
    inconsistent = ((f_back + b) ** 2).sum(0) > rel * ((f_back ** 2).sum(0)
                                                       + (b ** 2).sum(0)) + absolute
    grad = sum(g ** 2 for comp in b for g in np.gradient(comp))
    rel_b, abs_b = config.boundary
    boundary = grad > rel_b * (b ** 2).sum(0) + abs_b
    h, w = b.shape[1:]
    src_r, src_c = _source_coords(b)
    outside = (src_r < 0) | (src_r > h - 1) | (src_c < 0) | (src_c > w - 1)
    return ~(inconsistent | boundary | outside)


def clip_flows(frames: object, config: FlowConfig | None = None) -> ClipFlows:
    """Backward flow and reliability mask of every consecutive pair of a clip.

    Parameters
    ----------
    frames : array-like, shape (T, H, W, 3)
        The *input* clip, float in [0, 1] (flow is measured on the input, never on a
        stylised output, whose texture would mislead it).
    config : FlowConfig, optional
        Flow method and tolerances.

    Returns
    -------
    ClipFlows
        ``backward`` (T-1, 2, H, W) and ``mask`` (T-1, H, W). Two flows per pair: about
        60 ms per pair at 64 x 64 with ``"ilk"`` (1.3 s for 24 frames), about twice that
        with ``"tvl1"``, on one CPU core (measured for notebook 12).

    Taught in ``12_video_style_and_generation``.
    """
    arr = as_frames(frames)
    if len(arr) < 2:
        raise ValueError("clip_flows needs at least 2 frames")
    config = config or FlowConfig()
    backward, masks = [], []
    for t in range(1, len(arr)):
        b = optical_flow(arr[t], arr[t - 1], config)
        f = optical_flow(arr[t - 1], arr[t], config)
        backward.append(b)
        masks.append(occlusion_mask(b, f, config))
    return ClipFlows(np.stack(backward), np.stack(masks))


def _warp_residuals(output: object, input: object, flows: ClipFlows | None  # noqa: A002
                    ) -> tuple[np.ndarray, ClipFlows, np.ndarray]:
    """``|y_t - warp(y_{t-1}, b_t)|`` (mean over colour), shape (T-1, H, W), and the flows."""
    y = as_frames(output, name="output")
    x = as_frames(input, name="input")
    if y.shape != x.shape:
        raise ValueError(f"output {y.shape} and input {x.shape} differ; compare a stylised "
                         "clip with the clip it came from")
    flows = flows if flows is not None else clip_flows(x)
    flows.check_clip(x)
    res = np.stack([np.abs(y[t] - warp(y[t - 1], flows.backward[t - 1])).mean(-1)
                    for t in range(1, len(y))])
    return res, flows, x


def warp_error(output: object, input: object,  # noqa: A002 - the pair flicker_score takes
               flows: ClipFlows | None = None) -> float:
    """Warp error: how much a stylised clip changes *beyond* the input's motion.

    ``mean |y_t - warp(y_{t-1}, b_t)|`` over the reliable pixels (``flows.mask``) of all
    pairs, colours averaged, with ``b_t`` the input's backward flow. 0: every frame is the
    previous output moved along the input's motion; it is the standard temporal-consistency
    metric of video style transfer (e.g. Lai et al. 2018), in [0, 1] pixel units.

    Parameters
    ----------
    output, input : array-like, shape (T, H, W, 3)
        The stylised clip and the clip it came from, float in [0, 1].
    flows : ClipFlows, optional
        ``clip_flows(input)``, to reuse across methods (computed if omitted).

    Taught in ``12_video_style_and_generation``.
    """
    res, flows, _ = _warp_residuals(output, input, flows)
    return float(res[flows.mask].mean()) if flows.mask.any() else float(res.mean())


def ghosting_score(output: object, input: object,  # noqa: A002
                   flows: ClipFlows | None = None, change: float = 0.05) -> float:
    """Ghosting: the warp error on the *moving edges* of the input.

    The same residual as :func:`warp_error`, ``|y_t - warp(y_{t-1}, b_t)|``, averaged only
    over reliable pixels where the input itself changed, ``mean_colour |x_t - x_{t-1}| >
    change``. There a method that does not follow the motion keeps the old content (a
    trail, or "ghost", of the moving object or edge), so this score isolates lag from the
    texture crawl of still regions. 0: no trail. Falls back to all reliable pixels when the
    input has no such pixel.

    Parameters
    ----------
    output, input : array-like, shape (T, H, W, 3)
        float in [0, 1].
    flows : ClipFlows, optional
        ``clip_flows(input)``.
    change : float
        Input change (mean absolute, [0, 1] units) above which a pixel counts as moving.

    Taught in ``12_video_style_and_generation``.
    """
    res, flows, x = _warp_residuals(output, input, flows)
    moving = np.abs(np.diff(x, axis=0)).mean(-1) > change
    region = flows.mask & moving
    if not region.any():
        region = flows.mask
    return float(res[region].mean()) if region.any() else float(res.mean())
