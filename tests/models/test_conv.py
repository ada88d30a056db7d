"""Tests of aigc_kit.models.conv: the convolutional GAN and VAE for log-mel images."""

import pytest
import torch
from torch import nn
from torch.nn.utils import parametrize

from aigc_kit.models import VAE, ConvDecoder, ConvDiscriminator, ConvEncoder, ConvGenerator

SHAPES = [(1, 32, 32), (1, 32, 48)]
BATCHES = [1, 8]


def n_params(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def test_sizes_are_the_documented_ones_and_upsampling_is_not_transposed():
    g, d = ConvGenerator(), ConvDiscriminator()
    assert n_params(g) == 125_809 and n_params(d) == 42_353  # as the docstrings say
    assert not any(isinstance(m, nn.ConvTranspose2d) for m in g.modules())  # no checkerboard
    assert sum(isinstance(m, nn.Upsample) for m in g.modules()) == 3
    assert not any(isinstance(m, nn.BatchNorm2d) for m in d.modules())


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("batch", BATCHES)
def test_conv_generators_make_finite_images_in_tanh_range(shape, batch):
    torch.manual_seed(0)
    for g in (ConvGenerator(out_shape=shape), ConvDecoder(latent_dim=16, out_shape=shape,
                                                         width=8)):
        out = g(torch.randn(batch, g.latent_dim) * 3)
        assert out.shape == (batch, *shape) and out.dtype == torch.float32, type(g)
        assert torch.isfinite(out).all() and out.abs().max() <= 1.0
        assert out.std() > 0.01  # not a constant image


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("batch", BATCHES)
def test_conv_discriminators_return_one_logit_per_image(shape, batch):
    torch.manual_seed(0)
    x = torch.rand(batch, *shape) * 2 - 1
    for d in (ConvDiscriminator(in_shape=shape),
              ConvDiscriminator(in_shape=shape, width=8, spectral_norm=False)):
        logits = d(x)
        assert logits.shape == (batch,) and logits.dtype == torch.float32, type(d)
        assert torch.isfinite(logits).all()


def test_conv_discriminators_return_logits_not_probabilities():
    torch.manual_seed(0)
    x = torch.rand(64, 1, 32, 32) * 2 - 1
    for d in (ConvDiscriminator(), ConvDiscriminator(width=8, spectral_norm=False)):
        logits = d(x)
        assert (logits < 0).any() and (logits > 0).any()  # sigmoid outputs are all > 0


def test_each_image_s_logit_depends_on_that_image_alone():
    torch.manual_seed(0)
    d = ConvDiscriminator(width=8, spectral_norm=False).train()  # training mode: no BN either
    x = torch.rand(6, 1, 32, 32) * 2 - 1
    with torch.no_grad():
        torch.testing.assert_close(d(x)[:2], d(x[:2]))


def test_spectral_norm_is_on_every_discriminator_layer_unless_switched_off():
    def normalised(d: nn.Module) -> list[bool]:
        return [parametrize.is_parametrized(m, "weight") for m in d.modules()
                if isinstance(m, (nn.Conv2d, nn.Linear))]

    assert normalised(ConvDiscriminator()) == [True] * 4
    assert normalised(ConvDiscriminator(spectral_norm=False)) == [False] * 4


def test_a_batch_of_one_trains_because_batch_norm_spans_space():
    assert ConvGenerator().train()(torch.randn(1, 100)).shape == (1, 1, 32, 32)
    mu, logvar = ConvEncoder(latent_dim=8, width=4).train()(torch.rand(1, 1, 32, 32))
    assert mu.shape == logvar.shape == (1, 8)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("batch", BATCHES)
def test_conv_encoder_and_vae(shape, batch):
    torch.manual_seed(0)
    x = torch.rand(batch, *shape) * 2 - 1
    encoder, decoder = ConvEncoder(shape, latent_dim=16, width=8), ConvDecoder(16, shape, width=8)
    mu, logvar = encoder(x)
    assert mu.shape == logvar.shape == (batch, 16)
    vae = VAE(encoder, decoder)
    recon, mu, logvar = vae(x)
    assert recon.shape == x.shape and torch.isfinite(recon).all()
    assert recon.abs().max() <= 1.0
    assert vae.sample(3).shape == (3, *shape)


def test_wrong_shapes_name_expected_and_actual():
    with pytest.raises(ValueError, match=r"expected latent codes of shape \(batch, 100\), got "
                                         r"\(2, 64\)"):
        ConvGenerator()(torch.zeros(2, 64))
    with pytest.raises(ValueError, match=r"divisible by 8.*got \(1, 30, 32\)"):
        ConvDiscriminator(in_shape=(1, 30, 32))
    with pytest.raises(ValueError, match=r"ConvGenerator: image shape must be \(channels, height, "
                                         r"width\).*got \(32, 32\)"):
        ConvGenerator(out_shape=(32, 32))
    with pytest.raises(ValueError, match=r"ConvEncoder: expected images of shape "
                                         r"\(batch, 1, 32, 32\), got \(2, 1, 32, 48\)"):
        ConvEncoder()(torch.zeros(2, 1, 32, 48))


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_conv_models_run_on_cuda():
    device = torch.device("cuda")
    vae = VAE(ConvEncoder(latent_dim=16), ConvDecoder(latent_dim=16)).to(device)
    recon, _, _ = vae(torch.zeros(4, 1, 32, 32, device=device))
    assert recon.device.type == "cuda"
    g = ConvGenerator().to(device)
    fakes = g.sample(2, generator=torch.Generator().manual_seed(0))
    assert ConvDiscriminator().to(device)(fakes).device.type == "cuda"
