"""Video features per frame and per shot: colour, texture and motion (the video half of
chapter 2.2).

- colour: HSV histograms (``hsv_histograms``), the Hasler-Suesstrunk colourfulness
  (``colourfulness``), mean brightness and saturation;
- texture: uniform local-binary-pattern histograms (``lbp_histograms``) and grey-level
  co-occurrence statistics (``glcm_features``), both from scikit-image;
- motion: frame-difference energy (``frame_difference_energy``) and the mean magnitude of
  dense optical flow (``optical_flow_magnitude``, scikit-image's iterative Lucas-Kanade or
  TV-L1 on downscaled grey frames).

``frame_features`` gathers the scalar ones into a table, one row per frame;
``shot_features`` averages them over the shots a cut detector found.

Taught in ``11_video_auto_editing``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from skimage.color import rgb2hsv
from skimage.feature import graycomatrix, graycoprops, local_binary_pattern
from skimage.transform import downscale_local_mean

from aigc_kit.apps.video.io import as_frames

LUMA = np.array([0.299, 0.587, 0.114], np.float32)


def grey(frames: object) -> np.ndarray:
    """Luma (ITU-R BT.601) of each frame, shape (T, H, W), in [0, 1].

    Notes
    -----
    Taught in ``11_video_auto_editing``.
    """
    return as_frames(frames) @ LUMA


def hsv_histograms(frames: object, bins: tuple[int, int, int] = (12, 4, 4)) -> np.ndarray:
    """Hue, saturation and value histograms of each frame, concatenated.

    Parameters
    ----------
    frames : array-like, shape (T, H, W, 3)
        float in [0, 1].
    bins : (int, int, int)
        Bins for H, S and V; each channel's histogram sums to 1.

    Returns
    -------
    np.ndarray, shape (T, sum(bins))

    Taught in ``11_video_auto_editing``.
    """
    hsv = rgb2hsv(as_frames(frames))
    t = len(hsv)
    parts = []
    for c, n in enumerate(bins):
        idx = np.minimum((hsv[..., c] * n).astype(np.intp), n - 1).reshape(t, -1)
        counts = np.stack([np.bincount(row, minlength=n) for row in idx]).astype(float)
        parts.append(counts / idx.shape[1])
    return np.concatenate(parts, axis=1)


def colourfulness(frames: object) -> np.ndarray:
    """Hasler and Suesstrunk's (2003) colourfulness of each frame, shape (T,).

    ``M = sqrt(std(rg)^2 + std(yb)^2) + 0.3 * sqrt(mean(rg)^2 + mean(yb)^2)`` with
    ``rg = R - G`` and ``yb = (R + G) / 2 - B`` on the 0-255 scale, so the paper's scale
    applies: about 0 "not colourful", 15 "slightly", 33 "moderately", 45 "averagely",
    59 "quite", 82 "highly", 109 "extremely colourful".

    Taught in ``11_video_auto_editing``.
    """
    rgb = as_frames(frames).astype(np.float64) * 255.0
    rg = rgb[..., 0] - rgb[..., 1]
    yb = 0.5 * (rgb[..., 0] + rgb[..., 1]) - rgb[..., 2]
    std = np.hypot(rg.std(axis=(1, 2)), yb.std(axis=(1, 2)))
    mean = np.hypot(rg.mean(axis=(1, 2)), yb.mean(axis=(1, 2)))
    return std + 0.3 * mean


def lbp_histograms(frames: object, points: int = 8, radius: float = 1.0) -> np.ndarray:
    """Uniform local-binary-pattern histograms (texture), shape (T, points + 2).

    Bin ``i < points + 1`` counts pixels whose circle of ``points`` neighbours at
    ``radius`` pixels has ``i`` brighter neighbours in one contiguous arc (edges, corners,
    flat spots); the last bin counts the non-uniform, noisy patterns.

    Taught in ``11_video_auto_editing``.
    """
    g = np.round(grey(frames) * 255).astype(np.uint8)
    out = np.empty((len(g), points + 2))
    for i, frame in enumerate(g):
        codes = local_binary_pattern(frame, points, radius, method="uniform").astype(np.intp)
        out[i] = np.bincount(codes.ravel(), minlength=points + 2)[: points + 2] / codes.size
    return out


GLCM_PROPS = ("contrast", "homogeneity", "energy", "correlation")


def glcm_features(frames: object, levels: int = 32, distance: int = 1) -> np.ndarray:
    """Grey-level co-occurrence statistics of each frame, shape (T, 4).

    Columns are ``GLCM_PROPS`` (contrast, homogeneity, energy, correlation), averaged over
    horizontal and vertical neighbours ``distance`` pixels apart, on grey levels quantised
    to ``levels``.

    Taught in ``11_video_auto_editing``.
    """
    g = np.minimum((grey(frames) * levels).astype(np.uint8), levels - 1)
    out = np.empty((len(g), len(GLCM_PROPS)))
    for i, frame in enumerate(g):
        m = graycomatrix(frame, [distance], [0.0, np.pi / 2], levels=levels, symmetric=True,
                         normed=True)
        out[i] = [graycoprops(m, prop).mean() for prop in GLCM_PROPS]
    return np.nan_to_num(out)  # correlation is undefined (NaN) on a flat frame


def frame_difference_energy(frames: object) -> np.ndarray:
    """Mean squared grey-level difference to the previous frame, shape (T,); first = 0.

    Units: squared intensity on the [0, 1] scale. Large for motion, flashes and cuts.

    Taught in ``11_video_auto_editing``.
    """
    g = grey(frames)
    energy = np.mean(np.diff(g, axis=0) ** 2, axis=(1, 2)) if len(g) > 1 else np.zeros(0)
    return np.concatenate([[0.0], energy])


def optical_flow_magnitude(
    frames: object, method: str = "ilk", downscale: int = 2, radius: int = 4
) -> np.ndarray:
    """Mean dense optical-flow magnitude between consecutive frames, shape (T,); first = 0.

    Parameters
    ----------
    frames : array-like, shape (T, H, W, 3)
    method : str
        ``"ilk"`` (iterative Lucas-Kanade, fast) or ``"tvl1"`` (TV-L1, smoother, ~2x slower),
        both from ``skimage.registration``.
    downscale : int
        Flow is computed on frames shrunk by this factor (speed); the result is scaled back.
    radius : int
        Window radius of ``"ilk"`` in (downscaled) pixels.

    Returns
    -------
    np.ndarray, shape (T,)
        Pixels per frame, in full-resolution pixels.

    Taught in ``11_video_auto_editing``.
    """
    from skimage.registration import optical_flow_ilk, optical_flow_tvl1

    if method not in ("ilk", "tvl1"):
        raise ValueError(f"method must be 'ilk' or 'tvl1', got {method!r}")
    if downscale < 1:
        raise ValueError(f"downscale must be >= 1, got {downscale}")
    g = grey(frames)
    if downscale > 1:
        g = downscale_local_mean(g, (1, downscale, downscale)).astype(np.float32)
    out = np.zeros(len(g))
    for i in range(1, len(g)):
        if method == "ilk":
            v, u = optical_flow_ilk(g[i - 1], g[i], radius=radius)
        else:
            v, u = optical_flow_tvl1(g[i - 1], g[i])
        out[i] = float(np.mean(np.hypot(v, u))) * downscale
    return out


def frame_features(frames: object, flow: bool = True, flow_method: str = "ilk") -> pd.DataFrame:
    """Scalar features of every frame, one row per frame.

    Columns: ``brightness`` and ``saturation`` (mean V and S, 0-1), ``colourfulness``
    (Hasler-Suesstrunk, 0-255 scale), ``lbp_flat`` and ``lbp_edge`` (share of pixels with
    flat / edge-like uniform LBP codes), ``glcm_contrast``, ``glcm_homogeneity``,
    ``motion_energy`` (``frame_difference_energy``) and, with ``flow``, ``flow_px``
    (``optical_flow_magnitude``, pixels per frame).

    Taught in ``11_video_auto_editing``.
    """
    frames = as_frames(frames)
    hsv = rgb2hsv(frames)
    lbp = lbp_histograms(frames)
    glcm = glcm_features(frames)
    table = pd.DataFrame({
        "brightness": hsv[..., 2].mean(axis=(1, 2)),
        "saturation": hsv[..., 1].mean(axis=(1, 2)),
        "colourfulness": colourfulness(frames),
        "lbp_flat": lbp[:, 0] + lbp[:, 8],  # all neighbours darker / all brighter
        "lbp_edge": lbp[:, 3:6].sum(axis=1),  # about half brighter in one arc: edges
        "glcm_contrast": glcm[:, 0],
        "glcm_homogeneity": glcm[:, 1],
        "motion_energy": frame_difference_energy(frames),
    })
    if flow:
        table["flow_px"] = optical_flow_magnitude(frames, method=flow_method)
    table.index.name = "frame"
    return table


def shot_spans(boundaries: Sequence[int] | np.ndarray, n_frames: int) -> np.ndarray:
    """Shot spans ``[start, end)`` from boundary frames, shape (n_shots, 2).

    Taught in ``11_video_auto_editing``.
    """
    b = np.asarray(boundaries, dtype=int).reshape(-1)
    if len(b) and (np.any(np.diff(b) <= 0) or b[0] <= 0 or b[-1] >= n_frames):
        raise ValueError(f"boundaries must be increasing frame indices in 1..{n_frames - 1}, "
                         f"got {b.tolist()}")
    edges = np.concatenate([[0], b, [n_frames]])
    return np.stack([edges[:-1], edges[1:]], axis=1)


def shot_features(
    frames: object,
    boundaries: Sequence[int] | np.ndarray,
    per_frame: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Frame features averaged over each shot, one row per shot.

    Parameters
    ----------
    frames : array-like, shape (T, H, W, 3)
    boundaries : sequence of int
        First frames of new shots, e.g. from ``detect_cuts``.
    per_frame : pandas.DataFrame, optional
        ``frame_features(frames)`` if already computed.

    Returns
    -------
    pandas.DataFrame
        ``start``, ``end`` (frames, end exclusive), ``n_frames`` and the mean of every
        per-frame feature (motion features leave out the shot's first frame, where the
        difference spans the cut).

    Taught in ``11_video_auto_editing``.
    """
    frames = as_frames(frames)
    per_frame = frame_features(frames) if per_frame is None else per_frame
    if len(per_frame) != len(frames):
        raise ValueError(f"per_frame has {len(per_frame)} rows for {len(frames)} frames")
    rows = []
    motion = [c for c in ("motion_energy", "flow_px") if c in per_frame]
    for start, end in shot_spans(boundaries, len(frames)):
        row = {"start": int(start), "end": int(end), "n_frames": int(end - start)}
        row.update(per_frame.iloc[start:end].mean().to_dict())
        for col in motion:
            inner = per_frame[col].iloc[start + 1:end]
            row[col] = float(inner.mean()) if len(inner) else 0.0
        rows.append(row)
    table = pd.DataFrame(rows)
    table.index.name = "shot"
    return table
