"""The GAN and VAE losses of chapter 4.3, written from their formulas and numerically stable.

Taught in ``05_math_losses_optimizers``; the GAN and VAE notebooks train with them.

GAN losses take the discriminator's **logits** ``l`` (its output before the sigmoid), so that
``D = sigmoid(l)`` is never formed explicitly. The logarithms then have exact, stable forms::

    -log D       = -log sigmoid(l)     = softplus(-l)
    -log(1 - D)  = -log sigmoid(-l)    = softplus(l)

``softplus(x) = log(1 + exp(x))`` is computed by PyTorch without overflow, so logits of
+-100 (a discriminator that is very sure) give finite losses and finite gradients, where
``-log(sigmoid(l))`` in float32 gives ``inf`` and its gradient ``nan``.

All functions are torch-in, torch-out and differentiable. They compute and do not check for
NaN or Inf: the training loop watches the loss for that.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

__all__ = [
    "discriminator_loss",
    "gaussian_kl",
    "generator_loss",
    "saturating_generator_loss",
    "vae_loss",
]

_REDUCTIONS = ("mean", "none")


def _reduce(per_example: torch.Tensor, reduction: str) -> torch.Tensor:
    if reduction == "mean":
        return per_example.mean()
    if reduction == "none":
        return per_example
    raise ValueError(f"reduction must be one of {_REDUCTIONS}, got {reduction!r}.")


def generator_loss(fake_logits: torch.Tensor, reduction: str = "mean") -> torch.Tensor:
    r"""The non-saturating generator loss :math:`L_G = -\log D(G(z))`, from logits.

    .. math:: L_G = \operatorname{mean}_i\, -\log D(G(z_i))
              = \operatorname{mean}_i\, \operatorname{softplus}(-l_i),
              \qquad D = \sigma(l) = 1 / (1 + e^{-l})

    The generator *minimises* it, i.e. raises the probability ``D(G(z))`` that the
    discriminator calls its samples real. Its gradient with respect to the logit is
    ``-(1 - D)``: large while the discriminator still rejects the fakes (``D`` near 0), which
    is exactly when the generator needs to learn. Compare :func:`saturating_generator_loss`.

    Parameters
    ----------
    fake_logits : torch.Tensor, any shape, e.g. ``(batch,)`` or ``(batch, 1)``
        Discriminator logits ``l = logit D(G(z))`` on generated samples (dimensionless).
    reduction : {"mean", "none"}
        ``"mean"`` averages over every element; ``"none"`` returns one loss per element.

    Returns
    -------
    torch.Tensor
        A scalar (``"mean"``) or a tensor of ``fake_logits.shape`` (``"none"``), in nats.

    Notes
    -----
    Taught in ``05_math_losses_optimizers``.
    """
    return _reduce(F.softplus(-fake_logits), reduction)


def saturating_generator_loss(fake_logits: torch.Tensor, reduction: str = "mean") -> torch.Tensor:
    r"""The original minimax generator loss :math:`\log(1 - D(G(z)))`, to be minimised.

    .. math:: L_G^{\text{sat}} = \operatorname{mean}_i\, \log(1 - D(G(z_i)))
              = \operatorname{mean}_i\, -\operatorname{softplus}(l_i)

    This is the generator's half of the discriminator objective, so it has the same optimum
    as :func:`generator_loss`, but its gradient with respect to the logit is ``-D``: close to
    zero when the discriminator confidently rejects the fakes (``D`` near 0), so a
    generator that starts badly barely learns. That is why GANs train with the
    non-saturating :func:`generator_loss`; ``05_math_losses_optimizers`` plots both.

    Parameters
    ----------
    fake_logits : torch.Tensor, any shape
        Discriminator logits on generated samples, ``D = sigmoid(fake_logits)``.
    reduction : {"mean", "none"}
        ``"mean"`` averages over every element; ``"none"`` returns one value per element.

    Returns
    -------
    torch.Tensor
        A scalar or a tensor of ``fake_logits.shape``, in nats (always <= 0).
    """
    return _reduce(-F.softplus(fake_logits), reduction)


def discriminator_loss(
    real_logits: torch.Tensor, fake_logits: torch.Tensor, reduction: str = "mean"
) -> torch.Tensor:
    r"""The discriminator loss :math:`L_D = -[\log D(x) + \log(1 - D(G(z)))]`, from logits.

    .. math:: L_D = \operatorname{mean}_i\, -\bigl[\log D(x_i) + \log(1 - D(G(z_i)))\bigr]
              = \operatorname{mean}_i\, \bigl[\operatorname{softplus}(-l^{\text{real}}_i)
              + \operatorname{softplus}(l^{\text{fake}}_i)\bigr], \qquad D = \sigma(l)

    The **sum** of the two binary cross-entropy terms, as in the formula (some code bases
    halve it; the factor only rescales the learning rate). Its minimum, 0, is reached when
    ``D(x) -> 1`` on real data and ``D(G(z)) -> 0`` on fakes; at the GAN equilibrium
    ``D = 1/2`` everywhere and ``L_D = 2 log 2 = 1.386`` nats.

    Parameters
    ----------
    real_logits : torch.Tensor
        Discriminator logits on a batch of real samples ``x``.
    fake_logits : torch.Tensor, same shape as ``real_logits``
        Discriminator logits on a batch of generated samples ``G(z)``; the i-th real and
        fake sample form the i-th term of the sum.
    reduction : {"mean", "none"}
        ``"mean"`` averages over every element; ``"none"`` returns one loss per element.

    Returns
    -------
    torch.Tensor
        A scalar or a tensor of ``real_logits.shape``, in nats.

    Raises
    ------
    ValueError
        If the two shapes differ (pass equally sized real and fake batches).

    Notes
    -----
    Taught in ``05_math_losses_optimizers``.
    """
    if real_logits.shape != fake_logits.shape:
        raise ValueError(
            f"real_logits and fake_logits must have the same shape, got "
            f"{tuple(real_logits.shape)} and {tuple(fake_logits.shape)}; draw as many fake "
            "samples as there are real ones in the batch."
        )
    return _reduce(F.softplus(-real_logits) + F.softplus(fake_logits), reduction)


def gaussian_kl(mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    r"""Closed-form :math:`\mathrm{KL}(\mathcal N(\mu, \operatorname{diag} e^{\text{logvar}})
    \,\|\, \mathcal N(0, I))` per example.

    .. math:: \mathrm{KL} = \tfrac12 \sum_j \bigl(e^{\text{logvar}_j} + \mu_j^2 - 1
              - \text{logvar}_j\bigr)

    the VAE's regulariser: how far the encoder's posterior ``q(z|x)`` lies from the prior.

    Parameters
    ----------
    mu : torch.Tensor, shape (batch, latent_dim, ...)
        Posterior means.
    logvar : torch.Tensor, same shape as ``mu``
        Natural log of the posterior variances (log of, not the standard deviation).

    Returns
    -------
    torch.Tensor, shape (batch,)
        KL divergence of each example in nats, summed over every non-batch dimension.

    Raises
    ------
    ValueError
        If the shapes differ or the tensors have no latent dimension (``ndim < 2``).

    Notes
    -----
    Taught in ``05_math_losses_optimizers``, which checks it against a Monte-Carlo estimate.
    """
    if mu.shape != logvar.shape:
        raise ValueError(
            f"mu and logvar must have the same shape, got {tuple(mu.shape)} and "
            f"{tuple(logvar.shape)}."
        )
    if mu.ndim < 2:
        raise ValueError(
            f"mu and logvar need shape (batch, latent_dim, ...), got {tuple(mu.shape)}; "
            "for a single example use mu[None]."
        )
    return 0.5 * (logvar.exp() + mu.square() - 1.0 - logvar).flatten(1).sum(dim=1)


def vae_loss(
    recon: torch.Tensor,
    x: torch.Tensor,
    mu: torch.Tensor,
    logvar: torch.Tensor,
    beta: float = 1.0,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    r"""The VAE loss: reconstruction error plus ``beta`` times the KL to the prior.

    .. math:: \text{total} = \text{reconstruction} + \beta\,\text{KL},\qquad
              \text{reconstruction} = \operatorname{mean}_i \sum_k (\hat x_{ik} - x_{ik})^2,
              \qquad \text{KL} = \operatorname{mean}_i \texttt{gaussian\_kl}(\mu_i,
              \text{logvar}_i)

    **Why a sum of squared errors.** With a Gaussian decoder
    ``p(x|z) = N(x_hat, sigma^2 I)`` the negative ELBO of one example is
    ``SSE / (2 sigma^2) + KL + const``. Multiplying by ``2 sigma^2`` gives
    ``SSE + 2 sigma^2 KL``: so this loss is the negative ELBO (times a constant, up to an
    additive constant) of a Gaussian decoder with variance ``sigma^2 = beta / 2``. Choosing
    ``beta`` is choosing how noisy the decoder is assumed to be; a smaller ``beta`` gives
    sharper reconstructions and a less regular latent space. The errors are *summed* over
    the non-batch dimensions, as a log-likelihood is; averaging them instead would quietly
    divide the reconstruction's weight against the KL by the number of values per example.

    Parameters
    ----------
    recon : torch.Tensor, shape (batch, ...)
        Decoder output ``x_hat``.
    x : torch.Tensor, same shape as ``recon``
        The inputs being reconstructed.
    mu, logvar : torch.Tensor, shape (batch, latent_dim, ...)
        Encoder outputs, see :func:`gaussian_kl`.
    beta : float
        Weight of the KL term (``beta = 1``: the standard VAE; ``beta > 1``: beta-VAE).

    Returns
    -------
    total, reconstruction, kl : torch.Tensor
        Three scalars, batch means; ``total`` is the one to back-propagate.

    Raises
    ------
    ValueError
        On mismatched shapes or batch sizes, or a negative ``beta``.

    Notes
    -----
    Taught in ``05_math_losses_optimizers``.
    """
    if recon.shape != x.shape:
        raise ValueError(
            f"recon and x must have the same shape, got {tuple(recon.shape)} and "
            f"{tuple(x.shape)}."
        )
    if x.ndim < 1 or mu.ndim < 1 or x.shape[0] != mu.shape[0]:
        raise ValueError(
            f"x {tuple(x.shape)} and mu {tuple(mu.shape)} must share their first (batch) "
            "dimension."
        )
    if beta < 0:
        raise ValueError(f"beta must be >= 0, got {beta}.")
    reconstruction = (recon - x).square().reshape(x.shape[0], -1).sum(dim=1).mean()
    kl = gaussian_kl(mu, logvar).mean()
    return reconstruction + beta * kl, reconstruction, kl
