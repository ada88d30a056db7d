"""Tests of aigc_kit.models.conditional: ConditionalVAE, images generated to order."""

import pytest
import torch

from aigc_kit.models import ConditionalVAE
from aigc_kit.training import RunConfig, train_vae


def test_conditional_vae_shapes_labels_and_errors():
    model = ConditionalVAE((1, 32, 32), (10, 6), latent_dim=8, width=8)
    x = torch.rand(5, 1, 32, 32) * 2 - 1
    labels = torch.tensor([[0, 0], [9, 5], [3, 2], [1, 1], [2, 4]])
    recon, mu, logvar = model(x, labels)
    assert recon.shape == x.shape and mu.shape == logvar.shape == (5, 8)
    assert model.condition(labels).sum(dim=1).tolist() == [2.0] * 5
    with pytest.raises(ValueError, match="0..5"):
        model(x, torch.tensor([[0, 6]] * 5))
    with pytest.raises(ValueError, match=r"shape \(batch, 2\)"):
        model(x, torch.zeros(5, dtype=torch.long))
    with pytest.raises(ValueError, match=r"n_classes must list at least one label"):
        ConditionalVAE((1, 32, 32), ())


def test_condition_is_one_one_hot_block_per_label():
    model = ConditionalVAE((1, 16, 16), (3, 2), latent_dim=2, width=4)
    codes = model.condition(torch.tensor([[2, 0], [0, 1]]))
    assert codes.tolist() == [[0, 0, 1, 1, 0], [1, 0, 0, 0, 1]]
    single = ConditionalVAE((1, 16, 16), (4,), latent_dim=2, width=4)
    assert single.condition(torch.tensor([3, 1])).tolist() == [[0, 0, 0, 1], [0, 1, 0, 0]]


def test_the_encoder_sees_the_labels():
    torch.manual_seed(0)
    model = ConditionalVAE((1, 16, 16), (3,), latent_dim=2, width=4).eval()
    x = torch.rand(4, 1, 16, 16) * 2 - 1
    with torch.no_grad():
        mu_a = model.encode(x, torch.zeros(4, dtype=torch.long))[0]
        mu_b = model.encode(x, torch.full((4,), 2))[0]
    assert not torch.allclose(mu_a, mu_b)


def test_conditional_sample_obeys_labels_and_temperature(vae_cases):
    case = vae_cases["conditional-vae"]()
    model = case.model.eval()
    n = len(case.labels)
    g = [torch.Generator().manual_seed(2) for _ in range(3)]
    a = model.sample(n, labels=case.labels, generator=g[0])
    other = case.labels.flip(0)
    b = model.sample(n, labels=other, generator=g[1])  # same codes, other labels
    assert not torch.allclose(a, b)
    cold = model.sample(n, labels=case.labels, generator=g[2], temperature=0.0)
    torch.testing.assert_close(cold, model.decode(torch.zeros(n, 4), labels=case.labels))


def test_the_decoder_obeys_its_labels():
    # Two "words": label 0 is a bright top half, label 1 a bright bottom half. The images
    # say nothing the label does not, so under a strong KL weight the code carries nothing
    # and the decoder must take the half from the label.
    x = -torch.ones(128, 1, 32, 32)
    y = torch.arange(128) % 2
    x[y == 0, :, 16:] = 1.0
    x[y == 1, :, :16] = 1.0
    model = ConditionalVAE((1, 32, 32), (2,), latent_dim=2, width=8)
    result = train_vae(model, x, labels=y, lr=3e-3, beta=4.0,
                       run=RunConfig(steps=300, progress=False))
    assert result.ok
    model.eval()
    out = model.sample(8, labels=torch.tensor([0, 1] * 4),
                       generator=torch.Generator().manual_seed(0))
    top, bottom = out[:, 0, 16:].mean(dim=(1, 2)), out[:, 0, :16].mean(dim=(1, 2))
    assert torch.all(top[0::2] > bottom[0::2] + 0.5)
    assert torch.all(bottom[1::2] > top[1::2] + 0.5)
    with pytest.raises(ValueError, match="one row of labels per example"):
        train_vae(model, x, labels=y[:10], run=RunConfig(steps=1, progress=False))
