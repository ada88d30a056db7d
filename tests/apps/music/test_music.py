"""Melody generation (aigc_kit.apps.music): corpus, metrics, baselines, models, prompts."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from aigc_kit.apps.music import (
    DURATIONS,
    Melody,
    MelodyLSTM,
    MelodyVAE,
    compare_to_baselines,
    count_syllables,
    generate_from_prompt,
    generate_lstm,
    generate_vae,
    interval_histogram,
    load_bach_soprano,
    pitch_class_histogram,
    plan_from_phrase_lengths,
    plot_piano_roll,
    random_walk_melodies,
    render_melody,
    shuffled_melodies,
    steer,
    total_variation,
    train_melody_lstm,
    train_melody_vae,
    verdict,
    write_midi,
)
from aigc_kit.apps.music.corpus import _transposition, quantise_durations
from aigc_kit.apps.music.models import countdown, lstm_tensors, vae_windows
from aigc_kit.training import RunConfig


@pytest.fixture(scope="module")
def corpus():
    """The cached corpus file (data/bach_soprano.npz), parsed if missing (about 90 s)."""
    return load_bach_soprano(progress=False)


def _melody(pitches, durations=None, ends=None, mode="major"):
    n = len(pitches)
    return Melody(np.asarray(pitches), np.asarray(durations or [1.0] * n, dtype=float),
                  np.asarray(ends if ends is not None else [False] * (n - 1) + [True]), mode)


# ----------------------------------------------------------------- corpus


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


def test_melody_validates_lengths():
    with pytest.raises(ValueError, match="same length"):
        Melody(np.array([60, 62]), np.array([1.0]), np.array([False, True]))
    with pytest.raises(ValueError, match="mode"):
        _melody([60, 62], mode="dorian")


# ----------------------------------------------------------------- metrics and baselines


def test_histograms_and_distance():
    m = _melody([60, 62, 64, 62, 72])
    pch = pitch_class_histogram(m)
    np.testing.assert_allclose(pch[[0, 2, 4]], [0.4, 0.4, 0.2])
    iv = interval_histogram(m, max_interval=3)  # steps +2 +2 -2 +10 (clipped to +3)
    np.testing.assert_allclose(iv, [0, 0.25, 0, 0, 0, 0.5, 0.25])
    assert total_variation(pch, pch) == 0.0
    assert total_variation([1, 0], [0, 1]) == 1.0
    with pytest.raises(ValueError, match="same shape"):
        total_variation(np.ones(12), np.ones(25))
    with pytest.raises(ValueError, match="two notes"):
        interval_histogram(_melody([60]))


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


# ----------------------------------------------------------------- encodings and models


def test_countdown_and_plans():
    ends = plan_from_phrase_lengths([3, 2])
    np.testing.assert_array_equal(ends, [False, False, True, False, True])
    np.testing.assert_array_equal(countdown(ends), [2, 1, 0, 1, 0])
    np.testing.assert_array_equal(countdown(np.zeros(12, bool))[:3], [8, 8, 8])
    with pytest.raises(ValueError, match="positive"):
        plan_from_phrase_lengths([3, 0])


def test_lstm_tensors_shift_by_one(corpus):
    ms = corpus.melodies[:4]
    t = lstm_tensors(ms, corpus.low, corpus.high)
    n0 = len(ms[0])
    assert t["prev_pitch"][0, 0] == corpus.n_pitches  # start token
    assert torch.equal(t["prev_pitch"][0, 1:n0], t["pitch"][0, : n0 - 1])
    assert int(t["mask"][0].sum()) == n0
    with pytest.raises(ValueError, match="outside the model's range"):
        lstm_tensors(ms, corpus.low + 10, corpus.high)


def test_lstm_learns_and_follows_its_plan(corpus):
    torch.set_num_threads(1)
    train, _ = corpus.split(seed=0)
    model = MelodyLSTM(corpus.low, corpus.high, hidden=64)
    result = train_melody_lstm(model, train,
                               run=RunConfig(steps=60, max_seconds=None, device="cpu",
                                             progress=False))
    h = result.history
    assert result.ok and result.steps == 60
    assert h["loss"].tail(10).mean() < h["loss"].head(10).mean() - 0.5
    plan = plan_from_phrase_lengths([5, 4, 6])
    out = generate_lstm(model, [plan, plan], ["major", "minor"], temperature=0.8, seed=3)
    assert [len(m) for m in out] == [15, 15]
    np.testing.assert_array_equal(out[0].phrase_end, plan)
    assert all(corpus.low <= p <= corpus.high for m in out for p in m.pitch)
    assert set(np.concatenate([m.duration for m in out])) <= set(DURATIONS)
    again = generate_lstm(model, [plan, plan], ["major", "minor"], temperature=0.8, seed=3)
    np.testing.assert_array_equal(out[1].pitch, again[1].pitch)
    greedy = generate_lstm(model, plan, "major", temperature=0.0, seed=0)[0]
    greedy2 = generate_lstm(model, plan, "major", temperature=0.0, seed=9)[0]
    np.testing.assert_array_equal(greedy.pitch, greedy2.pitch)  # temperature 0 is greedy
    with pytest.raises(ValueError, match="temperature"):
        generate_lstm(model, plan, "major", temperature=-1.0)
    with pytest.raises(ValueError, match="modes"):
        generate_lstm(model, [plan], ["lydian"])


def test_vae_windows_and_training(corpus):
    torch.set_num_threads(1)
    train, _ = corpus.split(seed=0)
    x = vae_windows(train[:20], corpus.low, corpus.high)
    assert x.shape[1:] == (16, corpus.n_pitches + len(DURATIONS) + 2)
    torch.testing.assert_close(x.sum(-1), torch.full(x.shape[:2], 3.0))  # three one-hots
    vae = MelodyVAE(corpus.low, corpus.high, hidden=64)
    result = train_melody_vae(vae, train,
                              run=RunConfig(steps=80, max_seconds=None, device="cpu",
                                            progress=False))
    h = result.history
    assert h["reconstruction"].tail(10).mean() < h["reconstruction"].head(10).mean() - 10
    out = generate_vae(vae, 3, windows_per_melody=2, temperature=1.0, seed=0)
    assert [len(m) for m in out] == [32, 32, 32]
    assert all(m.phrase_end[-1] for m in out)


def test_vae_decoder_is_causal_and_samples_reproducibly(corpus):
    torch.manual_seed(0)
    vae = MelodyVAE(corpus.low, corpus.high, latent=4, hidden=32).eval()
    x = vae_windows(corpus.melodies[:3], corpus.low, corpus.high)[:2]
    z = torch.randn(2, 4)
    changed = x.clone()
    changed[:, 5:] = changed[:, 5:].roll(1, dims=0)  # other notes from position 5 on
    with torch.no_grad():
        a, b = vae.decode_teacher_forced(z, x), vae.decode_teacher_forced(z, changed)
    torch.testing.assert_close(a[:, :6], b[:, :6])  # note t sees only notes before it
    assert not torch.allclose(a[:, 6:], b[:, 6:])
    gen = [torch.Generator().manual_seed(3) for _ in range(2)]
    p1, d1, e1 = vae.sample_tokens(z, 1.0, gen[0])
    p2, _, _ = vae.sample_tokens(z, 1.0, gen[1])
    assert p1.shape == d1.shape == e1.shape == (2, 16)
    assert torch.equal(p1, p2) and int(p1.max()) < vae.n_pitches and int(e1.max()) <= 1
    with pytest.raises(ValueError, match="note_dropout"):
        MelodyVAE(corpus.low, corpus.high, note_dropout=1.0)


def test_training_stops_on_nan(corpus):
    model = MelodyLSTM(corpus.low, corpus.high, hidden=16)
    with torch.no_grad():
        model.pitch_head.bias.fill_(float("nan"))
    with pytest.warns(RuntimeWarning, match="non-finite"):
        result = train_melody_lstm(model, corpus.melodies[:8],
                                   run=RunConfig(steps=5, max_seconds=None, device="cpu",
                                                 progress=False))
    assert not result.ok and "non-finite" in result.stopped


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


# ----------------------------------------------------------------- prompt and rendering


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


def test_generate_from_prompt_transposes(corpus):
    model = MelodyLSTM(corpus.low, corpus.high, hidden=16)
    c = steer("a dark evening song with two lines")
    out = generate_from_prompt(model, c, n=2, seed=0)
    raw = generate_lstm(model, [c.phrase_ends()] * 2, c.mode, 0.9, 0, "prompt")
    np.testing.assert_array_equal(out[0].pitch, raw[0].pitch + c.register)
    assert c.register == -5 and c.mode == "minor"


def test_render_and_midi(tmp_path):
    import pretty_midi

    m = _melody([69, 71, 72], [1.0, 1.0, 2.0])
    y = render_melody(m, "pluck", bpm=120.0, sr=8000, fermata_stretch=1.0)
    assert y.dtype == np.float32 and np.abs(y).max() == pytest.approx(0.9, abs=1e-4)
    assert len(y) == pytest.approx(8000 * (2.0 + 0.1), abs=2)  # 4 quarters at 120 BPM + tail
    longer = render_melody(m, "pluck", bpm=120.0, sr=8000, fermata_stretch=2.0)
    assert len(longer) == pytest.approx(8000 * 3.1, abs=2)
    with pytest.raises(ValueError, match="timbre"):
        render_melody(m, "kazoo")
    path = write_midi([m, m], tmp_path / "out" / "m.mid", bpm=60.0, timbre="bowed",
                      transpose=-12)
    pm = pretty_midi.PrettyMIDI(str(path))
    notes = pm.instruments[0].notes
    assert [n.pitch for n in notes] == [57, 59, 60] * 2
    assert pm.instruments[0].program == 40
    assert notes[2].end - notes[2].start == pytest.approx(2.0, abs=1e-3)
    assert notes[3].start == pytest.approx(6.0, abs=1e-3)  # 4 quarters + 2 gap at 60 BPM
    with pytest.raises(ValueError, match=".mid"):
        write_midi(m, tmp_path / "m.wav")
    ax = plot_piano_roll({"a": m, "b": m})
    assert len(ax.patches) == 6
