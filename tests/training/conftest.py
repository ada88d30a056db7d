"""Shared pieces of the training tests: one BLAS thread, a tiny GAN, a tiny VAE, their data.

Test modules cannot import each other (pytest runs with ``--import-mode=importlib``), so
the helpers are fixtures that return the factory: ``g, d = tiny_gan()``,
``data = gaussian_data()``, ``vae = tiny_vae(nan_after=40)``, ``x = vae_data()``.
"""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

import aigc_kit.training.live_plot as live_plot

LATENT = 4  # latent size of tiny_gan; test_gan.py and test_loop.py use the same value


@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    """Tiny models run fastest on one thread, especially on a busy machine."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def _gan(seed: int = 0) -> tuple[nn.Module, nn.Module]:
    torch.manual_seed(seed)
    g = nn.Sequential(nn.Linear(LATENT, 32), nn.ReLU(), nn.Linear(32, 1))
    d = nn.Sequential(nn.Linear(1, 32), nn.LeakyReLU(0.2), nn.Linear(32, 1), nn.Flatten(0))
    return g, d


def _gaussian_data(n: int = 2000) -> torch.Tensor:
    return 3.0 + 0.5 * torch.randn(n, 1, generator=torch.Generator().manual_seed(0))


class _TinyVAE(nn.Module):
    def __init__(self, dim: int = 8, latent: int = 2, nan_after: int | None = None) -> None:
        super().__init__()
        self.enc = nn.Linear(dim, 2 * latent)
        self.dec = nn.Sequential(nn.Linear(latent, 16), nn.Tanh(), nn.Linear(16, dim))
        self.nan_after, self.calls = nan_after, 0

    def forward(self, x):
        self.calls += 1
        mu, logvar = self.enc(x).chunk(2, dim=1)
        recon = self.dec(mu + torch.randn_like(mu) * (0.5 * logvar).exp())
        if self.nan_after is not None and self.calls > self.nan_after:
            recon = recon * math.nan
        return recon, mu, logvar


def _vae_data(n: int = 512) -> torch.Tensor:
    gen = torch.Generator().manual_seed(1)
    return torch.randn(n, 2, generator=gen) @ torch.randn(2, 8, generator=gen)


@pytest.fixture
def tiny_gan():
    """``tiny_gan(seed=0) -> (generator, discriminator)``: a 1-D GAN with latent size 4."""
    return _gan


@pytest.fixture
def gaussian_data():
    """``gaussian_data(n=2000)``: ``N(3, 0.5^2)`` examples of shape ``(n, 1)``, fixed seed."""
    return _gaussian_data


@pytest.fixture
def tiny_vae():
    """The class of a VAE on 8-D data; ``tiny_vae(nan_after=k)`` returns NaN after k calls."""
    return _TinyVAE


@pytest.fixture
def vae_data():
    """``vae_data(n=512)``: rank-2 examples of shape ``(n, 8)``, fixed seed."""
    return _vae_data


@pytest.fixture
def fake_notebook(monkeypatch):
    """``shown, Handle = fake_notebook()``: from then on, live plots believe they run in a
    Jupyter kernel; ``shown`` collects the figures displayed, ``Handle.updates`` counts the
    redraws in place."""
    def pretend() -> tuple[list, type]:
        shown = []

        class Handle:
            updates = 0

            def update(self, fig):
                Handle.updates += 1

        def fake_display(fig, display_id):
            shown.append(fig)
            return Handle()

        monkeypatch.setattr(live_plot, "in_notebook", lambda: True)
        monkeypatch.setattr(live_plot, "display", fake_display)
        return shown, Handle

    return pretend
