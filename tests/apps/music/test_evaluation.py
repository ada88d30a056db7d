"""Tests of aigc_kit.apps.music.evaluation (``09_music_generation``): generator sets sized
like the held-out melodies, the distance table and its verdict."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from aigc_kit.apps.music import (
    MelodyLSTM,
    MelodyVAE,
    compare_to_baselines,
    generator_sets,
    verdict,
)


def test_generator_sets_are_sized_like_the_held_out_melodies(corpus):
    train, test = corpus.split(seed=0)
    test = test[:6]
    torch.manual_seed(0)
    lstm = MelodyLSTM(corpus.low, corpus.high, hidden=16).eval()
    vae = MelodyVAE(corpus.low, corpus.high, latent=4, hidden=16).eval()
    sets = generator_sets(train, test, lstm, vae, temperature=1.0, seed=2)
    assert list(sets) == ["LSTM", "VAE", "random walk", "shuffled corpus", "real (train)"]
    for a, b in zip(sets["LSTM"], test, strict=True):  # the LSTM follows the held-out plans
        np.testing.assert_array_equal(a.phrase_end, b.phrase_end)
        assert a.mode == b.mode
    notes = sum(len(m) for m in test)
    assert abs(sum(len(m) for m in sets["VAE"]) - notes) <= vae.window / 2
    again = generator_sets(train, test, lstm, vae, temperature=1.0, seed=2)
    for name in ("LSTM", "VAE"):  # each seed is a fixed draw
        assert all(np.array_equal(a.pitch, b.pitch)
                   for a, b in zip(sets[name], again[name], strict=True))
    with pytest.raises(ValueError, match="held-out"):
        generator_sets(train, [], lstm)


def test_compare_to_baselines_table(corpus):
    train, test = corpus.split(seed=0)
    table = compare_to_baselines(train, test[:12], None, None, repeats=2)
    assert list(table.index) == ["random walk", "shuffled corpus", "real (train)"]
    # shuffling keeps the notes: pitch classes identical to the unshuffled draw
    assert table.loc["shuffled corpus", "pitch_class_tv"] == pytest.approx(
        table.loc["real (train)", "pitch_class_tv"])
    assert table.loc["shuffled corpus", "interval_tv"] > 2 * table.loc["real (train)",
                                                                       "interval_tv"]
    assert table.loc["random walk", "pitch_class_tv"] > table.loc["real (train)",
                                                                  "pitch_class_tv"]
    # verdict reads any row as a model: real Bach beats the random walk on both metrics
    lines = verdict(table, ["real (train)", "shuffled corpus"])
    assert len(lines) == 2 * 4 + 1 and lines[-1].startswith("NOTE: real (train)")
    assert lines[0].startswith("PASS: real (train) pitch_class_tv")
    assert lines[5].startswith("FAIL: shuffled corpus interval_tv")  # leaps vs small steps
    assert verdict(table, "real (train)")[:4] == lines[:4]
    with pytest.raises(ValueError, match="LSTM"):
        verdict(table, ["real (train)", "LSTM"])
