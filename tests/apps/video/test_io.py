"""Frames validation, torch layout, GIF/MP4 round trips, clear errors (aigc_kit.apps.video.io)."""

import numpy as np
import pytest
import torch

from aigc_kit.apps.video import (
    VideoLoadError,
    as_frames,
    ffmpeg_available,
    from_tensor,
    play,
    play_side_by_side,
    read_video,
    storyboard,
    to_tensor,
    write_video,
)


def _ramp(t=5, h=16, w=20):
    rng = np.random.default_rng(0)
    base = rng.uniform(0.1, 0.9, (1, h, w, 3)).astype(np.float32)
    return np.clip(base + np.linspace(0, 0.1, t)[:, None, None, None], 0, 1).astype(np.float32)


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (np.zeros((4, 4, 3)), "ONE image"),
        (np.zeros((2, 4, 4)), r"\(T, H, W, 3\)"),
        (np.zeros((2, 3, 4, 4)), "torch layout"),
        (np.zeros((0, 4, 4, 3)), "empty"),
        (np.full((2, 4, 4, 3), np.nan), "NaN"),
        (np.full((2, 4, 4, 3), 200.0), "divide by 255"),
    ],
)
def test_as_frames_rejects_bad_input(bad, message):
    with pytest.raises(ValueError, match=message):
        as_frames(bad)


def test_as_frames_converts_uint8_and_tensor_round_trip():
    frames = _ramp()
    assert as_frames((frames * 255).round().astype(np.uint8)).max() <= 1.0
    tensor = to_tensor(frames)
    assert tensor.shape == (5, 3, 16, 20)
    np.testing.assert_allclose(from_tensor(tensor), frames, atol=1e-6)
    np.testing.assert_allclose(as_frames(tensor), frames, atol=1e-6)
    with pytest.raises(ValueError, match="NaN"):
        from_tensor(torch.full((1, 3, 2, 2), float("nan")))


def test_gif_round_trip(tmp_path):
    frames = _ramp()
    path = write_video(tmp_path / "a.gif", frames, fps=10)
    back, fps = read_video(path)
    assert back.shape == frames.shape
    assert abs(fps - 10) < 0.5
    assert np.abs(back - frames).mean() < 0.03  # 256-colour palette


@pytest.mark.skipif(not ffmpeg_available(), reason="needs FFmpeg (imageio-ffmpeg)")
def test_mp4_round_trip_pads_odd_sizes(tmp_path):
    yy, xx = np.mgrid[0:15, 0:21] / 21.0  # smooth content: MP4 (yuv420p) blurs colour noise
    frames = np.stack([np.stack([yy, xx, 0.5 + 0 * yy], -1) * (0.6 + 0.05 * i)
                       for i in range(6)]).astype(np.float32)
    back, fps = read_video(write_video(tmp_path / "a.mp4", frames, fps=12))
    assert back.shape == (6, 16, 22, 3)
    assert abs(fps - 12) < 0.1
    assert np.abs(back[:, :15, :21] - frames).mean() < 0.05


def test_unreadable_files_name_the_file(tmp_path):
    with pytest.raises(VideoLoadError, match="missing.gif.*not found"):
        read_video(tmp_path / "missing.gif")
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    with pytest.raises(VideoLoadError, match="empty.mp4.*0 bytes"):
        read_video(empty)
    junk = tmp_path / "junk.gif"
    junk.write_text("not a gif")
    with pytest.raises(VideoLoadError, match="junk.gif.*not a readable GIF"):
        read_video(junk)
    other = tmp_path / "clip.xyz"
    other.write_text("x")
    with pytest.raises(VideoLoadError, match="unknown video extension"):
        read_video(other)
    with pytest.raises(ValueError, match="unknown video extension"):
        write_video(tmp_path / "a.avi2", _ramp(), 10)


def test_players_embed_the_clip_inline():
    html = play(_ramp(), fps=10, fmt="gif").data
    assert "data:image/gif;base64," in html
    table = play_side_by_side({"original": _ramp(), "edit": _ramp(t=3)}, fps=10, fmt="gif").data
    assert table.count("<img") == 2 and "original" in table and "edit" in table
    fig = storyboard(_ramp(t=8), fps=4, boundaries=[4])
    assert len([ax for ax in fig.axes if ax.images]) == 2
