"""Tests of aigc_kit.models.contract: every VAE and GAN generator of the kit follows one
contract (encode, decode, sample, forward), and the helpers behind it.

The VAEs come from the ``vae_case`` fixture of ``tests/conftest.py``; sampling and
reconstruction through :mod:`aigc_kit.generation.sampling` are tested in
``tests/generation/test_sampling.py``.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from aigc_kit.models import GenerativeVAE, LatentSampler, MLPGenerator, reparameterize
from aigc_kit.models.contract import check_count, no_labels, prior_codes

N = 5


def test_every_vae_follows_the_contract(vae_case):
    case = vae_case
    model = case.model.eval()
    assert isinstance(model, GenerativeVAE) and isinstance(model, LatentSampler)
    assert isinstance(model.latent_dim, int) and model.latent_dim == 4
    with torch.no_grad():
        mu, logvar = model.encode(case.x, **case.kw())
        assert all(isinstance(t, torch.Tensor) for t in (mu, logvar))
        assert mu.shape == logvar.shape == (N, 4) and mu.dtype == logvar.dtype == torch.float32
        out = model.decode(mu, **case.kw())
        assert isinstance(out, torch.Tensor)
        assert out.shape == (N, *case.example_shape) and out.dtype == torch.float32
        case.check_one_hot(out)
        recon, mu2, logvar2 = model(case.x, **case.kw(), deterministic=True)
        torch.testing.assert_close(mu2, mu)
        torch.testing.assert_close(logvar2, logvar)
        assert recon.shape[0] == N
    drawn = model.sample(N, **case.kw(), generator=torch.Generator().manual_seed(1))
    assert isinstance(drawn, torch.Tensor) and not drawn.requires_grad
    assert drawn.shape == (N, *case.example_shape) and drawn.dtype == torch.float32
    assert drawn.device == case.x.device
    case.check_one_hot(drawn)
    # decode and sample give examples in the layout encode takes
    with torch.no_grad():
        assert model.encode(drawn, **case.kw())[0].shape == (N, 4)
    again = model.sample(N, **case.kw(), generator=torch.Generator().manual_seed(1))
    torch.testing.assert_close(drawn, again)


def test_the_protocols_are_not_trivially_true():
    assert not isinstance(nn.Linear(2, 2), GenerativeVAE)
    assert not isinstance(nn.Linear(2, 2), LatentSampler)
    assert not isinstance(MLPGenerator(4, (1, 8, 8)), GenerativeVAE)  # no encoder
    assert isinstance(MLPGenerator(4, (1, 8, 8)), LatentSampler)


def test_labels_are_never_silently_ignored(vae_case):
    case = vae_case
    model = case.model.eval()
    z = torch.randn(N, 4)
    if case.labels is None:
        stray = torch.zeros(N, dtype=torch.long)
        with pytest.raises(ValueError, match="not conditioned"):
            model.encode(case.x, labels=stray)
        with pytest.raises(ValueError, match="not conditioned"):
            model.decode(z, labels=stray)
        with pytest.raises(ValueError, match="not conditioned"):
            model.sample(N, labels=stray)
    else:
        with pytest.raises(ValueError, match="needs labels"):
            model.decode(z)
        with pytest.raises(ValueError, match="needs labels"):
            model.sample(N)
        with pytest.raises(ValueError, match="one row per image"):
            model.sample(N + 1, labels=case.labels)


def test_no_labels_names_the_model_and_the_fix():
    no_labels(nn.Linear(1, 1), None)  # None is what an unconditional model takes
    with pytest.raises(ValueError, match="^Linear is not conditioned on labels; pass "
                                         "labels=None .a ConditionalVAE takes labels.$"):
        no_labels(nn.Linear(1, 1), torch.zeros(3))


def test_reparameterisation():
    mu, logvar = torch.randn(4, 8), torch.randn(4, 8)
    eps1, eps2 = torch.randn(4, 8), torch.randn(4, 8)
    z1, z2 = reparameterize(mu, logvar, eps1), reparameterize(mu, logvar, eps2)
    assert not torch.allclose(z1, z2)
    torch.testing.assert_close(z1, mu + torch.exp(0.5 * logvar) * eps1)
    # A vanishing variance (logvar -> -inf) leaves the mean.
    torch.testing.assert_close(reparameterize(mu, torch.full_like(mu, -200.0)), mu)
    # Gradients reach mu and logvar through the draw: dz/dmu = 1, dz/dlogvar = sigma eps / 2.
    mu.requires_grad_(True)
    logvar.requires_grad_(True)
    reparameterize(mu, logvar, eps1).sum().backward()
    torch.testing.assert_close(mu.grad, torch.ones_like(mu))
    torch.testing.assert_close(logvar.grad, 0.5 * torch.exp(0.5 * logvar.detach()) * eps1)
    # Without eps the draw is standard normal around mu, with sd exp(logvar / 2).
    torch.manual_seed(0)
    draws = reparameterize(torch.full((20000, 1), 3.0), torch.full((20000, 1), np.log(4.0)))
    assert draws.mean().item() == pytest.approx(3.0, abs=0.05)
    assert draws.std().item() == pytest.approx(2.0, rel=0.03)


@pytest.mark.parametrize("good", [1, 7, np.int64(3), torch.tensor(2)])
def test_check_count_takes_positive_integers_of_any_kind(good):
    n = check_count(good)
    assert n == int(good) and type(n) is int


@pytest.mark.parametrize("bad", [0, -2, 2.0, "3", True, None])
def test_check_count_refuses_anything_else_naming_it(bad):
    with pytest.raises(ValueError, match=f"n must be a positive integer, got {bad!r}"):
        check_count(bad)


def test_prior_codes_repeat_a_cpu_seed_on_any_device_and_dtype():
    codes = prior_codes(6, 3, torch.device("cpu"), torch.Generator().manual_seed(4))
    assert codes.shape == (6, 3) and codes.dtype == torch.float32
    want = torch.randn(6, 3, generator=torch.Generator().manual_seed(4))
    torch.testing.assert_close(codes, want)
    double = prior_codes(6, 3, torch.device("cpu"), torch.Generator().manual_seed(4),
                         torch.float64)
    assert double.dtype == torch.float64
    torch.testing.assert_close(double.float(), want)
    torch.manual_seed(9)
    first = prior_codes(2, 3, torch.device("cpu"), None)  # the global RNG
    torch.manual_seed(9)
    torch.testing.assert_close(prior_codes(2, 3, torch.device("cpu"), None), first)
    with pytest.raises(ValueError, match="positive integer"):
        prior_codes(0, 3, torch.device("cpu"), None)
