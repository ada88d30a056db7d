"""Tests of aigc_kit.models.classifier: MelClassifier, the CNN that labels log-mel images."""

import pytest
import torch
import torch.nn.functional as F

from aigc_kit.models import MelClassifier

SHAPES = [(1, 32, 32), (1, 32, 48)]
BATCHES = [1, 8]


def test_default_size_is_the_documented_one():
    model = MelClassifier(10)
    assert sum(p.numel() for p in model.parameters()) == 24_058  # as the docstring says
    assert model.embedding_dim == 64 and model.n_classes == 10


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("batch", BATCHES)
def test_classifier_shapes(shape, batch):
    model = MelClassifier(10, in_shape=shape, width=8)
    x = torch.rand(batch, *shape) * 2 - 1
    logits = model(x)
    assert logits.shape == (batch, 10) and torch.isfinite(logits).all()
    assert model.features(x).shape == (batch, 32) == (batch, model.embedding_dim)
    probs = model.predict_proba(x, batch_size=3)
    assert probs.shape == (batch, 10) and model.training  # the mode is restored
    torch.testing.assert_close(probs.sum(-1), torch.ones(batch))


def test_predict_proba_is_the_eval_mode_softmax_in_any_batch_size():
    torch.manual_seed(0)
    model = MelClassifier(4, width=8).train()
    x = torch.rand(7, 1, 32, 32) * 2 - 1
    with torch.no_grad():
        want = torch.softmax(model.eval()(x), dim=-1)
    model.train()
    torch.testing.assert_close(model.predict_proba(x, batch_size=3), want)
    assert not model.predict_proba(x).requires_grad
    empty = model.predict_proba(x[:0])
    assert empty.shape == (0, 4)


def test_classifier_overfits_a_tiny_batch():
    torch.manual_seed(0)
    x = torch.rand(16, 1, 32, 32) * 2 - 1
    y = torch.arange(16) % 4
    model = MelClassifier(4, width=8, dropout=0.0)
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    first = F.cross_entropy(model(x), y).item()
    for _ in range(30):
        loss = F.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert first > 1.0 and loss.item() < 0.05
    assert (model.predict_proba(x).argmax(-1) == y).all()


def test_bad_settings_and_shapes_name_expected_and_actual():
    with pytest.raises(ValueError, match=r"expected images of shape \(batch, 1, 32, 48\)"):
        MelClassifier(10, in_shape=(1, 32, 48))(torch.zeros(2, 1, 32, 32))
    with pytest.raises(ValueError, match=r"height and width of at least 8, got \(1, 4, 32\)"):
        MelClassifier(10, in_shape=(1, 4, 32))
    with pytest.raises(ValueError, match="n_classes must be at least 2, got 1"):
        MelClassifier(1)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_classifier_on_cuda_answers_on_the_device_of_its_input():
    clf = MelClassifier(10).to("cuda")
    assert clf.predict_proba(torch.zeros(3, 1, 32, 32)).device.type == "cpu"
