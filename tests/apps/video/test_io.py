"""Frames validation, torch layout, GIF/MP4 round trips, clear errors (aigc_kit.apps.video.io)."""

import numpy as np
import pytest
import torch

from aigc_kit.apps.video import (
    VideoLoadError,
    as_frames,
    ffmpeg_available,
    frame_times_to_rate,
    from_tensor,
    load_video,
    load_video_folder,
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


# --- user footage: load_video / load_video_folder ---------------------------------------------

needs_ffmpeg = pytest.mark.skipif(not ffmpeg_available(), reason="needs FFmpeg (imageio-ffmpeg)")


def _counter_clip(t=30, h=61, w=97):
    """Frame i is a flat grey of level 8 * i: its index can be read back after compression."""
    return np.repeat(np.arange(t, dtype=np.uint8)[:, None, None, None] * 8, h * w * 3).reshape(
        t, h, w, 3)


def _write_ffmpeg(path, frames, fps, codec="libx264"):
    """Write any container at any size (yuv444p lets H.264 keep odd sizes)."""
    import imageio.v2 as iio

    pixfmt = "yuv444p" if codec == "libx264" else "yuv420p"
    with iio.get_writer(path, format="FFMPEG", mode="I", fps=fps, codec=codec, quality=9,
                        pixelformat=pixfmt, macro_block_size=1) as writer:
        for frame in frames:
            writer.append_data(frame)
    return path


def _indices(frames):
    return np.round(frames[:, frames.shape[1] // 2, frames.shape[2] // 2, 0] / 8.0).astype(int)


@needs_ffmpeg
@pytest.mark.parametrize(("name", "codec"), [("a.mp4", "libx264"), ("a.mov", "libx264"),
                                             ("a.avi", "mpeg4")])
def test_load_video_round_trip_keeps_odd_size(tmp_path, name, codec):
    clip = _counter_clip(t=12, h=61, w=97) if codec == "libx264" else _counter_clip(12, 62, 98)
    video = load_video(_write_ffmpeg(tmp_path / name, clip, fps=12, codec=codec))
    frames, fps = video.frames, video.fps
    assert frames.dtype == np.uint8 and frames.shape == clip.shape
    assert fps == pytest.approx(12.0)
    np.testing.assert_array_equal(_indices(frames), np.arange(12))


@needs_ffmpeg
def test_load_video_resamples_by_time(tmp_path):
    path = _write_ffmpeg(tmp_path / "a.mp4", _counter_clip(t=30), fps=30)  # 1 s
    video = load_video(path, fps=10)
    frames, fps = video.frames, video.fps
    assert video.soundtrack is None and video.duration_s == pytest.approx(len(frames) / 10)
    assert fps == 10.0 and len(frames) == 10  # still 1 s
    np.testing.assert_array_equal(_indices(frames), np.arange(0, 30, 3))  # frame on screen
    up = load_video(path, fps=60).frames
    assert len(up) == 60 and _indices(up)[-1] == 29
    part = load_video(path, max_seconds=0.5).frames
    assert len(part) == 15


@needs_ffmpeg
def test_load_video_resizes(tmp_path):
    path = _write_ffmpeg(tmp_path / "a.mp4", _counter_clip(t=4, h=61, w=97), fps=10)
    assert load_video(path, size=(20, 30)).frames.shape == (4, 20, 30, 3)
    assert load_video(path, size=48).frames.shape == (4, 30, 48, 3)  # longest side 48, aspect kept
    assert load_video(path, size=500).frames.shape == (4, 61, 97, 3)  # never enlarged
    with pytest.raises(ValueError, match="size"):
        load_video(path, size=(0, 3))


@needs_ffmpeg
def test_load_video_applies_rotation_metadata(tmp_path):
    import subprocess

    import imageio_ffmpeg

    src = _write_ffmpeg(tmp_path / "a.mp4", _counter_clip(t=3, h=20, w=40), fps=10)
    rotated = tmp_path / "phone.mp4"
    done = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-loglevel", "error",
                           "-display_rotation", "90", "-i", str(src), "-c", "copy", str(rotated)],
                          capture_output=True)
    if done.returncode:
        pytest.skip("this FFmpeg cannot write rotation metadata (-display_rotation needs >= 7)")
    assert load_video(rotated).frames.shape == (3, 40, 20, 3)  # portrait, as the phone showed it


def test_load_video_gif_variable_frame_durations(tmp_path):
    from PIL import Image

    clip = _counter_clip(t=3, h=9, w=11)
    images = [Image.fromarray(f) for f in clip]
    path = tmp_path / "vfr.gif"
    images[0].save(path, save_all=True, append_images=images[1:], duration=[100, 300, 100])
    video = load_video(path, fps=10)
    frames, fps = video.frames, video.fps
    assert fps == 10.0
    np.testing.assert_array_equal(_indices(frames), [0, 1, 1, 1, 2])  # 0.5 s, timing kept
    assert load_video(path, size=(4, 5)).frames.shape == (3, 4, 5, 3)
    with pytest.raises(ValueError, match="max_seconds"):
        load_video(path, max_seconds=0)


def test_frame_times_to_rate_picks_frame_on_screen():
    times = np.array([0.0, 0.1, 0.35])
    np.testing.assert_array_equal(frame_times_to_rate(times, 0.5, fps=10), [0, 1, 1, 1, 2])
    np.testing.assert_array_equal(frame_times_to_rate(times, 0.5, 10, max_seconds=0.2), [0, 1])


@needs_ffmpeg
def test_load_video_clear_errors(tmp_path):
    good = _write_ffmpeg(tmp_path / "good.mp4", _counter_clip(t=20), fps=10).read_bytes()
    (tmp_path / "cut.mp4").write_bytes(good[: len(good) // 2])
    with pytest.raises(VideoLoadError, match=r"cut\.mp4.*truncated.*re-export"):
        load_video(tmp_path / "cut.mp4")
    rng = np.random.default_rng(0)  # noise: every frame costs bytes, so a cut loses frames
    noise = (rng.random((40, 32, 32, 3)) * 255).astype(np.uint8)
    import imageio.v2 as iio

    with iio.get_writer(tmp_path / "fast.mp4", format="FFMPEG", mode="I", fps=10, quality=9,
                        macro_block_size=1, output_params=["-movflags", "+faststart"]) as writer:
        for frame in noise:  # index first ("faststart"): a cut file still opens
            writer.append_data(frame)
    fast = (tmp_path / "fast.mp4").read_bytes()
    (tmp_path / "fast_cut.mp4").write_bytes(fast[: len(fast) // 2])
    with pytest.raises(VideoLoadError, match=r"fast_cut\.mp4.*truncated.*4\.00 s"):
        load_video(tmp_path / "fast_cut.mp4")
    assert len(load_video(tmp_path / "fast.mp4").frames) == 40
    (tmp_path / "notes.mp4").write_text("meeting notes, not a video\n" * 20)
    with pytest.raises(VideoLoadError, match=r"notes\.mp4.*not a video file"):
        load_video(tmp_path / "notes.mp4")
    (tmp_path / "empty.mov").write_bytes(b"")
    with pytest.raises(VideoLoadError, match=r"empty\.mov.*0 bytes"):
        load_video(tmp_path / "empty.mov")
    with pytest.raises(VideoLoadError, match=r"gone\.mp4.*not found"):
        load_video(tmp_path / "gone.mp4")


def test_load_video_without_ffmpeg_names_file_and_fix(tmp_path, monkeypatch):
    import aigc_kit.apps.video.io as vio

    monkeypatch.setattr(vio, "ffmpeg_available", lambda: False)
    (tmp_path / "a.mp4").write_bytes(b"\0\0\0\x18ftypmp42")
    with pytest.raises(VideoLoadError, match=r"a\.mp4.*pip install imageio-ffmpeg"):
        load_video(tmp_path / "a.mp4")


@needs_ffmpeg
def test_load_video_folder_reports_broken_clip(tmp_path):
    _write_ffmpeg(tmp_path / "a.mp4", _counter_clip(t=10), fps=10)
    (tmp_path / "sub").mkdir()
    write_video(tmp_path / "sub" / "b.gif", _counter_clip(t=4, h=8, w=8), fps=10)
    (tmp_path / "broken.mp4").write_text("not a video")
    (tmp_path / "readme.txt").write_text("ignored")
    found = load_video_folder(tmp_path, fps=5, size=(8, 8))
    assert list(found.labels["path"]) == ["a.mp4", "sub/b.gif"]
    assert [len(c) for c in found.clips] == [5, 2] and found.fps == [5.0, 5.0]
    assert [s.path.name for s in found.skipped] == ["broken.mp4"]
    assert "not a video" in found.skip_report()["reason"][0] and "broken.mp4" in repr(found)
    with pytest.raises(FileNotFoundError, match="nowhere"):
        load_video_folder(tmp_path / "nowhere")


@needs_ffmpeg
def test_mp4_players_stay_small_and_look_like_the_clip(tmp_path):
    import base64

    from aigc_kit.apps.video import make_clip

    clip = make_clip(seed=0, n_shots=6)  # chapter 11's demo clip: 15 s, 128 x 96, 12 fps
    html = play(clip.frames, clip.fps, fmt="mp4").data
    data = base64.b64decode(html.split("base64,")[1].split("'")[0])
    assert len(data) < 300_000  # was 1 MB per player at write_mp4's default quality
    path = tmp_path / "player.mp4"
    path.write_bytes(data)
    video = load_video(path)
    back, fps = video.frames, video.fps
    n = min(len(back), len(clip.frames))
    assert fps == pytest.approx(clip.fps) and n >= len(clip.frames) - 1
    mse = float(np.mean((as_frames(back[:n]) - clip.frames[:n]) ** 2))
    assert 10 * np.log10(1.0 / mse) > 30.0  # dB PSNR


# --- sound ------------------------------------------------------------------------------------


def _clicks(times, seconds, rate=16000):
    """Quiet noise with a short click at each of ``times`` (seconds)."""
    from aigc_kit.apps.video import Soundtrack

    wave = 0.002 * np.random.default_rng(0).standard_normal(int(seconds * rate))
    for t in times:
        at = int(round(t * rate))
        wave[at:at + 24] += 0.9 * np.hanning(24)
    return Soundtrack(wave.astype(np.float32), rate)


def _click_times(sound, n):
    """Times (s) of the ``n`` loudest, well-separated peaks, in order."""
    env = np.abs(sound.waveform).copy()
    found = []
    for _ in range(n):
        peak = int(np.argmax(env))
        found.append(peak / sound.rate)
        env[max(0, peak - sound.rate // 20):peak + sound.rate // 20] = 0
    return np.sort(found)


@needs_ffmpeg
def test_sound_round_trip_stays_on_its_frames(tmp_path):
    clip = _counter_clip(t=24, h=16, w=20)
    marks = [3, 11, 18]
    path = write_video(tmp_path / "a.mp4", clip.astype(np.float32) / 255.0, 12.0,
                       audio=_clicks([m / 12 for m in marks], 2.0))
    video = load_video(path, audio=True)
    frames, fps, sound = video.frames, video.fps, video.soundtrack
    assert len(frames) == 24 and sound.rate == 16000
    assert len(sound.waveform) == 2 * 16000  # exactly as long as the frames
    heard = _click_times(sound, 3) * fps
    np.testing.assert_allclose(heard, marks, atol=0.1)  # within a tenth of a frame
    video = load_video(path, fps=6, audio=True, audio_rate=8000)
    rate, slow = video.fps, video.soundtrack
    assert rate == 6 and slow.rate == 8000 and len(slow.waveform) == 2 * 8000
    with pytest.raises(ValueError, match="GIF has no audio"):
        write_video(tmp_path / "a.gif", clip, 12.0, audio=sound)


@needs_ffmpeg
def test_variable_frame_rate_sound_is_aligned_by_timestamps(tmp_path):
    import subprocess

    import imageio_ffmpeg
    import soundfile

    src = _write_ffmpeg(tmp_path / "even.mp4", _counter_clip(t=30, h=16, w=20), fps=30)
    # Frames 10 and later come 0.5 s late: frame 9 stays on screen for 0.53 s.
    times = {f: f / 30 + (0.5 if f >= 10 else 0.0) for f in (5, 15, 25)}
    soundfile.write(tmp_path / "clicks.wav", _clicks(times.values(), 1.6).waveform, 16000)
    vfr = tmp_path / "vfr.mp4"
    done = subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-loglevel", "error", "-i", str(src), "-i",
         str(tmp_path / "clicks.wav"), "-vf", "setpts='(N/30+gte(N,10)*0.5)/TB'",
         "-fps_mode", "vfr", "-c:v", "libx264", "-c:a", "aac", str(vfr)], capture_output=True)
    assert done.returncode == 0, done.stderr.decode()
    video = load_video(vfr, fps=30, audio=True)
    frames, fps, sound = video.frames, video.fps, video.soundtrack
    assert len(frames) == pytest.approx(30 * 1.5, abs=2)  # 1.5 s long, not 1.0 s
    shown = _indices(frames)
    heard = _click_times(sound, 3) * fps
    for (source_frame, _), click in zip(sorted(times.items()), heard, strict=True):
        first = int(np.flatnonzero(shown == source_frame)[0])  # first instant it is on screen
        assert abs(click - first) <= 1.0, (source_frame, click, first)


def test_no_sound_warns_and_returns_none(tmp_path):
    clip = _counter_clip(t=6, h=16, w=20)
    path = write_video(tmp_path / "a.gif", clip.astype(np.float32) / 255.0, 12.0)
    with pytest.warns(UserWarning, match="no audio track.*silent"):
        video = load_video(path, audio=True)
        frames, _, sound = video.frames, video.fps, video.soundtrack
    assert sound is None and len(frames) == 6
