"""Tests for aigc_kit.apps.music.steering and the spoken prompt rules (nudge)."""

from __future__ import annotations

import numpy as np
import pytest

from aigc_kit.apps.music import MelodyLSTM, MelodySteering, nudge, steer
from aigc_kit.apps.music.prompt import REGISTER_SEMITONES, TEMPO_BPM


def test_nudge_steps_along_the_prompt_scales() -> None:
    start = steer("a hymn")  # middle register, moderate tempo
    assert nudge(start, "higher").register == REGISTER_SEMITONES["high"]
    assert nudge(nudge(start, "higher"), "higher").register == REGISTER_SEMITONES["high"]
    assert nudge(start, "lower").register == REGISTER_SEMITONES["low"]
    assert nudge(start, "faster").bpm == TEMPO_BPM["fast"]
    slow = nudge(start, "slower")
    assert slow.bpm == TEMPO_BPM["slow"] and slow.register == start.register
    assert slow.phrase_lengths == start.phrase_lengths and slow.mode == start.mode
    assert slow.table().iloc[-1]["because"].startswith("spoken 'slower'")
    with pytest.raises(ValueError, match="higher"):
        nudge(start, "louder")


def test_steering_writes_a_new_melody_for_each_word() -> None:
    model = MelodyLSTM(55, 80)
    steering = MelodySteering(model, steer("a hymn"), sr=8000, seed=0, max_seconds=2.0)
    before = steering.melody
    reply = steering.steer("higher")
    assert reply.sr == 8000 and reply.clip is steering.clip and "register +5" in reply.message
    assert steering.conditioning.register == 5
    assert not np.array_equal(before.pitch[:5], steering.melody.pitch[:5]) or \
        steering.melody.pitch.min() >= 55 + 5 - 12
    again = steering.again()
    assert again.clip is steering.clip
    assert set(steering.actions()) == {"higher", "lower", "faster", "slower", "again"}
