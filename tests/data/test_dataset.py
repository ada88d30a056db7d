"""Tests for aigc_kit.data.dataset: AudioSet, the labelled clips every loader returns."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from aigc_kit.data import AudioSet, SkippedFile

SR = 8000


def _set(skipped: list[SkippedFile] | None = None) -> AudioSet:
    clips = [np.full(n, i + 1, dtype=np.float32) for i, n in enumerate((8000, 4000, 12000))]
    labels = pd.DataFrame({"digit": [3, 5, 7], "speaker": ["ann", "bob", "ann"]},
                          index=[10, 20, 30])  # a filtered frame keeps its old index
    return AudioSet(clips, SR, labels, skipped or [])


def test_one_label_row_per_clip_or_a_clear_error():
    with pytest.raises(ValueError, match="2 clips but 3 label rows; pass one label row per clip"):
        AudioSet([np.zeros(4), np.zeros(4)], SR, pd.DataFrame({"x": [1, 2, 3]}))
    audio = _set()
    assert audio.labels.index.tolist() == [0, 1, 2]  # renumbered to match the clips
    clip, label = audio[1]
    assert label == {"digit": 5, "speaker": "bob"} and clip is audio.clips[1]
    assert len(audio) == 3


def test_durations_are_in_seconds_and_the_repr_says_so():
    audio = _set()
    np.testing.assert_array_equal(audio.durations(), [1.0, 0.5, 1.5])
    assert repr(audio) == ("AudioSet(3 clips at 8000 Hz, 3.0 s in all, label columns "
                           "['digit', 'speaker'])")


def test_skipped_files_are_listed_with_their_reasons():
    skipped = [SkippedFile(Path("a/empty.wav"), "empty file (0 bytes)"),
               SkippedFile(Path("b.wav"), "truncated")]
    audio = _set(skipped)
    text = repr(audio)
    assert ", 2 skipped:\n  a/empty.wav: empty file (0 bytes)\n  b.wav: truncated)" in text
    report = audio.skip_report()
    assert list(report.columns) == ["file", "reason"]
    assert report.to_dict("list") == {"file": ["a/empty.wav", "b.wav"],
                                      "reason": ["empty file (0 bytes)", "truncated"]}
    assert list(_set().skip_report().columns) == ["file", "reason"]
    assert len(_set().skip_report()) == 0


def test_subset_keeps_the_chosen_clips_with_their_labels_in_order():
    audio = _set([SkippedFile(Path("x.wav"), "bad")])
    part = audio.subset([True, False, True])
    assert [c[0] for c in part.clips] == [1.0, 3.0]
    assert part.labels.to_dict("list") == {"digit": [3, 7], "speaker": ["ann", "ann"]}
    assert part.labels.index.tolist() == [0, 1] and part.sr == SR
    assert part.skipped == []  # the loader's report belongs to the whole set
    assert len(audio.subset(np.zeros(3, dtype=bool))) == 0
    with pytest.raises(ValueError, match=r"mask has shape \(2,\), expected \(3,\)"):
        audio.subset([True, False])


def test_to_array_pads_with_silence_and_crops():
    audio = _set()
    full = audio.to_array()
    assert full.shape == (3, 12000) and full.dtype == np.float32
    assert full[1, :4000].tolist() == [2.0] * 4000 and not full[1, 4000:].any()
    short = audio.to_array(6000)
    assert short.shape == (3, 6000)
    np.testing.assert_array_equal(short[:, -1], [1.0, 0.0, 3.0])
    empty = AudioSet([], SR, pd.DataFrame())
    assert empty.to_array().shape == (0, 0) and empty.durations().shape == (0,)
