"""Tests of aigc_kit.models.prior: MixturePrior, narrow Gaussians around fixed centres."""

import pytest
import torch

from aigc_kit.models import MixturePrior

LATENT = 4


def test_mixture_prior_draws_near_its_centres_reproducibly():
    prior = MixturePrior(LATENT, n_components=3, sd=0.01, seed=1)
    z = prior(500, generator=torch.Generator().manual_seed(0))
    assert z.shape == (500, LATENT)
    torch.testing.assert_close(z, prior(500, generator=torch.Generator().manual_seed(0)))
    nearest = torch.cdist(z, prior.centres).min(1).values
    assert nearest.max() < 0.1 and torch.cdist(prior.centres, prior.centres).fill_diagonal_(
        9.0).min() > 0.5
    assert torch.equal(MixturePrior(LATENT, 3, 0.01, seed=1).centres, prior.centres)
    assert not torch.equal(MixturePrior(LATENT, 3, 0.01, seed=2).centres, prior.centres)
    assert "centres" in prior.state_dict()


def test_every_component_is_used_about_equally_with_the_given_spread():
    prior = MixturePrior(2, n_components=4, sd=0.05, seed=0)
    z = prior(8000, generator=torch.Generator().manual_seed(1))
    which = torch.cdist(z, prior.centres).argmin(1)
    counts = torch.bincount(which, minlength=4)
    assert (counts - 2000).abs().max() < 150  # uniform over the components
    spread = (z - prior.centres[which]).std()
    assert spread.item() == pytest.approx(0.05, rel=0.05)


def test_zero_spread_gives_the_centres_and_zero_draws_an_empty_batch():
    prior = MixturePrior(LATENT, n_components=5, sd=0.0)
    z = prior(50)
    assert torch.cdist(z, prior.centres).min(1).values.max() == 0.0
    assert prior(0).shape == (0, LATENT)
    assert repr(prior) == "MixturePrior(latent_dim=4, n_components=5, sd=0.0)"


def test_bad_settings_are_refused():
    with pytest.raises(ValueError, match="sd must be >= 0, got -1.0"):
        MixturePrior(LATENT, sd=-1.0)
    with pytest.raises(ValueError, match="sd must be >= 0, got nan"):
        MixturePrior(LATENT, sd=float("nan"))
    with pytest.raises(ValueError, match="latent_dim and n_components must be >= 1, got 0 and 3"):
        MixturePrior(0, 3)
    with pytest.raises(ValueError, match="n must be >= 0, got -1"):
        MixturePrior(LATENT)(-1)


def test_the_prior_draws_on_the_cpu_and_answers_on_its_own_device():
    prior = MixturePrior(LATENT, n_components=3, sd=0.1).to("meta")
    assert prior(2, generator=torch.Generator().manual_seed(0)).device.type == "meta"
