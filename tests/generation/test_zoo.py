import pytest
import torch

from aigc_kit.generation import trained_models


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("AIGC_KIT_DATA_DIR", str(tmp_path))
    return tmp_path / "cache" / "models"


def test_trained_models_are_cached_and_reloaded_identically(cache_dir):
    settings = {"gan_seconds": 0.5, "vae_seconds": 0.5, "classifier_epochs": 2, "device": "cpu"}
    first = trained_models(**settings)
    assert not first.meta["cached"] and first.meta["gan_steps"] > 0
    [path] = cache_dir.glob("notes-*.pt")
    second = trained_models(**settings)
    assert second.meta["cached"] and second.meta["gan_steps"] == first.meta["gan_steps"]
    z = torch.randn(8, 100)
    with torch.no_grad():
        assert torch.equal(first.generator(z), second.generator(z))
    scores = second.scores(second.data.x_test[:64])
    assert scores["coverage"] >= 1 and scores["frechet"] >= 0
    assert second.probabilities(second.data.x_test[:4]).shape == (4, second.data.n_classes)

    path.write_bytes(path.read_bytes()[:-100])  # a damaged cache is trained again
    with pytest.warns(RuntimeWarning, match="ignoring the cached models"):
        third = trained_models(**settings)
    assert not third.meta["cached"]
    assert trained_models(**settings).meta["cached"]
