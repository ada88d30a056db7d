"""Latent priors for GAN generators: where the noise ``z`` of ``G(z)`` comes from.

The source, like most GANs, draws ``z ~ N(0, I)``. A generator must then bend one
continuous cloud onto the data's separate modes (on the notes set, 48 timbre-pitch
classes), and after a short training run many of its samples lie *between* modes: a
blend of two notes that the evaluation classifier cannot place. :class:`MixturePrior`
draws ``z`` from a mixture of narrow Gaussians around fixed random centres instead
(DeLiGAN, Gurumurthy et al. 2017, "DeLiGAN: generative adversarial networks for diverse
and limited data", with the centres fixed instead of learnt): the generator can give each
component its own mode, and the gaps between components need not map to anything.
Same generator, same sizes; only the input distribution changes.

Taught in ``06_project_audio_gan``; measured by ``benchmarks/bench_gan.py``.
"""

from __future__ import annotations

import torch
from torch import nn


class MixturePrior(nn.Module):
    """``z = c_k + sd * eps``: ``k`` uniform over ``n_components`` fixed centres, ``eps ~ N(0, I)``.

    Parameters
    ----------
    latent_dim : int
        Size of ``z``.
    n_components : int
        Number of centres; a few times the number of modes one expects (the notes set has
        48 classes; 200 works well).
    sd : float
        Standard deviation of each component around its centre (the centres themselves are
        ``N(0, I)`` draws, about ``sqrt(2 * latent_dim)`` apart).
    seed : int
        Seed of the centres, so that a prior can be rebuilt from its settings; they are
        also a buffer, saved with the module's state dict.

    Notes
    -----
    ``prior(n, generator=None)`` returns ``(n, latent_dim)`` codes on the prior's device
    (move it with ``.to(device)``); ``generator`` is an optional ``torch.Generator`` on the
    CPU for reproducible draws. Taught in ``06_project_audio_gan``.
    """

    centres: torch.Tensor

    def __init__(self, latent_dim: int, n_components: int = 200, sd: float = 0.1,
                 seed: int = 0) -> None:
        super().__init__()
        if latent_dim < 1 or n_components < 1:
            raise ValueError(f"latent_dim and n_components must be >= 1, got {latent_dim} "
                             f"and {n_components}")
        if not sd >= 0:
            raise ValueError(f"sd must be >= 0, got {sd}")
        self.latent_dim, self.n_components, self.sd = latent_dim, n_components, float(sd)
        rng = torch.Generator().manual_seed(seed)
        self.register_buffer("centres", torch.randn(n_components, latent_dim, generator=rng))

    def forward(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        if n < 0:
            raise ValueError(f"n must be >= 0, got {n}")
        k = torch.randint(0, self.n_components, (n,), generator=generator)
        eps = torch.randn(n, self.latent_dim, generator=generator)
        device = self.centres.device
        return self.centres[k.to(device)] + self.sd * eps.to(device)

    def extra_repr(self) -> str:
        return f"latent_dim={self.latent_dim}, n_components={self.n_components}, sd={self.sd}"
