"""Video features (colour, texture, motion) and automatic editing."""

import numpy as np
import pytest

from aigc_kit.apps.video import (
    auto_edit,
    colourfulness,
    crossfade_concat,
    frame_difference_energy,
    frame_features,
    glcm_features,
    hsv_histograms,
    importance_scores,
    lbp_histograms,
    make_clip,
    optical_flow_magnitude,
    shot_features,
)


def test_colour_features():
    grey = np.full((2, 8, 8, 3), 0.5, np.float32)
    vivid = np.zeros((2, 8, 8, 3), np.float32)
    vivid[:, :4, :, 0] = 1.0
    vivid[:, 4:, :, 2] = 1.0
    c = colourfulness(np.concatenate([grey, vivid]))
    assert c[0] == pytest.approx(0.0, abs=1e-6) and c[2] > 100
    h = hsv_histograms(vivid, bins=(12, 4, 4))
    assert h.shape == (2, 20)
    np.testing.assert_allclose(h[:, :12].sum(1), 1.0)


def test_texture_features_tell_flat_from_noise():
    rng = np.random.default_rng(0)
    flat = np.full((1, 32, 32, 3), 0.4, np.float32)
    noise = rng.uniform(0, 1, (1, 32, 32, 3)).astype(np.float32)
    both = np.concatenate([flat, noise])
    glcm = glcm_features(both)
    assert glcm[0, 0] == 0.0 and glcm[1, 0] > 10  # contrast
    lbp = lbp_histograms(both)
    np.testing.assert_allclose(lbp.sum(1), 1.0)
    assert lbp[0, -1] < lbp[1, -1]  # non-uniform patterns only in noise


def test_motion_features_measure_a_known_shift():
    rng = np.random.default_rng(1)
    from scipy.ndimage import gaussian_filter

    image = gaussian_filter(rng.uniform(0, 1, (64, 80)), 2)
    image = (image - image.min()) / (image.max() - image.min())
    frames = np.stack([np.roll(image, 2 * i, axis=1) for i in range(4)])[..., None]
    frames = np.repeat(frames, 3, axis=-1).astype(np.float32)
    flow = optical_flow_magnitude(frames, downscale=1)
    assert flow[0] == 0.0
    assert np.all(np.abs(flow[1:] - 2.0) < 0.6)  # 2 pixels per frame
    energy = frame_difference_energy(frames)
    assert energy[0] == 0 and np.all(energy[1:] > 0)
    still = frame_difference_energy(np.repeat(frames[:1], 3, axis=0))
    np.testing.assert_allclose(still, 0.0)


@pytest.fixture(scope="module")
def clip():
    return make_clip(seed=11, n_shots=4)


def test_frame_and_shot_tables(clip):
    table = frame_features(clip.frames[:40], flow=False)
    assert len(table) == 40 and table.notna().all().all()
    shots = shot_features(clip.frames[:40], [20], table)
    assert list(shots["n_frames"]) == [20, 20]
    with pytest.raises(ValueError, match="increasing"):
        shot_features(clip.frames[:40], [30, 20], table)


def test_importance_scores_are_in_range(clip):
    scores = importance_scores(clip.frames, clip.boundaries)
    assert scores["shot"].nunique() == len(clip.shots)
    for col in ("motion", "colour", "novelty", "importance"):
        assert scores[col].between(0, 1).all()
    only_colour = importance_scores(clip.frames, clip.boundaries, weights={"colour": 1.0})
    np.testing.assert_allclose(only_colour["importance"], only_colour["colour"])
    with pytest.raises(ValueError, match="weights"):
        importance_scores(clip.frames, clip.boundaries, weights={"beauty": 1.0})


def test_auto_edit_hits_the_target_length_and_keeps_order(clip):
    result = auto_edit(clip.frames, target_seconds=4.0, fps=clip.fps)
    assert len(result.frames) == round(4.0 * clip.fps)
    seg = result.segments
    assert np.all(np.diff(seg["start"]) > 0) and np.all(seg["end"] > seg["start"])
    assert np.all(seg["start"].to_numpy()[1:] >= seg["end"].to_numpy()[:-1])  # no overlap
    for start, end in zip(seg["start"], seg["end"], strict=True):  # away from boundaries
        assert np.all((result.boundaries <= start - 6) | (result.boundaries >= end + 6))
    kept = np.concatenate([np.arange(a, b) for a, b in zip(seg["start"], seg["end"],
                                                            strict=True)])
    importance = result.scores["importance"].to_numpy()
    assert importance[kept].mean() > importance.mean()  # it keeps the important parts
    assert 0.0 <= result.frames.min() and result.frames.max() <= 1.0
    # the first segment is copied verbatim up to its crossfade
    np.testing.assert_allclose(result.frames[0], clip.frames[int(seg["start"].iloc[0])])
    with pytest.raises(ValueError, match="too short"):
        auto_edit(clip.frames, target_seconds=1000, fps=clip.fps)


def test_auto_edit_with_hard_cuts_copies_the_segments(clip):
    result = auto_edit(clip.frames, target_seconds=3.0, fps=clip.fps, crossfade_seconds=0.0,
                       segment_seconds=1.0, boundaries=clip.boundaries)
    seg = result.segments
    assert len(result.frames) == round(3.0 * clip.fps)
    assert seg["edit_start"].iloc[0] == 0 and seg["edit_start"].iloc[-1] < len(result.frames)
    expected = np.concatenate([clip.frames[a:b] for a, b in zip(seg["start"], seg["end"],
                                                                strict=True)])
    np.testing.assert_array_equal(result.frames, expected)


def test_auto_edit_refuses_a_target_the_material_cannot_fill(clip):
    with pytest.raises(ValueError, match="usable material.*shorter target_seconds"):
        auto_edit(clip.frames, target_seconds=9.0, fps=clip.fps, margin_seconds=1.5)
    with pytest.raises(ValueError, match="fps must be positive"):
        auto_edit(clip.frames, target_seconds=2.0, fps=0)


def test_crossfade_concat_length_and_blend():
    a = np.zeros((5, 4, 4, 3), np.float32)
    b = np.ones((5, 4, 4, 3), np.float32)
    out = crossfade_concat([a, b], 3)
    assert len(out) == 7
    assert np.all(np.diff(out[:, 0, 0, 0]) >= 0) and 0 < out[3, 0, 0, 0] < 1
    with pytest.raises(ValueError, match="longer than the crossfade"):
        crossfade_concat([a, b[:2]], 3)
