"""Tests of aigc_kit.models.mlp: the source's MLP GAN and the MLP VAE, their sizes and inputs."""

import pytest
import torch
from torch import nn

from aigc_kit.models import VAE, MLPDecoder, MLPDiscriminator, MLPEncoder, MLPGenerator
from aigc_kit.models.mlp import SOURCE_NEGATIVE_SLOPE, check_shape, mlp

SHAPES = [(1, 32, 32), (1, 32, 48)]
BATCHES = [1, 8]


def n_params(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def linear_shapes(module: nn.Module) -> list[tuple[int, int]]:
    return [(m.in_features, m.out_features) for m in module.modules() if isinstance(m, nn.Linear)]


def has_batch_norm_1d(module: nn.Module) -> bool:
    return any(isinstance(m, nn.BatchNorm1d) for m in module.modules())


def test_mlp_sizes_match_the_source():
    # Keras: Dense(256), Dense(512), Dense(1024), Dense(output_dim) on a 100-d latent.
    g = MLPGenerator()
    assert linear_shapes(g) == [(100, 256), (256, 512), (512, 1024), (1024, 1024)]
    assert n_params(g) == 1_732_352
    # Keras: Dense(512), Dense(256), Dense(1) on the flattened input.
    d = MLPDiscriminator()
    assert linear_shapes(d) == [(1024, 512), (512, 256), (256, 1)]
    assert n_params(d) == 656_385
    slopes = {m.negative_slope for m in g.modules() if isinstance(m, nn.LeakyReLU)}
    assert slopes == {0.2}  # the kit's default; the source's LeakyReLU(alpha=0.01) on request
    source = MLPGenerator(negative_slope=SOURCE_NEGATIVE_SLOPE)
    assert {m.negative_slope for m in source.modules() if isinstance(m, nn.LeakyReLU)} == {0.01}
    assert not has_batch_norm_1d(g) and not has_batch_norm_1d(d)
    enc = MLPEncoder(latent_dim=100)
    assert linear_shapes(enc) == [(1024, 1024), (1024, 512), (512, 256), (256, 100), (256, 100)]
    assert linear_shapes(MLPDecoder()) == linear_shapes(g)


def test_mlp_layers_and_their_batch_norm_follow_keras_momentum():
    layers = mlp([3, 5, 2], negative_slope=0.1, batch_norm=True)
    kinds = [type(m).__name__ for m in layers]
    assert kinds == ["Linear", "LeakyReLU", "BatchNorm1d"] * 2
    assert {m.momentum for m in layers if isinstance(m, nn.BatchNorm1d)} == {0.2}  # Keras 0.8
    assert layers(torch.randn(4, 3)).shape == (4, 2)
    assert [type(m).__name__ for m in mlp([3, 2], 0.1)] == ["Linear", "LeakyReLU"]


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("batch", BATCHES)
def test_mlp_generators_make_finite_images_in_tanh_range(shape, batch):
    torch.manual_seed(0)
    for g in (MLPGenerator(out_shape=shape), MLPGenerator(out_shape=shape, batch_norm=True),
              MLPDecoder(latent_dim=16, out_shape=shape)):
        g.train(batch > 1 or not has_batch_norm_1d(g))
        out = g(torch.randn(batch, g.latent_dim) * 3)
        assert out.shape == (batch, *shape) and out.dtype == torch.float32, type(g)
        assert torch.isfinite(out).all() and out.abs().max() <= 1.0
        assert out.std() > 0.01  # not a constant image


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("batch", BATCHES)
def test_mlp_discriminators_return_one_logit_per_image(shape, batch):
    torch.manual_seed(0)
    x = torch.rand(batch, *shape) * 2 - 1
    for d in (MLPDiscriminator(in_shape=shape), MLPDiscriminator(in_shape=shape,
                                                                  batch_norm=True)):
        d.train(batch > 1 or not has_batch_norm_1d(d))
        logits = d(x)
        assert logits.shape == (batch,) and logits.dtype == torch.float32, type(d)
        assert torch.isfinite(logits).all()


def test_mlp_discriminators_return_logits_not_probabilities():
    torch.manual_seed(0)
    x = torch.rand(64, 1, 32, 32) * 2 - 1
    for d in (MLPDiscriminator(), MLPDiscriminator(batch_norm=True)):
        logits = d(x)
        assert (logits < 0).any() and (logits > 0).any()  # sigmoid outputs are all > 0


def test_batch_norm_needs_two_examples_in_training_mode():
    g = MLPGenerator(batch_norm=True)
    with pytest.raises(ValueError, match="at least 2 examples"):
        g(torch.randn(1, 100))
    assert g.eval()(torch.randn(1, 100)).shape == (1, 1, 32, 32)
    with pytest.raises(ValueError, match=r"MLPDiscriminator: .*at least 2 examples.*\.eval\(\)"):
        MLPDiscriminator(batch_norm=True)(torch.zeros(1, 1, 32, 32))
    assert MLPGenerator().train()(torch.randn(1, 100)).shape == (1, 1, 32, 32)  # no BN: fine


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("batch", BATCHES)
def test_mlp_encoder_and_vae(shape, batch):
    torch.manual_seed(0)
    x = torch.rand(batch, *shape) * 2 - 1
    encoder, decoder = MLPEncoder(shape, latent_dim=16), MLPDecoder(16, shape)
    mu, logvar = encoder(x)
    assert mu.shape == logvar.shape == (batch, 16)
    vae = VAE(encoder, decoder)
    recon, mu, logvar = vae(x)
    assert recon.shape == x.shape and torch.isfinite(recon).all()
    assert recon.abs().max() <= 1.0
    assert vae.sample(3).shape == (3, *shape)


def test_vae_deterministic_forward_decodes_the_mean():
    torch.manual_seed(0)
    vae = VAE(MLPEncoder(latent_dim=8), MLPDecoder(latent_dim=8)).eval()
    x = torch.rand(5, 1, 32, 32) * 2 - 1
    with torch.no_grad():
        recon, mu, _ = vae(x, deterministic=True)
        torch.testing.assert_close(recon, vae.decode(mu))
        torch.testing.assert_close(vae(x, deterministic=True)[0], recon)
        assert not torch.allclose(vae(x)[0], recon)  # a random draw differs
    with pytest.raises(ValueError, match="latent_dim 8 differs from the decoder's 4"):
        VAE(MLPEncoder(latent_dim=8), MLPDecoder(latent_dim=4))


def test_sample_decodes_codes_of_the_generator_without_gradients():
    g = MLPGenerator(8, (1, 8, 8), hidden=(16,)).eval()
    a = g.sample(4, generator=torch.Generator().manual_seed(1))
    b = g.sample(4, generator=torch.Generator().manual_seed(1))
    torch.testing.assert_close(a, b)
    assert not a.requires_grad
    with torch.no_grad():
        want = g(torch.randn(4, 8, generator=torch.Generator().manual_seed(1)))
    torch.testing.assert_close(a, want)
    assert not torch.equal(a, g.sample(4, generator=torch.Generator().manual_seed(2)))


def test_wrong_shapes_name_expected_and_actual():
    with pytest.raises(ValueError, match=r"expected images of shape \(batch, 1, 32, 32\), got "
                                         r"\(2, 32, 32\)"):
        MLPDiscriminator()(torch.zeros(2, 32, 32))
    with pytest.raises(ValueError, match=r"MLPGenerator: expected latent codes of shape "
                                         r"\(batch, 100\), got \(2, 64\)"):
        MLPGenerator()(torch.zeros(2, 64))
    with pytest.raises(ValueError, match=r"MLPEncoder: expected images .* got \(3, 1, 8, 8\)"):
        MLPEncoder()(torch.zeros(3, 1, 8, 8))
    with pytest.raises(ValueError, match=r"Net: expected images of shape \(batch, 2\), got "
                                         r"list"):
        check_shape([1, 2], (2,), "Net", "images")  # not a tensor at all


def test_the_plain_vae_refuses_labels():
    vae = VAE(MLPEncoder((1, 8, 8), 4, hidden=(8,)), MLPDecoder(4, (1, 8, 8), hidden=(8,)))
    with pytest.raises(ValueError, match="VAE is not conditioned"):
        vae(torch.zeros(2, 1, 8, 8), torch.zeros(2, dtype=torch.long))


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_mlp_models_run_on_cuda():
    device = torch.device("cuda")
    vae = VAE(MLPEncoder(latent_dim=16), MLPDecoder(latent_dim=16)).to(device)
    recon, _, _ = vae(torch.zeros(4, 1, 32, 32, device=device))
    assert recon.device.type == "cuda"
    g = MLPGenerator().to(device)
    assert g.sample(2, generator=torch.Generator().manual_seed(0)).device.type == "cuda"
