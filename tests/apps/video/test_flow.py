"""Tests of aigc_kit.apps.video.flow: optical flow, warping, occlusion masks, warp error."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.ndimage import gaussian_filter

from aigc_kit.apps.video.flow import (
    ClipFlows,
    FlowConfig,
    clip_flows,
    ghosting_score,
    occlusion_mask,
    optical_flow,
    warp,
    warp_error,
)


def _texture(shape: tuple[int, int], seed: int = 0) -> np.ndarray:
    """A smooth random RGB texture in [0, 1] (trackable by Lucas-Kanade)."""
    noise = np.random.default_rng(seed).random((*shape, 3))
    tex = np.stack([gaussian_filter(noise[..., c], 1.5) for c in range(3)], axis=-1)
    tex = (tex - tex.min()) / (tex.max() - tex.min())
    return tex.astype(np.float32)


def _panning_clip(n: int = 5, size: int = 32, step: tuple[int, int] = (1, 2)) -> np.ndarray:
    """Crops of one large texture, moving ``step`` pixels (row, col) per frame."""
    big = _texture((size + n * step[0] + 2, size + n * step[1] + 2))
    return np.stack([big[t * step[0]:t * step[0] + size, t * step[1]:t * step[1] + size]
                     for t in range(n)])


def test_warp_by_a_known_shift_recovers_the_frame():
    clip = _panning_clip(n=2)
    # frame 1 at p is frame 0 at p + (1, 2): the backward flow is the constant (1, 2)
    flow = np.broadcast_to(np.array([1.0, 2.0], np.float32)[:, None, None], (2, 32, 32))
    warped = warp(clip[0], flow)
    np.testing.assert_allclose(warped[:-1, :-2], clip[1][:-1, :-2], atol=1e-6)
    assert np.abs(clip[0] - clip[1]).mean() > 0.05  # the unwarped frames really differ
    # the estimated flow finds the same shift, and warping along it recovers the frame
    est = optical_flow(clip[1], clip[0])
    assert est.shape == (2, 32, 32)
    np.testing.assert_allclose(np.median(est[:, 4:-4, 4:-4], axis=(1, 2)), [1.0, 2.0], atol=0.1)
    inner = (slice(4, -4), slice(4, -4))
    assert np.abs(warp(clip[0], est)[inner] - clip[1][inner]).mean() < 0.02


def test_occlusion_mask_flags_disoccluded_pixels():
    h = w = 24
    backward = np.zeros((2, h, w), np.float32)
    forward = np.zeros((2, h, w), np.float32)
    # a square at rows 8-15 moves 3 columns right: cols 5-12 in frame t-1, cols 8-15 in t
    forward[1, 8:16, 5:13] = 3.0
    backward[1, 8:16, 8:16] = -3.0
    mask = occlusion_mask(backward, forward)
    # disoccluded in t: the background the square uncovered (cols 5-7)
    assert not mask[9:15, 5:8].any()
    # still background and the square's interior are trusted
    assert mask[:5, :].all() and mask[-5:, :].all()
    assert mask[10:14, 10:14].all()
    # a flow that points out of the frame is not trusted either
    out = np.zeros((2, h, w), np.float32)
    out[1] = -2.0
    assert not occlusion_mask(out, -out)[:, :2].any()
    assert occlusion_mask(out, -out)[:, 2:].all()


def test_warp_error_is_zero_for_a_consistently_stylised_translation():
    clip = _panning_clip(n=5)
    flows = clip_flows(clip)
    assert isinstance(flows, ClipFlows) and flows.backward.shape == (4, 2, 32, 32)
    assert flows.mask.mean() > 0.5
    stylised = np.clip(1.0 - clip[..., ::-1] ** 0.7, 0, 1)  # one pointwise map for all frames
    flickering = np.clip(stylised + np.random.default_rng(1).normal(0, 0.1, clip.shape), 0, 1)
    consistent = warp_error(stylised, clip, flows)
    assert consistent < 0.02
    assert consistent < 0.2 * np.abs(np.diff(stylised, axis=0)).mean()  # not just still
    assert warp_error(flickering, clip, flows) > 4 * consistent
    assert ghosting_score(stylised, clip, flows) < 0.03


def test_tvl1_agrees_and_bad_inputs_raise():
    clip = _panning_clip(n=2)
    est = optical_flow(clip[1], clip[0], FlowConfig(method="tvl1"))
    np.testing.assert_allclose(np.median(est[:, 4:-4, 4:-4], axis=(1, 2)), [1.0, 2.0], atol=0.2)
    with pytest.raises(ValueError, match="method"):
        FlowConfig(method="farneback")
    with pytest.raises(ValueError, match="does not fit"):
        warp(clip[0], np.zeros((2, 8, 8), np.float32))
    with pytest.raises(ValueError, match="at least 2"):
        clip_flows(clip[:1])
    with pytest.raises(ValueError, match="do not belong"):
        warp_error(clip, clip, clip_flows(_panning_clip(n=3)))
