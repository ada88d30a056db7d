"""Tests of aigc_kit.apps.music.sampling (``09_music_generation``): drawing tokens at a
temperature, and the seed / generator / eval-mode contract of the melody generators."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from aigc_kit.apps.music.sampling import check_temperature, draw_tokens, sampling_mode


def test_temperature_zero_takes_the_likeliest_token():
    logits = torch.tensor([[0.0, 3.0, 1.0], [5.0, -1.0, 4.9]])
    assert draw_tokens(logits, 0.0).tolist() == [1, 0]
    assert draw_tokens(logits, 0.0, torch.Generator().manual_seed(1)).tolist() == [1, 0]


def test_draws_repeat_with_the_same_generator_and_follow_the_temperature():
    logits = torch.tensor([2.0, 1.0, 0.0]).expand(4000, 3)
    a = draw_tokens(logits, 1.0, torch.Generator().manual_seed(3))
    b = draw_tokens(logits, 1.0, torch.Generator().manual_seed(3))
    assert a.shape == (4000,) and a.dtype == torch.int64 and torch.equal(a, b)
    share = torch.bincount(a, minlength=3) / 4000
    torch.testing.assert_close(share, torch.softmax(logits[0], 0), atol=0.03, rtol=0)
    cold = draw_tokens(logits, 0.3, torch.Generator().manual_seed(3))
    hot = draw_tokens(logits, 3.0, torch.Generator().manual_seed(3))
    assert (cold == 0).float().mean() > 0.9 > share[0] > (hot == 0).float().mean()


def test_without_a_generator_the_global_rng_draws():
    logits = torch.zeros(50, 10)
    torch.manual_seed(5)
    a = draw_tokens(logits, 1.0)
    torch.manual_seed(5)
    assert torch.equal(a, draw_tokens(logits, 1.0))


@pytest.mark.parametrize("bad", [-0.1, float("nan"), float("inf")])
def test_bad_temperatures_are_refused(bad):
    with pytest.raises(ValueError, match="temperature"):
        check_temperature(bad)


def test_sampling_mode_seeds_a_private_generator_and_restores_the_mode():
    model = nn.Sequential(nn.Linear(2, 2), nn.Dropout(0.5)).train()
    torch.manual_seed(0)
    before = torch.rand(1)
    torch.manual_seed(0)
    with sampling_mode(model, seed=7) as generator:
        assert not model.training and not torch.is_grad_enabled()
        drawn = torch.rand(3, generator=generator)
    assert model.training and torch.is_grad_enabled()
    assert torch.equal(drawn, torch.rand(3, generator=torch.Generator().manual_seed(7)))
    assert torch.equal(torch.rand(1), before)  # the global RNG was not touched
    own = torch.Generator()
    with sampling_mode(model.eval(), generator=own) as generator:
        assert generator is own
    assert not model.training
    with sampling_mode(model) as generator:
        assert generator is None
    with pytest.raises(ValueError, match="not both"), sampling_mode(model, 1, own):
        pass
