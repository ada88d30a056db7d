"""Automatic editing with sound: splicing, sync through MP4 files, highlights from audio."""

import numpy as np
import pytest

from aigc_kit.apps.video import (
    Soundtrack,
    auto_edit,
    ffmpeg_available,
    importance_scores,
    load_video,
    splice_soundtrack,
    write_video,
)
from aigc_kit.apps.video.edit import sound_features

needs_ffmpeg = pytest.mark.skipif(not ffmpeg_available(), reason="needs FFmpeg (imageio-ffmpeg)")

FPS, RATE = 12.0, 16000


def _shots_with_clicks(seed: int = 0, n_frames: int = 240):
    """Shots of flat, distinct grey levels (so each frame says which shot it is), cut every
    12-30 frames, and a sound of quiet noise with a click on the frame boundary of every cut.

    Returns frames (T, 24, 32, 3), the shot of every frame, the cut frames, the soundtrack.
    """
    rng = np.random.default_rng(seed)
    cuts = np.cumsum(rng.integers(12, 31, 20))
    cuts = cuts[cuts < n_frames - 6]
    shot = np.searchsorted(cuts, np.arange(n_frames), side="right")
    levels = 0.1 + 0.8 * ((shot * 0.37) % 1.0)  # distinct levels for neighbouring shots
    frames = np.broadcast_to(levels[:, None, None, None], (n_frames, 24, 32, 3)).copy()
    wave = 0.003 * rng.standard_normal(int(n_frames * RATE / FPS)).astype(np.float32)
    for cut in cuts:
        at = int(round(cut * RATE / FPS))
        wave[at:at + 24] += 0.9 * np.hanning(24).astype(np.float32)
    return frames.astype(np.float32), shot, cuts, Soundtrack(wave, RATE)


def _click_time(wave: np.ndarray, rate: int, around: float, half_window: float) -> float:
    """Time in seconds of the loudest sample within ``half_window`` s of ``around``."""
    lo = max(0, int((around - half_window) * rate))
    hi = int((around + half_window) * rate)
    return (lo + int(np.argmax(np.abs(wave[lo:hi])))) / rate


def _edit_with_cuts_inside(frames, sound):
    """An edit whose segments keep some of the source's cuts (boundaries=[]: one shot)."""
    return auto_edit(frames, target_seconds=10.0, fps=FPS, segment_seconds=3.0,
                     boundaries=np.zeros(0, int), audio=sound)


def _cuts_in_edit(edit, cuts, c):
    """Each source cut inside a kept segment, away from the crossfades: its frame in the edit."""
    out = []
    for start, end, edit_start in zip(edit.segments["start"], edit.segments["end"],
                                      edit.segments["edit_start"], strict=True):
        for cut in cuts[(cuts >= start + c + 2) & (cuts <= end - c - 2)]:
            out.append(int(edit_start + cut - start))
    return out


def test_splice_keeps_length_and_joins_without_clicks():
    t = np.arange(RATE * 2) / RATE
    tone = Soundtrack((0.5 * np.sin(2 * np.pi * 440 * t)).astype(np.float32), RATE)
    spans = [(0, 7), (12, 19)]  # frames; a hard cut (no crossfade) a third of a cycle off
    out = splice_soundtrack(tone, spans, FPS, crossfade_frames=0)
    assert len(out.waveform) == round(14 * RATE / FPS)
    join = round(7 * RATE / FPS)
    step = np.abs(np.diff(out.waveform))
    assert step[join - 200:join + 200].max() < 2.0 * step[:join - 400].max()  # no click
    naive = np.concatenate([tone.waveform[:join], tone.waveform[round(12 * RATE / FPS):
                                                                 round(19 * RATE / FPS)]])
    assert np.abs(np.diff(naive))[join - 2:join + 2].max() > 3 * step[:join - 400].max()
    faded = splice_soundtrack(tone, spans, FPS, crossfade_frames=3)
    assert len(faded.waveform) == round(11 * RATE / FPS)


