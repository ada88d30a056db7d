import pytest
import torch
import torch.nn.functional as F
from torch import nn

from aigc_kit.models import (
    VAE,
    ConvDecoder,
    ConvDiscriminator,
    ConvEncoder,
    ConvGenerator,
    MelClassifier,
    MLPDecoder,
    MLPDiscriminator,
    MLPEncoder,
    MLPGenerator,
    reparameterize,
)
from aigc_kit.models.mlp import SOURCE_NEGATIVE_SLOPE

SHAPES = [(1, 32, 32), (1, 32, 48)]
BATCHES = [1, 8]


def n_params(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def linear_shapes(module: nn.Module) -> list[tuple[int, int]]:
    return [(m.in_features, m.out_features) for m in module.modules() if isinstance(m, nn.Linear)]


def generators(shape):
    return [
        MLPGenerator(out_shape=shape),
        MLPGenerator(out_shape=shape, batch_norm=True),
        MLPDecoder(latent_dim=16, out_shape=shape),
        ConvGenerator(out_shape=shape),
        ConvDecoder(latent_dim=16, out_shape=shape, width=8),
    ]


def discriminators(shape):
    return [
        MLPDiscriminator(in_shape=shape),
        MLPDiscriminator(in_shape=shape, batch_norm=True),
        ConvDiscriminator(in_shape=shape),
        ConvDiscriminator(in_shape=shape, width=8, spectral_norm=False),
    ]


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


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("batch", BATCHES)
def test_generators_make_finite_images_in_tanh_range(shape, batch):
    torch.manual_seed(0)
    for g in generators(shape):
        g.train(batch > 1 or not has_batch_norm_1d(g))
        out = g(torch.randn(batch, g.latent_dim) * 3)
        assert out.shape == (batch, *shape) and out.dtype == torch.float32, type(g)
        assert torch.isfinite(out).all() and out.abs().max() <= 1.0


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("batch", BATCHES)
def test_discriminators_return_one_logit_per_image(shape, batch):
    torch.manual_seed(0)
    x = torch.rand(batch, *shape) * 2 - 1
    for d in discriminators(shape):
        d.train(batch > 1 or not has_batch_norm_1d(d))
        logits = d(x)
        assert logits.shape == (batch,) and logits.dtype == torch.float32, type(d)
        assert torch.isfinite(logits).all()


def test_discriminators_return_logits_not_probabilities():
    torch.manual_seed(0)
    x = torch.rand(64, 1, 32, 32) * 2 - 1
    for d in discriminators((1, 32, 32)):
        logits = d(x)
        assert (logits < 0).any() and (logits > 0).any()  # sigmoid outputs are all > 0


def test_batch_norm_needs_two_examples_in_training_mode():
    g = MLPGenerator(batch_norm=True)
    with pytest.raises(ValueError, match="at least 2 examples"):
        g(torch.randn(1, 100))
    assert g.eval()(torch.randn(1, 100)).shape == (1, 1, 32, 32)
    # The conv models normalise over space too, so one example works in training mode.
    assert ConvGenerator().train()(torch.randn(1, 100)).shape == (1, 1, 32, 32)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("batch", BATCHES)
def test_encoders_and_vaes(shape, batch):
    torch.manual_seed(0)
    x = torch.rand(batch, *shape) * 2 - 1
    pairs = [
        (MLPEncoder(shape, latent_dim=16), MLPDecoder(16, shape)),
        (ConvEncoder(shape, latent_dim=16, width=8), ConvDecoder(16, shape, width=8)),
    ]
    for encoder, decoder in pairs:
        mu, logvar = encoder(x)
        assert mu.shape == logvar.shape == (batch, 16)
        vae = VAE(encoder, decoder)
        recon, mu, logvar = vae(x)
        assert recon.shape == x.shape and torch.isfinite(recon).all()
        assert recon.abs().max() <= 1.0
        assert vae.sample(3).shape == (3, *shape)


def test_reparameterisation():
    mu, logvar = torch.randn(4, 8), torch.randn(4, 8)
    eps1, eps2 = torch.randn(4, 8), torch.randn(4, 8)
    z1, z2 = reparameterize(mu, logvar, eps1), reparameterize(mu, logvar, eps2)
    assert not torch.allclose(z1, z2)
    torch.testing.assert_close(z1, mu + torch.exp(0.5 * logvar) * eps1)
    # A vanishing variance (logvar -> -inf) leaves the mean.
    torch.testing.assert_close(reparameterize(mu, torch.full_like(mu, -200.0)), mu)
    # Gradients reach mu and logvar through the draw.
    mu.requires_grad_(True)
    logvar.requires_grad_(True)
    reparameterize(mu, logvar).sum().backward()
    assert mu.grad is not None and logvar.grad is not None


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


def test_sample_is_repeatable_with_a_generator():
    g = ConvGenerator(width=8).eval()
    a = g.sample(4, generator=torch.Generator().manual_seed(1))
    b = g.sample(4, generator=torch.Generator().manual_seed(1))
    torch.testing.assert_close(a, b)
    assert not a.requires_grad


def test_wrong_shapes_name_expected_and_actual():
    with pytest.raises(ValueError, match=r"expected images of shape \(batch, 1, 32, 32\), got "
                                         r"\(2, 32, 32\)"):
        MLPDiscriminator()(torch.zeros(2, 32, 32))
    with pytest.raises(ValueError, match=r"expected latent codes of shape \(batch, 100\), got "
                                         r"\(2, 64\)"):
        ConvGenerator()(torch.zeros(2, 64))
    with pytest.raises(ValueError, match=r"divisible by 8.*got \(1, 30, 32\)"):
        ConvDiscriminator(in_shape=(1, 30, 32))
    with pytest.raises(ValueError, match=r"expected images of shape \(batch, 1, 32, 48\)"):
        MelClassifier(10, in_shape=(1, 32, 48))(torch.zeros(2, 1, 32, 32))


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


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_models_run_on_cuda():
    device = torch.device("cuda")
    vae = VAE(ConvEncoder(latent_dim=16), ConvDecoder(latent_dim=16)).to(device)
    recon, _, _ = vae(torch.zeros(4, 1, 32, 32, device=device))
    assert recon.device.type == "cuda"
    g = MLPGenerator().to(device)
    assert g.sample(2, generator=torch.Generator().manual_seed(0)).device.type == "cuda"
    assert ConvDiscriminator().to(device)(g.sample(2)).device.type == "cuda"
    clf = MelClassifier(10).to(device)
    assert clf.predict_proba(torch.zeros(3, 1, 32, 32)).device.type == "cpu"


def test_count_parameters_counts_weights_and_biases_once():
    from aigc_kit.models import count_parameters

    layer = torch.nn.Linear(3, 4)
    shared = torch.nn.Sequential(layer, torch.nn.ReLU(), layer)
    assert count_parameters(layer) == 3 * 4 + 4
    assert count_parameters(shared) == 16
    layer.bias.requires_grad_(False)
    assert count_parameters(layer, trainable_only=True) == 12
