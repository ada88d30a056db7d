"""The footage generator: determinism, ground truth that matches the pixels, bad input."""

import numpy as np
import pytest

from aigc_kit.apps.video import PHOTOS, load_photo, make_clip
from aigc_kit.apps.video.clips import FAST_CAMERA_MOVES


@pytest.fixture(scope="module")
def clip():
    return make_clip(seed=3, n_shots=5)


def test_photos_are_bundled_and_colour():
    for name in PHOTOS:
        image = load_photo(name, (96, 128))
        assert image.ndim == 3 and image.shape[2] == 3
        assert image.shape[0] >= 96 and image.shape[1] >= 128
        assert 0.0 <= image.min() and image.max() <= 1.0


def test_clip_is_deterministic_and_valid(clip):
    again = make_clip(seed=3, n_shots=5)
    np.testing.assert_array_equal(clip.frames, again.frames)
    assert clip.frames.dtype == np.float32 and clip.frames.shape[1:] == (96, 128, 3)
    assert 0.0 <= clip.frames.min() and clip.frames.max() <= 1.0
    other = make_clip(seed=4, n_shots=5)
    assert other.frames.shape != clip.frames.shape or not np.array_equal(other.frames,
                                                                         clip.frames)


def test_ground_truth_is_consistent(clip):
    assert len(clip.transitions) == 4 and len(clip.shots) == 5
    b = clip.boundaries
    assert np.all(np.diff(b) > 0)
    for tr in clip.transitions:
        assert tr.start <= tr.boundary < tr.end
        if tr.kind == "cut":
            assert tr.end == tr.start + 1
    # shot_of_frame switches exactly at the reported boundaries
    switches = np.flatnonzero(np.diff(clip.shot_of_frame)) + 1
    np.testing.assert_array_equal(switches, b)
    for a, z in zip(clip.shots[:-1], clip.shots[1:], strict=True):
        assert a.photo != z.photo


def test_cut_changes_the_picture_and_fade_goes_black():
    cut = make_clip(seed=1, n_shots=2, transitions=("cut",), p_lighting_change=0,
                    p_moving_object=0, noise_std=0)
    b = cut.boundaries[0]
    jump = np.abs(cut.frames[b] - cut.frames[b - 1]).mean()
    steady = np.abs(cut.frames[b - 1] - cut.frames[b - 2]).mean()
    assert jump > 5 * steady
    fade = make_clip(seed=1, n_shots=2, transitions=("fade",), noise_std=0)
    tr = fade.transitions[0]
    assert fade.frames[tr.boundary - 1].max() == 0.0  # the black frame before the fade-in
    assert fade.frames[tr.start - 1].mean() > 0.1


def test_dissolve_blends_both_shots():
    clip = make_clip(seed=2, n_shots=2, transitions=("dissolve",), noise_std=0)
    tr = clip.transitions[0]
    assert tr.kind == "dissolve" and tr.end - tr.start >= 2
    mid = clip.frames[tr.boundary]
    before, after = clip.frames[tr.start - 1], clip.frames[tr.end]
    # the middle frame is closer to the average of both ends than to either end
    assert np.abs(mid - (before + after) / 2).mean() < np.abs(mid - before).mean()
    assert np.abs(mid - (before + after) / 2).mean() < np.abs(mid - after).mean()


def test_single_shot_has_no_transitions():
    clip = make_clip(seed=9, n_shots=1, noise_std=0)
    assert clip.transitions == [] and len(clip.shots) == 1
    assert (clip.shots[0].start, clip.shots[0].end) == (0, len(clip.frames))
    np.testing.assert_array_equal(clip.shot_of_frame, np.zeros(len(clip.frames), int))


def test_shots_tile_the_clip_through_every_transition_kind():
    clip = make_clip(seed=0, n_shots=6, size=(48, 64))
    assert {"cut", "dissolve", "fade"} <= set(clip.kinds)
    assert clip.shots[0].start == 0 and clip.shots[-1].end == len(clip.frames)
    for shot, tr, nxt in zip(clip.shots, clip.transitions, clip.shots[1:], strict=False):
        assert shot.start < tr.start and nxt.start <= tr.boundary <= shot.end <= tr.end
    assert len(clip.shot_of_frame) == len(clip.frames)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n_shots": 0}, "n_shots"),
        ({"transitions": ("wipe",)}, "unknown transition"),
        ({"cameras": ("dolly",)}, "unknown camera"),
        ({"photos": ("lena",)}, "unknown photo"),
        ({"photos": ("coffee",)}, "two photos"),
        ({"p_flash": 1.5}, "p_flash"),
        ({"size": (8, 8)}, "size"),
        ({"fps": 0}, "fps must be positive"),
        ({"cameras": ()}, "at least one camera move"),
    ],
)
def test_bad_parameters(kwargs, message):
    with pytest.raises(ValueError, match=message):
        make_clip(**kwargs)


