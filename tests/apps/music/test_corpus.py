"""Tests of aigc_kit.apps.music.corpus (``09_music_generation``): the Bach chorale soprano
lines, their cache, the split by tune, transposition and duration snapping."""

from __future__ import annotations

import numpy as np
import pytest

from aigc_kit.apps.music import DURATIONS, Melody, load_bach_soprano, pitch_class_histogram
from aigc_kit.apps.music.corpus import _transposition, quantise_durations


def test_corpus_is_transposed_real_bach(corpus):
    assert len(corpus) >= 340 and corpus.n_notes > 15000
    assert {m.mode for m in corpus.melodies} == {"major", "minor"}
    pch = pitch_class_histogram(corpus.melodies)
    # C major / A minor: the seven white keys carry almost every note (G# for the minor).
    white = pch[[0, 2, 4, 5, 7, 9, 11]].sum()
    assert white > 0.9
    assert pch[8] > pch[1]  # G# (raised 7th of A minor) beats C#
    means = np.array([m.pitch.mean() for m in corpus.melodies])
    assert np.all(np.abs(means - 70.0) <= 6.5)  # one common register
    durations = np.concatenate([m.duration for m in corpus.melodies])
    assert set(np.unique(durations)) <= set(DURATIONS)
    assert np.mean(durations == 1.0) > 0.5  # chorales move mostly in quarter notes
    assert all(m.phrase_end[-1] for m in corpus.melodies)


def test_parse_a_few_chorales_matches_the_cache(corpus):
    fresh = load_bach_soprano(limit=3, progress=False)
    by_name = {m.name: m for m in corpus.melodies}
    for m in fresh.melodies:
        cached = by_name[m.name]
        np.testing.assert_array_equal(m.pitch, cached.pitch)
        np.testing.assert_array_equal(m.duration, cached.duration)
        np.testing.assert_array_equal(m.phrase_end, cached.phrase_end)


def test_split_keeps_tunes_apart(corpus):
    train, test = corpus.split(seed=0)
    assert len(train) + len(test) == len(corpus)
    heads = {tuple(m.pitch[:12]) for m in train}
    assert not any(tuple(m.pitch[:12]) in heads for m in test)
    assert [m.name for m in corpus.split(seed=0)[1]] == [m.name for m in test]
    with pytest.raises(ValueError, match="test_fraction"):
        corpus.split(test_fraction=1.0)


def test_transposition_and_quantisation():
    assert _transposition(7, "major", 70.0) % 12 == 5  # G major -> C major
    assert _transposition(4, "minor", 70.0) % 12 == 5  # E minor -> A minor
    assert abs(70.0 + _transposition(0, "major", 82.0) - 70.0) <= 12
    assert _transposition(0, "major", 82.0) == -12
    np.testing.assert_array_equal(quantise_durations(np.array([0.9, 1.4, 2.6, 0.3])),
                                  [1.0, 1.5, 3.0, 0.25])


def test_melody_validates_lengths(make_melody):
    with pytest.raises(ValueError, match="same length"):
        Melody(np.array([60, 62]), np.array([1.0]), np.array([False, True]))
    with pytest.raises(ValueError, match="mode"):
        make_melody([60, 62], mode="dorian")
