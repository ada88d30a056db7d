"""Tests for aigc_kit.training: the literal formulas, stability at extreme logits, the VAE KL."""

from __future__ import annotations

import math

import pytest
import torch

from aigc_kit.training import (
    discriminator_loss,
    gaussian_kl,
    generator_loss,
    saturating_generator_loss,
    vae_loss,
)

EXTREME = [-100.0, -30.0, 0.0, 30.0, 100.0]


@pytest.fixture
def gen() -> torch.Generator:
    return torch.Generator().manual_seed(0)


def _logits(gen: torch.Generator, n: int = 256) -> torch.Tensor:
    """Moderate logits (|l| up to ~6), float64, where the literal formulas are accurate."""
    return 2.0 * torch.randn(n, 1, generator=gen, dtype=torch.float64)


def test_gan_losses_match_the_literal_formulas(gen):
    real, fake = _logits(gen), _logits(gen)
    d_real, d_fake = torch.sigmoid(real), torch.sigmoid(fake)
    torch.testing.assert_close(generator_loss(fake), -torch.log(d_fake).mean())
    torch.testing.assert_close(
        saturating_generator_loss(fake), torch.log(1 - d_fake).mean()
    )
    torch.testing.assert_close(
        discriminator_loss(real, fake), -(torch.log(d_real) + torch.log(1 - d_fake)).mean()
    )
    per_example = discriminator_loss(real, fake, reduction="none")
    assert per_example.shape == real.shape
    torch.testing.assert_close(per_example.mean(), discriminator_loss(real, fake))


def test_discriminator_loss_at_equilibrium_is_two_log_two():
    zeros = torch.zeros(8)
    assert discriminator_loss(zeros, zeros).item() == pytest.approx(2 * math.log(2))
    assert generator_loss(zeros).item() == pytest.approx(math.log(2))


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_extreme_logits_give_finite_values_and_gradients(dtype):
    real = torch.tensor(EXTREME, dtype=dtype, requires_grad=True)
    fake = torch.tensor(EXTREME[::-1], dtype=dtype, requires_grad=True)
    losses = [
        generator_loss(fake, reduction="none"),
        saturating_generator_loss(fake, reduction="none"),
        discriminator_loss(real, fake, reduction="none"),
    ]
    total = sum(loss.sum() for loss in losses)
    total.backward()
    for tensor in [*losses, real.grad, fake.grad]:
        assert torch.isfinite(tensor).all(), tensor
    # fake = [100, ..., -100]. At logit -100, -log D = 100 nats (not inf). The gradients on a
    # fake logit add up to -(1 - D) (L_G) - D (saturating) + D (L_D) = -(1 - D).
    assert losses[0][-1].item() == pytest.approx(100.0)
    torch.testing.assert_close(fake.grad, -(1 - torch.sigmoid(fake.detach())))
    naive = -torch.log(torch.sigmoid(torch.tensor([-200.0])))
    assert not torch.isfinite(naive).all()  # what the stable form avoids


def test_saturating_gradient_vanishes_where_the_non_saturating_one_does_not():
    logit = torch.tensor([-8.0], dtype=torch.float64, requires_grad=True)  # D(G(z)) = 3e-4
    (g_ns,) = torch.autograd.grad(generator_loss(logit), logit)
    (g_sat,) = torch.autograd.grad(saturating_generator_loss(logit), logit)
    d = torch.sigmoid(logit).item()
    assert g_ns.item() == pytest.approx(-(1 - d))
    assert g_sat.item() == pytest.approx(-d)
    assert abs(g_ns.item()) > 1000 * abs(g_sat.item())


def test_gan_loss_argument_errors():
    with pytest.raises(ValueError, match="same shape"):
        discriminator_loss(torch.zeros(4), torch.zeros(5))
    with pytest.raises(ValueError, match="reduction"):
        generator_loss(torch.zeros(4), reduction="sum")


def test_gaussian_kl_closed_form_matches_monte_carlo(gen):
    mu = torch.tensor([[0.5, -1.0, 0.0], [2.0, 0.3, -0.7]], dtype=torch.float64)
    logvar = torch.tensor([[0.0, -1.0, 0.8], [-2.0, 0.5, 0.1]], dtype=torch.float64)
    closed = gaussian_kl(mu, logvar)
    assert closed.shape == (2,)
    n = 200_000
    std = (0.5 * logvar).exp()
    z = mu + std * torch.randn(n, *mu.shape, generator=gen, dtype=torch.float64)
    # log q(z) - log p(z), summed over the latent dims; the log(2 pi) terms cancel.
    log_ratio = (-0.5 * logvar - 0.5 * ((z - mu) / std) ** 2 + 0.5 * z**2).sum(dim=-1)
    estimate = log_ratio.mean(dim=0)
    standard_error = log_ratio.std(dim=0) / math.sqrt(n)
    assert (standard_error < 0.02).all()
    assert ((estimate - closed).abs() < 4 * standard_error).all(), (estimate, closed)
    assert gaussian_kl(torch.zeros(3, 4), torch.zeros(3, 4)).abs().max().item() == 0.0


def test_vae_loss_parts_and_gradients(gen):
    x = torch.randn(4, 1, 6, generator=gen)
    recon = (x + 0.1 * torch.randn(4, 1, 6, generator=gen)).requires_grad_()
    mu = torch.randn(4, 3, generator=gen).requires_grad_()
    logvar = torch.randn(4, 3, generator=gen).requires_grad_()
    total, reconstruction, kl = vae_loss(recon, x, mu, logvar, beta=0.5)
    expected_recon = ((recon - x) ** 2).sum(dim=(1, 2)).mean()
    expected_kl = (0.5 * (logvar.exp() + mu**2 - 1 - logvar).sum(dim=1)).mean()
    torch.testing.assert_close(reconstruction, expected_recon)
    torch.testing.assert_close(kl, expected_kl)
    torch.testing.assert_close(total, expected_recon + 0.5 * expected_kl)
    total.backward()
    assert all(t.grad is not None and torch.isfinite(t.grad).all() for t in (recon, mu, logvar))


def test_vae_loss_shape_errors():
    x, z = torch.zeros(4, 6), torch.zeros(4, 3)
    with pytest.raises(ValueError, match="recon and x"):
        vae_loss(torch.zeros(4, 5), x, z, z)
    with pytest.raises(ValueError, match="mu and logvar"):
        vae_loss(x, x, z, torch.zeros(4, 2))
    with pytest.raises(ValueError, match="batch"):
        vae_loss(x, x, torch.zeros(5, 3), torch.zeros(5, 3))
    with pytest.raises(ValueError, match="latent_dim"):
        gaussian_kl(torch.zeros(3), torch.zeros(3))
    with pytest.raises(ValueError, match="beta"):
        vae_loss(x, x, z, z, beta=-1.0)