def test_flashes_are_recorded_brighten_and_return():
    clip = make_clip(seed=11, n_shots=4, p_flash=1.0, noise_std=0)
    assert len(clip.flashes) >= 3
    luma = clip.frames.mean(axis=(1, 2, 3))
    for start, end in clip.flashes:
        assert 1 <= end - start <= 3
        assert luma[start] > luma[start - 1] + 0.06  # a jump up...
        assert luma[start:end].min() > max(luma[start - 1], luma[end])  # ...that comes back
        # a flash is not a boundary: same shot before and after, far from any transition
        assert clip.shot_of_frame[start - 1] == clip.shot_of_frame[end]
        for s, e in clip.spans:
            assert end + 3 <= s or start >= e + 3
    # flashes have their own random stream: without them the clip is the same
    plain, no_flash = make_clip(seed=11, n_shots=4, noise_std=0), make_clip(seed=11, n_shots=4,
                                                                          p_flash=0.0,
                                                                          noise_std=0)
    assert plain.flashes == [] and np.array_equal(plain.frames, no_flash.frames)
    outside = np.ones(len(clip.frames), bool)
    for start, end in clip.flashes:
        outside[start:end] = False
    np.testing.assert_array_equal(clip.frames[outside], plain.frames[outside])


@pytest.mark.parametrize("camera", FAST_CAMERA_MOVES)
def test_fast_moves_happen_within_a_few_frames(camera):
    clip = make_clip(seed=12, n_shots=1, cameras=(camera,), p_moving_object=0,
                     p_lighting_change=0, noise_std=0, shot_seconds=(3.0, 3.0))
    steps = np.abs(np.diff(clip.frames, axis=0)).mean(axis=(1, 2, 3))
    assert clip.shots[0].camera == camera
    assert np.sort(steps)[-6:].sum() > 0.8 * steps.sum()  # the move is over in <= 6 frames
    assert steps.max() > 10 * np.median(steps)


def test_fade_then_long_dissolve_in_short_shots_fits():
    clip = make_clip(seed=4, n_shots=6, photos=("coffee", "chelsea"), fps=8.0,
                     shot_seconds=(1.0, 2.0), transition_seconds=(0.3, 2.0),
                     cameras=("static",))
    assert {"fade", "dissolve"} <= set(clip.kinds)
    assert len(clip.transitions) == 5 and len(clip.shot_of_frame) == len(clip.frames)
    for a, b in zip(clip.transitions, clip.transitions[1:], strict=False):
        assert a.end <= b.start  # every shot keeps a frame of its own between transitions


def test_single_shot_of_a_single_photo():
    clip = make_clip(n_shots=1, photos=("coffee",), p_moving_object=1.0)
    assert clip.shots[0].photo == "coffee" and clip.transitions == []
    assert clip.frames.shape[1:] == (96, 128, 3)


def test_distractors_pass_by_without_changing_the_rest():
    from aigc_kit.apps.video import Distractors

    plain = make_clip(seed=21, n_shots=3, noise_std=0)
    busy = make_clip(seed=21, n_shots=3, noise_std=0,
                     distractors=Distractors(foreground=1.0, occluder=1.0, walker=1.0))
    again = make_clip(seed=21, n_shots=3, noise_std=0,
                      distractors=Distractors(foreground=1.0, occluder=1.0, walker=1.0))
    np.testing.assert_array_equal(busy.frames, again.frames)
    np.testing.assert_array_equal(busy.boundaries, plain.boundaries)  # same cuts, same shots
    assert plain.passes == [] and {k for k, _, _ in busy.passes} == {"occluder", "walker"}
    for kind, start, end in busy.passes:
        assert start < end
        for s, e in busy.spans:  # never across a transition
            assert end <= s or start >= e
        changed = np.abs(busy.frames[start:end] - plain.frames[start:end]).mean(axis=(1, 2, 3))
        assert changed.max() > 1e-4, kind  # something is drawn (a walker may only peek in)
    for _, start, end in (p for p in busy.passes if p[0] == "occluder"):
        assert 3 <= end - start <= 8
        cover = np.abs(busy.frames[start:end] - plain.frames[start:end]).max(axis=-1) > 0.05
        assert cover.mean(axis=(1, 2)).max() > 0.3  # a large part of the frame at its widest
    with pytest.raises(ValueError, match="probability"):
        make_clip(distractors=Distractors(walker=2.0))


def test_edge_moves_start_from_rest_and_stop_at_the_end():
    from aigc_kit.apps.video import Distractors

    clip = make_clip(seed=22, n_shots=2, transitions=("cut",), noise_std=0, p_moving_object=0,
                     p_lighting_change=0, distractors=Distractors(edge_moves=True))
    assert clip.shots[0].camera in ("pan", "zoom", "ken_burns")
    steps = np.abs(np.diff(clip.frames, axis=0)).mean(axis=(1, 2, 3))
    first = steps[:clip.boundaries[0] - 1]
    assert first[:2].mean() < 0.5 * first[-4:].mean()  # accelerating from rest
    last = steps[clip.boundaries[0]:]
    assert last[-2:].mean() < 0.5 * last[:4].mean()  # slowing down to rest
