"""Tests of aigc_kit.apps.video.style: colour transfer, random-network style transfer, scores."""

from __future__ import annotations

import numpy as np
import pytest

from aigc_kit.apps.video import (
    colour_transfer,
    flicker_score,
    gram_style_distance,
    lab_statistics,
    load_photo,
    make_clip,
    style_transfer,
)
from aigc_kit.apps.video.flow import clip_flows, ghosting_score, warp_error


@pytest.fixture(scope="module")
def clip() -> np.ndarray:
    c = make_clip(seed=3, n_shots=1, size=(32, 32), shot_seconds=(1.0, 1.0),
                  photos=("chelsea", "astronaut"), cameras=("pan",), p_moving_object=1.0,
                  p_lighting_change=0.0)
    return c.frames[:6]


@pytest.fixture(scope="module")
def style() -> np.ndarray:
    return load_photo("coffee", min_size=(48, 48))[:48, :48]


def test_colour_transfer_moves_lab_statistics_to_the_style(clip, style):
    out = colour_transfer(clip, style)
    assert out.shape == clip.shape and out.dtype == np.float32
    assert 0.0 <= out.min() and out.max() <= 1.0
    m0, s0 = lab_statistics(clip)
    m1, s1 = lab_statistics(out)
    ms, ss = lab_statistics(style)
    # much closer than before (clipping to the RGB gamut keeps it from being exact)
    assert np.abs(m1 - ms).max() < 0.25 * np.abs(m0 - ms).max()
    assert np.abs(m1 - ms).max() < 4.0
    assert np.abs(s1 - ss).max() < 4.0
    np.testing.assert_allclose(colour_transfer(clip, style, strength=0.0), clip, atol=2e-3)


def test_colour_transfer_is_one_map_for_the_whole_clip(clip, style):
    # the same frame appearing twice in a clip is mapped identically (no per-frame fit)
    doubled = np.concatenate([clip, clip[:1]])
    out = colour_transfer(doubled, style)
    np.testing.assert_allclose(out[0], out[-1], atol=1e-6)


def test_style_transfer_lowers_gram_distance(clip, style):
    before = gram_style_distance(clip[:2], style, device="cpu")
    out = style_transfer(clip[:2], style, iterations=10, device="cpu")
    after = gram_style_distance(out, style, device="cpu")
    assert out.shape == clip[:2].shape
    assert after < 0.5 * before


def test_temporal_term_lowers_flicker(clip, style):
    kw = {"iterations": 8, "first_iterations": 20, "device": "cpu", "seed": 1}
    free = style_transfer(clip, style, **kw)
    steady = style_transfer(clip, style, temporal_weight=100.0, **kw)
    assert flicker_score(steady, clip) < 0.9 * flicker_score(free, clip)


@pytest.fixture(scope="module")
def shape_clip() -> np.ndarray:
    """A textured square moving 2 pixels right per frame over a still photo, 6 x 32 x 32."""
    background = load_photo("astronaut", min_size=(32, 32))[:32, :32]
    square = load_photo("chelsea", min_size=(64, 64))[20:32, 20:32]
    frames = np.repeat(background[None], 6, axis=0).copy()
    for t in range(6):
        frames[t, 10:22, 4 + 2 * t:16 + 2 * t] = square
    return frames.astype(np.float32)


def test_warped_beats_temporal_without_warp_on_a_moving_shape(shape_clip, style):
    kw = {"iterations": 8, "first_iterations": 20, "device": "cpu", "seed": 1,
          "temporal_weight": 100.0}
    flows = clip_flows(shape_clip)
    plain = style_transfer(shape_clip, style, mode="temporal", **kw)
    warped = style_transfer(shape_clip, style, mode="warped", **kw)
    # precomputed flows give the same result as computing them inside
    np.testing.assert_array_equal(warped, style_transfer(shape_clip, style, mode="warped",
                                                         flow=flows, **kw))
    with pytest.raises(ValueError, match="do not belong"):
        style_transfer(shape_clip[:3], style, mode="warped", flow=flows, **kw)
    assert warp_error(warped, shape_clip, flows) < 0.75 * warp_error(plain, shape_clip, flows)
    assert ghosting_score(warped, shape_clip, flows) < 0.3 * ghosting_score(plain, shape_clip,
                                                                            flows)
    # both still carry the style
    assert gram_style_distance(warped, style, device="cpu", seed=1) < 0.5 * gram_style_distance(
        shape_clip, style, device="cpu", seed=1)


def test_mode_names_match_the_older_switches(clip, style):
    kw = {"iterations": 2, "first_iterations": 3, "device": "cpu", "seed": 2}
    np.testing.assert_array_equal(style_transfer(clip[:3], style, mode="independent", **kw),
                                  style_transfer(clip[:3], style, init="content", **kw))
    np.testing.assert_array_equal(
        style_transfer(clip[:3], style, mode="temporal", temporal_weight=5.0, **kw),
        style_transfer(clip[:3], style, init="previous", temporal_weight=5.0, **kw))


def test_style_transfer_is_deterministic(clip, style):
    a = style_transfer(clip[:2], style, iterations=3, device="cpu", seed=2)
    b = style_transfer(clip[:2], style, iterations=3, device="cpu", seed=2)
    np.testing.assert_array_equal(a, b)


def test_flicker_score_of_identity_is_one_and_of_noise_is_large(clip):
    assert flicker_score(clip, clip) == pytest.approx(1.0)
    noisy = np.clip(clip + np.random.default_rng(0).normal(0, 0.2, clip.shape), 0, 1)
    assert flicker_score(noisy, clip) > 2.0


def test_bad_inputs_raise(clip, style):
    with pytest.raises(ValueError, match="one RGB image"):
        colour_transfer(clip, clip)
    with pytest.raises(ValueError, match="frames"):
        flicker_score(clip[:3], clip)
    with pytest.raises(ValueError, match="never changes"):
        flicker_score(clip, np.repeat(clip[:1], len(clip), axis=0))
    with pytest.raises(ValueError, match="init"):
        style_transfer(clip, style, init="noise")
    with pytest.raises(ValueError, match="mode"):
        style_transfer(clip, style, mode="optical")
    with pytest.raises(ValueError, match="strength"):
        colour_transfer(clip, style, strength=2.0)
    with pytest.raises(ValueError, match=r"\(T, H, W, 3\)"):
        gram_style_distance(clip[..., 0], style)
