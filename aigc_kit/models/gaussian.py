"""The smallest useful generative model: a Gaussian in a principal-component space.

Probabilistic PCA (Tipping & Bishop 1999): data ``x = W z + mu + e`` with ``z ~ N(0, I)``
and isotropic noise ``e ~ N(0, s^2 I)``. Fitting is one SVD, so it trains in a fraction of a
second; sampling draws ``z`` and decodes it. It is the linear ancestor of the VAE: the
encoder and decoder are matrices. Taught in ``01_aigc_overview``.
"""

from __future__ import annotations

import numpy as np


class LinearGaussianModel:
    """Probabilistic PCA over flattened feature vectors (e.g. log-mel spectrograms).

    Parameters
    ----------
    n_components : int
        Size of the latent space ``z``.

    Notes
    -----
    Taught in ``01_aigc_overview``.
    """

    def __init__(self, n_components: int = 16) -> None:
        if n_components < 1:
            raise ValueError(f"n_components must be at least 1, got {n_components}")
        self.n_components = n_components
        self.mean_: np.ndarray | None = None
        self.components_: np.ndarray | None = None
        self.scales_: np.ndarray | None = None
        self.noise_std_: float = 0.0
        self._shape: tuple[int, ...] = ()

    def fit(self, x: np.ndarray) -> LinearGaussianModel:
        """Fit to examples ``x`` of shape ``(n_examples, ...)``; each is flattened."""
        x = np.asarray(x, dtype=np.float64)
        if x.ndim < 2 or len(x) <= self.n_components:
            raise ValueError(
                f"fit needs more examples than components: got shape {x.shape} for "
                f"n_components={self.n_components}; use fewer components or more data"
            )
        if not np.all(np.isfinite(x)):
            raise ValueError("fit: the examples contain NaN or Inf")
        self._shape = x.shape[1:]
        flat = x.reshape(len(x), -1)
        if flat.shape[1] < self.n_components:
            raise ValueError(
                f"fit needs at most as many components as features: got {flat.shape[1]} "
                f"features per example for n_components={self.n_components}; use "
                f"n_components <= {flat.shape[1]}"
            )
        self.mean_ = flat.mean(axis=0)
        _, s, vt = np.linalg.svd(flat - self.mean_, full_matrices=False)
        variances = s**2 / (len(x) - 1)
        k = self.n_components
        noise_var = variances[k:].sum() / max(flat.shape[1] - k, 1)
        self.components_ = vt[:k]
        self.scales_ = np.sqrt(np.maximum(variances[:k] - noise_var, 0.0))
        self.noise_std_ = float(np.sqrt(noise_var))
        return self

    def _check_fitted(self) -> None:
        if self.mean_ is None:
            raise RuntimeError("the model is not fitted yet; call fit(x) first")

    def encode(self, x: np.ndarray) -> np.ndarray:
        """Latent codes ``z`` of shape ``(n, n_components)`` for examples ``x``."""
        self._check_fitted()
        flat = np.asarray(x, dtype=np.float64).reshape(len(x), -1)
        return (flat - self.mean_) @ self.components_.T / np.maximum(self.scales_, 1e-12)

    def decode(self, z: np.ndarray) -> np.ndarray:
        """Examples (the fitted shape) for latent codes ``z`` of shape ``(n, n_components)``."""
        self._check_fitted()
        flat = (np.asarray(z) * self.scales_) @ self.components_ + self.mean_
        return flat.reshape((len(z), *self._shape))

    def sample(
        self, n: int, rng: np.random.Generator, temperature: float = 1.0, noise: bool = False
    ) -> np.ndarray:
        """Draw ``n`` new examples; ``temperature`` scales the latent spread.

        With ``noise=True`` the isotropic noise ``e`` is added as well (the full model);
        without it the samples are the smoother decoded means.
        """
        z = rng.standard_normal((n, self.n_components)) * temperature
        out = self.decode(z)
        if noise:
            out = out + rng.standard_normal(out.shape) * self.noise_std_
        return out
