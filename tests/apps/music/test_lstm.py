"""Tests of aigc_kit.apps.music.lstm (``09_music_generation``): the melody LSTM, its training
on the kit's loop (cosine schedule by default), its held-out cross-entropy, and sampling on
the kit's contract (``sample(n, *, generator, device)`` tokens; ``generate_lstm`` melodies)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import aigc_kit.apps.music.lstm as lstm_module
from aigc_kit.apps.music import (
    DURATIONS,
    MelodyLSTM,
    generate_lstm,
    lstm_log_likelihood,
    plan_from_phrase_lengths,
    train_melody_lstm,
)
from aigc_kit.apps.music.lstm import DEFAULT_PLAN, crop
from aigc_kit.apps.music.tokens import PAD, lstm_tensors
from aigc_kit.generation import sample
from aigc_kit.models import LatentSampler
from aigc_kit.training import RunConfig, TrainResult

CPU_RUN = RunConfig(steps=60, max_seconds=None, device="cpu", progress=False)


@pytest.fixture(scope="module")
def trained(corpus):
    """An LSTM trained for 60 steps and its TrainResult."""
    train, _ = corpus.split(seed=0)
    torch.manual_seed(0)
    model = MelodyLSTM(corpus.low, corpus.high, hidden=64)
    return model, train_melody_lstm(model, train, run=CPU_RUN)


def test_lstm_learns_returns_its_result_and_beats_uniform_guessing(trained, corpus):
    model, result = trained
    assert isinstance(result, TrainResult) and result.ok and result.steps == 60
    h = result.history
    assert list(h.columns) == ["step", "seconds", "loss", "pitch_ce", "duration_ce"]
    assert h["loss"].tail(10).mean() < h["loss"].head(10).mean() - 0.5
    assert not model.training
    _, test = corpus.split(seed=0)
    ll = lstm_log_likelihood(model, test)
    assert ll["pitch_ce"] < math.log(corpus.n_pitches) - 0.5
    assert ll["duration_ce"] < math.log(len(DURATIONS)) - 0.5


def test_training_runs_a_cosine_schedule_unless_told_otherwise(corpus, monkeypatch):
    tasks, melody_task = [], lstm_module.melody_task

    def spy(*args, **kwargs):  # keep the tasks, to read their optimisers afterwards
        tasks.append(melody_task(*args, **kwargs))
        return tasks[-1]

    monkeypatch.setattr(lstm_module, "melody_task", spy)
    run = CPU_RUN.replace(steps=10)
    for schedule in (None, "constant"):
        train_melody_lstm(MelodyLSTM(corpus.low, corpus.high, hidden=8), corpus.melodies[:8],
                          lr=1e-3, run=run.replace(lr_schedule=schedule))
    cosine, constant = (t.optimizers[0].param_groups[0]["lr"] for t in tasks)
    assert cosine == pytest.approx(1e-3 * run.replace(lr_schedule="cosine").lr_factor(0.9))
    assert cosine < 0.2e-3 and constant == 1e-3


def test_the_lstm_samples_token_tensors_on_the_kit_contract(trained, corpus):
    model, _ = trained
    assert isinstance(model, LatentSampler)
    tokens = sample(model, 3, seed=4)  # the default plan: 8.7.8.7 notes
    assert tokens.shape == (3, len(DEFAULT_PLAN), 3) and tokens.dtype == torch.int64
    np.testing.assert_array_equal(tokens[0, :, 2].numpy(), DEFAULT_PLAN)
    assert int(tokens[..., 0].max()) < model.n_pitches and int(tokens[..., 1].max()) < 8
    assert torch.equal(tokens, sample(model, 3, generator=torch.Generator().manual_seed(4)))
    assert not torch.equal(tokens, sample(model, 3, seed=5))
    short, long = plan_from_phrase_lengths([3]), plan_from_phrase_lengths([2, 3])
    padded = model.sample(2, generator=torch.Generator().manual_seed(0),
                          phrase_ends=[short, long], modes=["major", "minor"])
    assert padded.shape == (2, 5, 3)
    assert (padded[0, 3:] == PAD).all() and (padded[1] != PAD).all()


def test_generate_lstm_follows_its_plan_and_repeats_with_a_seed(trained, corpus):
    model, _ = trained
    plan = plan_from_phrase_lengths([5, 4, 6])
    out = generate_lstm(model, 2, plan, ["major", "minor"], temperature=0.8, seed=3)
    assert [len(m) for m in out] == [15, 15] and [m.mode for m in out] == ["major", "minor"]
    np.testing.assert_array_equal(out[0].phrase_end, plan)
    assert all(corpus.low <= p <= corpus.high for m in out for p in m.pitch)
    assert set(np.concatenate([m.duration for m in out])) <= set(DURATIONS)
    again = generate_lstm(model, 2, [plan, plan], ["major", "minor"], 0.8,
                          generator=torch.Generator().manual_seed(3))
    np.testing.assert_array_equal(out[1].pitch, again[1].pitch)
    torch.manual_seed(1)
    free = generate_lstm(model, 2, plan, temperature=1.0)  # the global RNG
    torch.manual_seed(1)
    np.testing.assert_array_equal(free[0].pitch, generate_lstm(model, 2, plan)[0].pitch)
    greedy = generate_lstm(model, 1, plan, "major", temperature=0.0, seed=0)[0]
    greedy2 = generate_lstm(model, 1, plan, "major", temperature=0.0, seed=9)[0]
    np.testing.assert_array_equal(greedy.pitch, greedy2.pitch)  # temperature 0 is greedy


def test_generate_lstm_runs_in_eval_mode_and_gives_the_mode_back(trained):
    model, _ = trained
    plan = plan_from_phrase_lengths([6, 6])
    expected = generate_lstm(model, 2, plan, seed=1)  # eval mode (the trainer left it so)
    model.train()  # dropout 0.4: train-mode draws would differ
    try:
        np.testing.assert_array_equal(generate_lstm(model, 2, plan, seed=1)[1].pitch,
                                      expected[1].pitch)
        assert model.training
    finally:
        model.eval()


def test_generate_lstm_refuses_bad_arguments(trained):
    model, _ = trained
    plan = plan_from_phrase_lengths([4])
    with pytest.raises(ValueError, match="temperature"):
        generate_lstm(model, 1, plan, "major", temperature=-1.0)
    with pytest.raises(ValueError, match="modes"):
        generate_lstm(model, 1, [plan], ["lydian"])
    with pytest.raises(ValueError, match="2 of them"):
        generate_lstm(model, 2, [plan, plan, plan])
    with pytest.raises(ValueError, match="not both"):
        generate_lstm(model, 1, plan, seed=0, generator=torch.Generator())
    with pytest.raises(ValueError, match="positive integer"):
        generate_lstm(model, 0, plan)


def test_crop_takes_one_stretch_of_each_melody(corpus):
    ms = [corpus.melodies[0], corpus.melodies[1]]
    b = lstm_tensors(ms, corpus.low, corpus.high)
    b["mask"][1, 10:] = False  # a melody of 10 notes, shorter than the crop
    b["pitch"][1, 10:] = 0
    torch.manual_seed(0)
    out = crop(b, 12)
    assert out["pitch"].shape == (2, 12) and torch.equal(out["mode"], b["mode"])
    row = b["pitch"][0].tolist()
    start = next(i for i in range(len(row) - 11) if row[i:i + 12] == out["pitch"][0].tolist())
    assert out["prev_pitch"][0].tolist() == b["prev_pitch"][0, start:start + 12].tolist()
    assert out["mask"][0].all() and int(out["mask"][1].sum()) == 10


def test_training_stops_on_nan(corpus):
    model = MelodyLSTM(corpus.low, corpus.high, hidden=16)
    with torch.no_grad():
        model.pitch_head.bias.fill_(float("nan"))
    with pytest.warns(RuntimeWarning, match="non-finite"):
        result = train_melody_lstm(model, corpus.melodies[:8], run=CPU_RUN.replace(steps=5))
    assert not result.ok and "non-finite" in result.stopped
    with pytest.raises(ValueError, match="seq_len"):
        train_melody_lstm(model, corpus.melodies[:8], seq_len=1, run=CPU_RUN)
