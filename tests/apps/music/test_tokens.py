"""Tests of aigc_kit.apps.music.tokens (``09_music_generation``): countdowns, phrase plans,
duration tokens, the LSTM's tensors, the VAE's one-hot windows and token tensors back to
melodies."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from aigc_kit.apps.music import DURATIONS, melodies_from_tokens, plan_from_phrase_lengths
from aigc_kit.apps.music.tokens import (
    MAX_COUNTDOWN,
    N_DURATIONS,
    PAD,
    countdown,
    duration_tokens,
    lstm_tensors,
    vae_windows,
    window_tokens,
)


def test_countdown_and_plans():
    ends = plan_from_phrase_lengths([3, 2])
    np.testing.assert_array_equal(ends, [False, False, True, False, True])
    np.testing.assert_array_equal(countdown(ends), [2, 1, 0, 1, 0])
    np.testing.assert_array_equal(countdown(np.zeros(12, bool))[:3], [MAX_COUNTDOWN] * 3)
    # notes after the last phrase end count down to the melody's end
    np.testing.assert_array_equal(countdown([True, False, False]), [0, 1, 0])
    with pytest.raises(ValueError, match="positive"):
        plan_from_phrase_lengths([3, 0])
    with pytest.raises(ValueError, match="non-empty"):
        plan_from_phrase_lengths([])


def test_duration_tokens_snap_to_the_vocabulary():
    tokens = duration_tokens(np.array([0.25, 0.9, 1.4, 4.0, 7.0]))
    np.testing.assert_array_equal(np.asarray(DURATIONS)[tokens], [0.25, 1.0, 1.5, 4.0, 4.0])


def test_lstm_tensors_shift_by_one(corpus):
    ms = corpus.melodies[:4]
    t = lstm_tensors(ms, corpus.low, corpus.high)
    n0 = len(ms[0])
    assert t["prev_pitch"][0, 0] == corpus.n_pitches  # start tokens
    assert t["prev_dur"][0, 0] == N_DURATIONS
    assert torch.equal(t["prev_pitch"][0, 1:n0], t["pitch"][0, : n0 - 1])
    assert torch.equal(t["pitch"][0, :n0], torch.from_numpy(ms[0].pitch - corpus.low))
    assert int(t["mask"][0].sum()) == n0
    np.testing.assert_array_equal(t["count"][0, :n0].numpy(), countdown(ms[0].phrase_end))
    assert t["mode"].tolist() == [("major", "minor").index(m.mode) for m in ms]
    with pytest.raises(ValueError, match="outside the model's range"):
        lstm_tensors(ms, corpus.low + 10, corpus.high)
    with pytest.raises(ValueError, match="no melodies"):
        lstm_tensors([], corpus.low, corpus.high)


def test_vae_windows_are_one_hot_and_read_back(corpus):
    ms = corpus.melodies[:3]
    x = vae_windows(ms, corpus.low, corpus.high, window=16, hop=2)
    assert x.shape[1:] == (16, corpus.n_pitches + N_DURATIONS + 2)
    torch.testing.assert_close(x.sum(-1), torch.full(x.shape[:2], 3.0))  # three one-hots
    assert len(x) == sum((len(m) - 16) // 2 + 1 for m in ms)
    tokens = window_tokens(x[:1])
    m = ms[0]
    np.testing.assert_array_equal(tokens[0, :, 0].numpy(), m.pitch[:16] - corpus.low)
    np.testing.assert_array_equal(np.asarray(DURATIONS)[tokens[0, :, 1].numpy()],
                                  m.duration[:16])
    np.testing.assert_array_equal(tokens[0, :, 2].numpy().astype(bool), m.phrase_end[:16])
    with pytest.raises(ValueError, match="smaller window"):
        vae_windows(ms, corpus.low, corpus.high, window=10_000)
    with pytest.raises(ValueError, match="hop"):
        vae_windows(ms, corpus.low, corpus.high, hop=0)


def test_melodies_from_tokens_stop_at_the_padding():
    tokens = torch.tensor([[[0, 3, 0], [2, 4, 1], [1, 3, 1]],
                           [[5, 0, 0], [4, 7, 1], [PAD, PAD, PAD]]])
    a, b = melodies_from_tokens(tokens, 60, ["major", "minor"], name="x")
    np.testing.assert_array_equal(a.pitch, [60, 62, 61])
    np.testing.assert_array_equal(a.duration, [DURATIONS[3], DURATIONS[4], DURATIONS[3]])
    np.testing.assert_array_equal(a.phrase_end, [False, True, True])
    assert len(b) == 2 and b.mode == "minor" and (a.name, b.name) == ("x #0", "x #1")
    np.testing.assert_array_equal(b.duration, [DURATIONS[0], DURATIONS[7]])
    with pytest.raises(ValueError, match="modes"):
        melodies_from_tokens(tokens, 60, ["major"])
    with pytest.raises(ValueError, match="shape"):
        melodies_from_tokens(tokens[..., :2], 60)
