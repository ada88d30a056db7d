"""Tests of aigc_kit.apps.music.vae (``09_music_generation``): the melody VAE, its loss (KL
from aigc_kit.training.gaussian_kl), its training on the kit's loop, and sampling on the
kit's contract (``generate_vae``, ``decode_vae``)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import aigc_kit.apps.music.vae as vae_module
from aigc_kit.apps.music import (
    DURATIONS,
    MelodyVAE,
    decode_vae,
    generate_vae,
    train_melody_vae,
    vae_windows,
)
from aigc_kit.apps.music.tokens import window_tokens
from aigc_kit.apps.music.vae import melody_vae_loss
from aigc_kit.generation import sample
from aigc_kit.training import RunConfig, TrainResult, gaussian_kl

CPU_RUN = RunConfig(steps=80, max_seconds=None, device="cpu", progress=False)


@pytest.fixture(scope="module")
def trained(corpus):
    """A small melody VAE trained for 80 steps and its TrainResult."""
    train, _ = corpus.split(seed=0)
    torch.manual_seed(0)
    vae = MelodyVAE(corpus.low, corpus.high, hidden=64)
    return vae, train_melody_vae(vae, train, run=CPU_RUN)


def test_vae_trains_and_returns_its_result(trained):
    vae, result = trained
    assert isinstance(result, TrainResult) and result.ok and result.steps == 80
    h = result.history
    assert list(h.columns) == ["step", "seconds", "loss", "reconstruction", "kl"]
    assert h["reconstruction"].tail(10).mean() < h["reconstruction"].head(10).mean() - 10
    assert not vae.training
    with pytest.raises(ValueError, match="beta"):
        train_melody_vae(vae, [], beta=-1.0)


def test_loss_is_token_cross_entropy_plus_beta_times_the_kit_kl(corpus, monkeypatch):
    vae = MelodyVAE(corpus.low, corpus.high, latent=4, hidden=16).eval()
    x = vae_windows(corpus.melodies[:2], corpus.low, corpus.high)[:5]
    torch.manual_seed(0)
    total, recon, kl = melody_vae_loss(vae, {"x": x}, beta=0.5)
    torch.manual_seed(0)  # the same reparameterised draw
    logits, mu, logvar = vae(x)
    expected = sum(F.cross_entropy(lg.flatten(0, 1), t.flatten(0, 1).argmax(-1),
                                   reduction="sum")
                   for lg, t in zip(vae.split_logits(logits), vae.split_logits(x), strict=True))
    torch.testing.assert_close(recon, expected / 5)
    torch.testing.assert_close(kl, gaussian_kl(mu, logvar).mean())
    torch.testing.assert_close(total, recon + 0.5 * kl)
    calls = []
    monkeypatch.setattr(vae_module, "gaussian_kl",
                        lambda m, lv: calls.append(m.shape) or gaussian_kl(m, lv))
    melody_vae_loss(vae, {"x": x}, beta=0.5)
    assert calls == [(5, 4)]  # the KL comes from the training stage, not rewritten here


def test_vae_decoder_is_causal_and_token_draws_repeat(corpus):
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
    t1 = vae.sample_tokens(z, 1.0, torch.Generator().manual_seed(3))
    t2 = vae.sample_tokens(z, 1.0, torch.Generator().manual_seed(3))
    assert t1.shape == (2, 16, 3) and torch.equal(t1, t2)
    assert int(t1[..., 0].max()) < vae.n_pitches and int(t1[..., 2].max()) <= 1
    assert torch.equal(window_tokens(vae.decode(z, temperature=1.0,
                                                generator=torch.Generator().manual_seed(3))),
                       t1)
    with pytest.raises(ValueError, match="note_dropout"):
        MelodyVAE(corpus.low, corpus.high, note_dropout=1.0)


def test_generate_vae_lays_windows_end_to_end_on_the_kit_contract(trained, corpus):
    vae, _ = trained
    out = generate_vae(vae, 3, windows_per_melody=2, temperature=1.0, seed=0)
    assert [len(m) for m in out] == [32, 32, 32] and all(m.phrase_end[-1] for m in out)
    assert set(np.concatenate([m.duration for m in out])) <= set(DURATIONS)
    assert all(corpus.low <= p <= corpus.high for m in out for p in m.pitch)
    # seed = a private generator that draws the codes, then the notes, as vae.sample does
    windows = sample(vae, 6, generator=torch.Generator().manual_seed(0))  # greedy notes
    greedy = generate_vae(vae, 3, 2, temperature=0.0, seed=0)
    tokens = window_tokens(windows).reshape(3, 32, 3)
    np.testing.assert_array_equal(greedy[2].pitch, tokens[2, :, 0].numpy() + vae.low)
    mine = generate_vae(vae, 3, 2, 1.0, generator=torch.Generator().manual_seed(0))
    np.testing.assert_array_equal(mine[1].pitch, out[1].pitch)
    assert not all(np.array_equal(a.pitch, b.pitch)
                   for a, b in zip(out, generate_vae(vae, 3, 2, 1.0, seed=1), strict=True))
    vae.train()
    try:
        np.testing.assert_array_equal(generate_vae(vae, 3, 2, 1.0, seed=0)[0].pitch,
                                      out[0].pitch)
        assert vae.training  # its mode given back
    finally:
        vae.eval()
    with pytest.raises(ValueError, match="positive integer"):
        generate_vae(vae, 0)
    with pytest.raises(ValueError, match="not both"):
        generate_vae(vae, 1, seed=0, generator=torch.Generator())


def test_decode_vae_interpolates_greedily(trained, corpus):
    vae, _ = trained
    windows = vae_windows(corpus.melodies[:2], corpus.low, corpus.high)
    with torch.no_grad():
        mu, _ = vae.encode(windows[[0, -1]])
    steps = torch.linspace(0, 1, 5)[:, None]
    path = decode_vae(vae, (1 - steps) * mu[0] + steps * mu[1])
    again = decode_vae(vae, (1 - steps) * mu[0] + steps * mu[1], seed=123)
    assert len(path) == 5 and all(len(m) == 16 and m.phrase_end[-1] for m in path)
    assert all(np.array_equal(a.pitch, b.pitch) for a, b in zip(path, again, strict=True))
    pairs = decode_vae(vae, mu.repeat(2, 1), windows_per_melody=2, name="pair")
    assert [len(m) for m in pairs] == [32, 32] and pairs[1].name == "pair #1"
    with pytest.raises(ValueError, match="does not split"):
        decode_vae(vae, mu.repeat(3, 1)[:3], windows_per_melody=2)