def test_edit_cuts_sound_at_the_same_frames():
    frames, _, cuts, sound = _shots_with_clicks(seed=1)
    edit = _edit_with_cuts_inside(frames, sound)
    c = int(round(0.25 * FPS))
    assert edit.audio is not None and edit.notes == []
    assert len(edit.audio.waveform) == round(len(edit.frames) * RATE / FPS)
    inside = _cuts_in_edit(edit, cuts, c)
    assert inside, "the edit should keep at least one cut of the source"
    for frame in inside:
        got = _click_time(edit.audio.waveform, RATE, frame / FPS, 1.5 / FPS)
        assert abs(got * FPS - frame) < 0.05  # in memory: exact to the sample


@needs_ffmpeg
def test_click_and_cut_stay_within_a_frame_through_mp4_files(tmp_path):
    """The issue's test: clicks on the frame boundaries of cuts, through an MP4 round trip,
    an automatic edit and another MP4 round trip."""
    frames, _, cuts, sound = _shots_with_clicks(seed=2)
    source = write_video(tmp_path / "source.mp4", frames, FPS, audio=sound)
    footage = load_video(source, audio=True)
    loaded, fps, track = footage.frames, footage.fps, footage.soundtrack
    assert fps == FPS and track is not None and track.rate == RATE
    edit = _edit_with_cuts_inside(loaded.astype(np.float32) / 255.0, track)
    edited = write_video(tmp_path / "edit.mp4", edit.frames, FPS, audio=edit.audio)
    reloaded = load_video(edited, audio=True)
    back, heard = reloaded.frames, reloaded.soundtrack
    grey = back.astype(np.float32).mean(axis=(1, 2, 3)) / 255.0
    offsets = []
    for frame in _cuts_in_edit(edit, cuts, int(round(0.25 * FPS))):
        jumps = np.abs(np.diff(grey[frame - 2:frame + 3]))
        seen = frame - 2 + 1 + int(np.argmax(jumps))  # first frame of the new shot
        heard_at = _click_time(heard.waveform, heard.rate, frame / FPS, 1.5 / FPS)
        offsets.append(heard_at * FPS - seen)
    assert len(offsets) >= 2
    assert np.all(np.abs(offsets) < 1.0), offsets  # click and cut within one frame


def test_silent_footage_gives_a_silent_edit_that_says_so():
    frames, _, _, _ = _shots_with_clicks(seed=3, n_frames=120)
    edit = auto_edit(frames, target_seconds=4.0, fps=FPS, boundaries=np.zeros(0, int))
    assert edit.audio is None and "silent" in edit.notes[0]


def test_too_short_clip_names_both_lengths():
    frames, _, _, sound = _shots_with_clicks(seed=4, n_frames=60)
    with pytest.raises(ValueError, match=r"5\.00 s.*8\.00 s"):
        auto_edit(frames, target_seconds=8.0, fps=FPS, audio=sound)


def test_loud_and_busy_sound_raises_importance():
    frames, _, _, _ = _shots_with_clicks(seed=5, n_frames=120)
    rng = np.random.default_rng(0)
    wave = 0.002 * rng.standard_normal(int(120 * RATE / FPS)).astype(np.float32)
    lo, hi = int(60 * RATE / FPS), int(90 * RATE / FPS)  # frames 60-89: loud, with beats
    wave[lo:hi] += 0.05 * rng.standard_normal(hi - lo).astype(np.float32)
    for beat in range(lo, hi - 640, RATE // 6):  # a 40 ms burst six times a second
        wave[beat:beat + 640] += 0.8 * rng.standard_normal(640).astype(np.float32)
    sound = Soundtrack(wave, RATE)
    table = sound_features(sound, 120, FPS)
    assert table["loudness_db"].iloc[60:90].min() > table["loudness_db"].iloc[:50].max() + 20
    assert table["onset_rate"].iloc[65:85].mean() > 3 * table["onset_rate"].iloc[:50].mean()
    scores = importance_scores(frames, np.zeros(0, int), audio=sound, fps=FPS)
    assert {"loudness", "onsets"} <= set(scores.columns)
    assert scores["importance"].iloc[62:88].mean() > scores["importance"].iloc[:50].mean() + 0.2
    with pytest.raises(ValueError, match="soundtrack"):
        importance_scores(frames, np.zeros(0, int), weights={"loudness": 1.0})
