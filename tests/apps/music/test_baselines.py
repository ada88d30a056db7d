"""Tests of aigc_kit.apps.music.baselines (``09_music_generation``): the random walk and the
shuffled corpus."""

from __future__ import annotations

import numpy as np

from aigc_kit.apps.music import (
    pitch_class_histogram,
    random_walk_melodies,
    shuffled_melodies,
    total_variation,
)


def test_baselines(corpus):
    train, test = corpus.split(seed=0)
    plans = [m.phrase_end for m in test[:10]]
    walk = random_walk_melodies(train, plans, max_step=2, seed=1)
    assert [len(m) for m in walk] == [len(p) for p in plans]
    low = min(m.pitch.min() for m in train)
    high = max(m.pitch.max() for m in train)
    for m in walk:
        assert np.abs(np.diff(m.pitch)).max() <= 2
        assert low <= m.pitch.min() and m.pitch.max() <= high
    shuffled = shuffled_melodies(train, 10, seed=1)
    originals = {m.name: m for m in train}
    for s in shuffled:
        o = originals[s.name.removeprefix("shuffled ")]
        assert sorted(s.pitch) == sorted(o.pitch)  # same notes
        assert total_variation(pitch_class_histogram(s), pitch_class_histogram(o)) == 0.0
    assert any(not np.array_equal(s.pitch, originals[s.name[9:]].pitch) for s in shuffled)
