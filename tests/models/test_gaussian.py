"""Tests of aigc_kit.models.gaussian: LinearGaussianModel, probabilistic PCA."""

import numpy as np
import pytest

from aigc_kit.models import LinearGaussianModel


def _low_rank(n: int = 500, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    basis = rng.standard_normal((3, 40))
    data = rng.standard_normal((n, 3)) @ basis * 2.0 + 5.0
    return data.reshape(n, 4, 10) + 0.01 * rng.standard_normal((n, 4, 10))


def test_linear_gaussian_recovers_low_rank_data():
    data = _low_rank()
    model = LinearGaussianModel(3).fit(data)
    recon = model.decode(model.encode(data))
    assert recon.shape == data.shape
    assert np.abs(recon - data).max() < 0.1
    samples = model.sample(2000, np.random.default_rng(1))
    # Samples share the data's mean and overall spread.
    assert np.allclose(samples.mean(axis=0), data.mean(axis=0), atol=0.5)
    assert samples.std() == pytest.approx(data.std(), rel=0.1)
    assert model.noise_std_ == pytest.approx(0.01, rel=0.2)


def test_codes_of_the_data_are_standard_normal_and_components_orthonormal():
    data = _low_rank()
    model = LinearGaussianModel(3).fit(data)
    z = model.encode(data)
    assert z.shape == (500, 3)
    np.testing.assert_allclose(z.mean(axis=0), 0.0, atol=1e-9)
    np.testing.assert_allclose(z.std(axis=0, ddof=1), 1.0, rtol=1e-3)  # noise 1e-4 of signal
    np.testing.assert_allclose(model.components_ @ model.components_.T, np.eye(3), atol=1e-12)


def test_temperature_and_noise():
    model = LinearGaussianModel(3).fit(_low_rank())
    cold = model.sample(4, np.random.default_rng(0), temperature=0.0)
    np.testing.assert_allclose(cold, np.broadcast_to(model.mean_.reshape(4, 10), cold.shape))
    noisy = model.sample(4, np.random.default_rng(0), temperature=0.0, noise=True)
    assert (noisy - cold).std() == pytest.approx(model.noise_std_, rel=0.3)
    same = model.sample(3, np.random.default_rng(7))
    np.testing.assert_array_equal(same, model.sample(3, np.random.default_rng(7)))


def test_linear_gaussian_rejects_bad_input():
    with pytest.raises(ValueError, match="more examples than components"):
        LinearGaussianModel(8).fit(np.zeros((5, 10)))
    with pytest.raises(ValueError, match="NaN"):
        LinearGaussianModel(1).fit(np.full((5, 3), np.nan))
    with pytest.raises(RuntimeError, match="fit"):
        LinearGaussianModel(2).sample(1, np.random.default_rng(0))
    with pytest.raises(ValueError, match="n_components must be at least 1, got 0"):
        LinearGaussianModel(0)


def test_more_components_than_features_is_refused_when_fitting():
    # Three features hold at most three components: a fourth would make sample() fail later.
    x = np.random.default_rng(0).standard_normal((100, 3))
    with pytest.raises(ValueError, match="at most as many components as features.*3"):
        LinearGaussianModel(4).fit(x)
    assert LinearGaussianModel(3).fit(x).sample(2, np.random.default_rng(0)).shape == (2, 3)
