"""Tests of aigc_kit.apps.music.prompt (``09_music_generation``): syllables, the word rules
from a prompt to conditioning, and melodies that follow it."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from aigc_kit.apps.music import (
    MelodyLSTM,
    count_syllables,
    generate_from_prompt,
    generate_lstm,
    steer,
)


def test_syllables_and_prompt_rules():
    assert count_syllables("Abide with me, fast falls the eventide") == 10
    assert count_syllables("the") == 1
    c = steer("a calm evening song with five lines of lyrics")
    assert c.phrase_lengths == (8, 7, 8, 7, 8)
    assert (c.mode, c.bpm, c.register) == ("major", 63.0, -5)
    assert len(c.phrase_ends()) == 38 and c.phrase_ends().sum() == 5
    table = c.table()
    assert set(table["setting"]) >= {"lines", "mode", "tempo", "register", "bpm"}
    sad = steer("a sad fast dance", lyrics="one two three four / five six nine")
    assert sad.mode == "minor" and sad.bpm == 112.0 and sad.phrase_lengths == (4, 3)
    tie = steer("a happy sad song in 3 lines")
    assert tie.mode == "major" and len(tie.phrase_lengths) == 3  # tie -> default
    with pytest.raises(ValueError, match="non-empty"):
        steer("   ")
    with pytest.raises(ValueError, match="lyrics"):
        steer("a song", lyrics=" / ")


def test_generate_from_prompt_follows_the_plan_and_transposes(corpus):
    torch.manual_seed(0)
    model = MelodyLSTM(corpus.low, corpus.high, hidden=16).eval()
    c = steer("a dark evening song with two lines")
    out = generate_from_prompt(model, c, n=2, seed=0)
    raw = generate_lstm(model, 2, c.phrase_ends(), c.mode, 0.9, seed=0)
    np.testing.assert_array_equal(out[0].pitch, raw[0].pitch + c.register)
    np.testing.assert_array_equal(out[1].phrase_end, c.phrase_ends())
    assert c.register == -5 and c.mode == "minor" and out[1].mode == "minor"
    assert [m.name for m in out] == ["prompt #0", "prompt #1"]
    mine = generate_from_prompt(model, c, n=2, generator=torch.Generator().manual_seed(0))
    np.testing.assert_array_equal(mine[1].pitch, out[1].pitch)
    with pytest.raises(ValueError, match="positive integer"):
        generate_from_prompt(model, c, n=0)
