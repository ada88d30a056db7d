"""Tests of aigc_kit.generation.sampling: sample, reconstruct and GANSampler for every
VAE and GAN of the kit (the VAEs come from the ``vae_case`` fixture of tests/conftest.py)."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from aigc_kit.generation import GANSampler, reconstruct, sample
from aigc_kit.models import GenerativeVAE, LatentSampler, MixturePrior, MLPGenerator

LATENT = 4


@pytest.mark.parametrize("training", [True, False])
def test_reconstruct_is_the_posterior_mean_and_keeps_the_mode(vae_case, training):
    case = vae_case
    model = case.model.train(training)
    out = reconstruct(model, case.x, batch_size=2, **case.kw())  # three batches of 2, 2, 1
    assert model.training is training
    assert all(m.training is training for m in model.modules())
    assert out.device.type == "cpu" and out.shape == case.x.shape and not out.requires_grad
    model.eval()
    with torch.no_grad():
        if case.is_one_hot:  # forward gives teacher-forced logits: compare with decode(mu)
            want = model.decode(model.encode(case.x)[0])
            case.check_one_hot(out)
        else:
            want = model(case.x, **case.kw(), deterministic=True)[0]
    torch.testing.assert_close(out, want)
    torch.testing.assert_close(reconstruct(model, case.x, **case.kw()), out)


def test_reconstruct_restores_mixed_modes_and_checks_its_inputs(vae_cases):
    case = vae_cases["conv-vae"]()
    model = case.model.train()
    model.encoder.eval()  # a frozen encoder inside a training model stays frozen
    reconstruct(model, case.x)
    assert model.training and model.decoder.training and not model.encoder.training
    with pytest.raises(ValueError, match="no examples"):
        reconstruct(model, case.x[:0])
    with pytest.raises(ValueError, match="batch_size must be >= 1, got 0"):
        reconstruct(model, case.x, batch_size=0)
    labelled = vae_cases["conditional-vae"]()
    with pytest.raises(ValueError, match="one row per example"):
        reconstruct(labelled.model, labelled.x, labels=labelled.labels[:2])


def test_reconstruct_feeds_the_model_its_own_dtype(vae_cases):
    case = vae_cases["mlp-vae"]()
    model = case.model.eval()
    out = reconstruct(model, case.x.double(), device="cpu")  # float64 in, float32 model
    assert out.dtype == torch.float32
    torch.testing.assert_close(out, reconstruct(model, case.x))


def test_sample_is_seeded_privately_and_keeps_the_mode(vae_case):
    case = vae_case
    model = case.model.train()
    torch.manual_seed(123)
    state = torch.get_rng_state()
    a = sample(model, 4, seed=7, **case.first(4))
    assert torch.equal(torch.get_rng_state(), state)  # the global RNG is untouched
    assert model.training and all(m.training for m in model.modules())
    b = sample(model, 4, seed=7, **case.first(4))
    c = sample(model, 4, seed=8, **case.first(4))
    assert a.device.type == "cpu" and a.shape == (4, *case.example_shape)
    torch.testing.assert_close(a, b)
    assert not torch.equal(a, c)
    # the same codes as the model's own sample() from a generator seeded alike, in eval mode
    model.eval()
    want = model.sample(4, generator=torch.Generator().manual_seed(7), **case.first(4))
    torch.testing.assert_close(a, want)


def test_sample_without_a_seed_follows_the_global_rng(vae_cases):
    model = vae_cases["mlp-vae"]().model
    torch.manual_seed(5)
    first = sample(model, 3)
    torch.manual_seed(5)
    torch.testing.assert_close(sample(model, 3), first)
    assert not torch.equal(sample(model, 3), first)  # the global RNG moved on


def test_sample_rejects_what_cannot_sample(vae_cases):
    with pytest.raises(TypeError, match="Linear has no sample"):
        sample(nn.Linear(2, 2), 3)
    with pytest.raises(ValueError, match="positive integer"):
        sample(vae_cases["mlp-vae"]().model, 0)


def _generator() -> MLPGenerator:
    torch.manual_seed(0)
    return MLPGenerator(LATENT, (1, 8, 8), hidden=(16,), batch_norm=True)


def test_gan_sampler_without_a_prior():
    g = _generator().train()
    gan = GANSampler(g, LATENT)
    assert isinstance(gan, LatentSampler) and not isinstance(gan, GenerativeVAE)
    a = gan.sample(6, generator=torch.Generator().manual_seed(1))
    torch.testing.assert_close(a, sample(gan, 6, seed=1))
    assert a.shape == (6, 1, 8, 8) and g.training  # eval mode only for the call
    z = torch.randn(6, LATENT, generator=torch.Generator().manual_seed(2))
    with torch.no_grad():
        want = g.eval()(z)
    g.train()
    torch.testing.assert_close(gan.sample(6, generator=torch.Generator().manual_seed(2)), want)
    torch.testing.assert_close(sample(gan, 6, seed=2), want)  # a GAN sampled like a VAE
    assert g.training
    with pytest.raises(ValueError, match="not both"):
        sample(gan, 6, seed=1, generator=torch.Generator())


def test_gan_sampler_with_a_mixture_prior():
    g = _generator()
    prior = MixturePrior(LATENT, n_components=3, sd=0.0, seed=5)  # codes are the centres
    gan = GANSampler(g, LATENT, prior)
    out = sample(gan, 9, seed=3)
    with torch.no_grad():
        z = prior(9, generator=torch.Generator().manual_seed(3))
        want = g.eval()(z)
        centres = g(prior.centres)
    torch.testing.assert_close(out, want)
    torch.testing.assert_close(gan.sample(9, generator=torch.Generator().manual_seed(3)), want)
    # every sample is the image of one of the three centres, unlike N(0, I) codes
    distance = torch.cdist(out.flatten(1), centres.flatten(1)).min(dim=1).values
    assert distance.max() < 1e-5
    plain = sample(GANSampler(g, LATENT), 9, seed=3)
    assert torch.cdist(plain.flatten(1), centres.flatten(1)).min(dim=1).values.max() > 1e-3
    with pytest.raises(ValueError, match="latent_dim=5"):
        sample(GANSampler(g, 5, MixturePrior(LATENT, 3)), 2, seed=0)


def test_sampling_a_gan_uses_eval_mode_and_its_own_generator():
    torch.manual_seed(0)
    g = nn.Sequential(nn.Linear(LATENT, 8), nn.BatchNorm1d(8))
    g.train()
    state = torch.get_rng_state()
    a = sample(GANSampler(g, LATENT), 5, seed=1)
    assert torch.equal(state, torch.get_rng_state())
    assert torch.equal(a, sample(GANSampler(g, LATENT), 5, seed=1))
    assert g.training  # mode restored
    # In eval mode the fresh BatchNorm (running mean 0, var 1) is the identity.
    z = torch.randn(5, LATENT, generator=torch.Generator().manual_seed(1))
    assert torch.allclose(a, g[0](z).detach(), atol=1e-5)


def test_gan_sampler_works_in_batches_of_256():
    calls = []
    g = nn.Linear(LATENT, 2)
    g.register_forward_hook(lambda m, inputs, out: calls.append(len(inputs[0])))
    out = GANSampler(g, LATENT).sample(600, generator=torch.Generator().manual_seed(0))
    assert calls == [256, 256, 88] and out.shape == (600, 2) and not out.requires_grad
    z = torch.randn(600, LATENT, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        torch.testing.assert_close(out, g(z))


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_devices_a_cpu_seed_gives_the_same_codes_on_the_gpu(vae_case):
    case = vae_case
    cpu_model = case.model.eval()
    want = sample(cpu_model, 3, seed=4, **case.first(3))
    model = cpu_model.to("cuda")
    got = sample(model, 3, seed=4, **case.first(3))
    assert got.device.type == "cpu" and got.shape == want.shape
    if not case.is_one_hot:  # greedy note choices may flip on near ties
        torch.testing.assert_close(got, want, atol=1e-3, rtol=1e-3)
    drawn = model.sample(3, generator=torch.Generator().manual_seed(4), **case.first(3))
    assert drawn.device.type == "cuda"
    out = reconstruct(model, case.x, **case.kw())  # x on the CPU, the model on the GPU
    assert out.device.type == "cpu" and out.shape == case.x.shape
    g = _generator().cuda()
    gan = GANSampler(g, LATENT, MixturePrior(LATENT, 3))
    assert gan.sample(2, generator=torch.Generator().manual_seed(0)).device.type == "cuda"
    assert sample(GANSampler(g, LATENT), 2, seed=0).device.type == "cpu"
