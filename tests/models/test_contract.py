"""Tests of aigc_kit.models.contract: every VAE and GAN of the kit sampled, encoded, decoded and
reconstructed through one contract (aigc_kit.generation.sample / reconstruct / GANSampler)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from aigc_kit.apps.music.tokens import N_DURATIONS
from aigc_kit.apps.music.vae import MelodyVAE
from aigc_kit.apps.video import VideoVAE
from aigc_kit.generation import GANSampler, reconstruct, sample
from aigc_kit.models import (
    VAE,
    ConditionalVAE,
    ConvDecoder,
    ConvEncoder,
    GenerativeVAE,
    LatentSampler,
    MixturePrior,
    MLPDecoder,
    MLPEncoder,
    MLPGenerator,
)

N = 5


@dataclass
class Case:
    """A tiny VAE, a batch of its data, its labels (conditional only), its example shape."""

    model: nn.Module
    x: torch.Tensor
    labels: torch.Tensor | None
    example_shape: tuple[int, ...]
    is_one_hot: bool = False

    def kw(self, labels: torch.Tensor | None = None) -> dict[str, torch.Tensor]:
        labels = self.labels if labels is None else labels
        return {} if labels is None else {"labels": labels}


def _mlp_vae() -> Case:
    shape = (1, 8, 8)
    model = VAE(MLPEncoder(shape, 4, hidden=(16,)), MLPDecoder(4, shape, hidden=(16,)))
    return Case(model, torch.rand(N, *shape) * 2 - 1, None, shape)


def _conv_vae() -> Case:  # batch norm: train and eval mode differ
    shape = (1, 16, 16)
    model = VAE(ConvEncoder(shape, 4, width=4), ConvDecoder(4, shape, width=4))
    return Case(model, torch.rand(N, *shape) * 2 - 1, None, shape)


def _conditional_vae() -> Case:
    shape = (1, 16, 16)
    model = ConditionalVAE(shape, (3, 2), latent_dim=4, width=4)
    labels = torch.tensor([[0, 0], [1, 1], [2, 0], [0, 1], [2, 1]])
    return Case(model, torch.rand(N, *shape) * 2 - 1, labels, shape)


def _melody_vae() -> Case:
    model = MelodyVAE(60, 67, latent=4, hidden=16, window=6)
    g = torch.Generator().manual_seed(0)
    tokens = [torch.randint(0, k, (N, 6), generator=g) for k in (model.n_pitches, N_DURATIONS, 2)]
    x = torch.cat([F.one_hot(t, k) for t, k in
                   zip(tokens, (model.n_pitches, N_DURATIONS, 2), strict=True)], -1).float()
    return Case(model, x, None, (6, model.features), is_one_hot=True)


def _video_vae() -> Case:
    model = VideoVAE(frames=2, size=8, latent_dim=4, width=4)
    return Case(model, torch.rand(N, 2, 3, 8, 8), None, (2, 3, 8, 8))


CASES: dict[str, Callable[[], Case]] = {
    "mlp-vae": _mlp_vae, "conv-vae": _conv_vae, "conditional-vae": _conditional_vae,
    "melody-vae": _melody_vae, "video-vae": _video_vae,
}


@pytest.fixture(params=list(CASES))
def case(request) -> Case:
    torch.manual_seed(0)
    return CASES[request.param]()


def _check_one_hot(case: Case, out: torch.Tensor) -> None:
    if case.is_one_hot:  # exactly one token per group: pitch, duration, phrase end
        assert set(out.unique().tolist()) <= {0.0, 1.0}
        torch.testing.assert_close(out.sum(-1), torch.full(out.shape[:2], 3.0))


def test_every_vae_follows_the_contract(case):
    model = case.model.eval()
    assert isinstance(model, GenerativeVAE) and isinstance(model, LatentSampler)
    assert isinstance(model.latent_dim, int) and model.latent_dim == 4
    with torch.no_grad():
        mu, logvar = model.encode(case.x, **case.kw())
        assert all(isinstance(t, torch.Tensor) for t in (mu, logvar))
        assert mu.shape == logvar.shape == (N, 4) and mu.dtype == logvar.dtype == torch.float32
        out = model.decode(mu, **case.kw())
        assert isinstance(out, torch.Tensor)
        assert out.shape == (N, *case.example_shape) and out.dtype == torch.float32
        _check_one_hot(case, out)
        recon, mu2, logvar2 = model(case.x, **case.kw(), deterministic=True)
        torch.testing.assert_close(mu2, mu)
        torch.testing.assert_close(logvar2, logvar)
        assert recon.shape[0] == N
    drawn = model.sample(N, **case.kw(), generator=torch.Generator().manual_seed(1))
    assert isinstance(drawn, torch.Tensor) and not drawn.requires_grad
    assert drawn.shape == (N, *case.example_shape) and drawn.dtype == torch.float32
    assert drawn.device == case.x.device
    _check_one_hot(case, drawn)
    # decode and sample give examples in the layout encode takes
    with torch.no_grad():
        assert model.encode(drawn, **case.kw())[0].shape == (N, 4)
    again = model.sample(N, **case.kw(), generator=torch.Generator().manual_seed(1))
    torch.testing.assert_close(drawn, again)


def test_the_protocols_are_not_trivially_true():
    assert not isinstance(nn.Linear(2, 2), GenerativeVAE)
    assert not isinstance(nn.Linear(2, 2), LatentSampler)
    assert not isinstance(MLPGenerator(4, (1, 8, 8)), GenerativeVAE)  # no encoder
    assert isinstance(MLPGenerator(4, (1, 8, 8)), LatentSampler)


def test_labels_are_never_silently_ignored(case):
    model = case.model.eval()
    z = torch.randn(N, 4)
    if case.labels is None:
        stray = torch.zeros(N, dtype=torch.long)
        with pytest.raises(ValueError, match="not conditioned"):
            model.encode(case.x, labels=stray)
        with pytest.raises(ValueError, match="not conditioned"):
            model.decode(z, labels=stray)
        with pytest.raises(ValueError, match="not conditioned"):
            model.sample(N, labels=stray)
    else:
        with pytest.raises(ValueError, match="needs labels"):
            model.decode(z)
        with pytest.raises(ValueError, match="needs labels"):
            model.sample(N)
        with pytest.raises(ValueError, match="one row per image"):
            model.sample(N + 1, labels=case.labels)


def test_conditional_sample_obeys_labels_and_temperature():
    case = _conditional_vae()
    model = case.model.eval()
    g = [torch.Generator().manual_seed(2) for _ in range(3)]
    a = model.sample(N, labels=case.labels, generator=g[0])
    other = case.labels.flip(0)
    b = model.sample(N, labels=other, generator=g[1])  # same codes, other labels
    assert not torch.allclose(a, b)
    cold = model.sample(N, labels=case.labels, generator=g[2], temperature=0.0)
    torch.testing.assert_close(cold, model.decode(torch.zeros(N, 4), labels=case.labels))


@pytest.mark.parametrize("training", [True, False])
def test_reconstruct_is_the_posterior_mean_and_keeps_the_mode(case, training):
    model = case.model.train(training)
    out = reconstruct(model, case.x, batch_size=2, **case.kw())  # three batches of 2, 2, 1
    assert model.training is training
    assert all(m.training is training for m in model.modules())
    assert out.device.type == "cpu" and out.shape == case.x.shape and not out.requires_grad
    model.eval()
    with torch.no_grad():
        if case.is_one_hot:  # forward gives teacher-forced logits: compare with decode(mu)
            want = model.decode(model.encode(case.x)[0])
            _check_one_hot(case, out)
        else:
            want = model(case.x, **case.kw(), deterministic=True)[0]
    torch.testing.assert_close(out, want)
    torch.testing.assert_close(reconstruct(model, case.x, **case.kw()), out)


def test_reconstruct_restores_mixed_modes_and_checks_its_inputs():
    case = _conv_vae()
    model = case.model.train()
    model.encoder.eval()  # a frozen encoder inside a training model stays frozen
    reconstruct(model, case.x)
    assert model.training and model.decoder.training and not model.encoder.training
    with pytest.raises(ValueError, match="no examples"):
        reconstruct(model, case.x[:0])
    labelled = _conditional_vae()
    with pytest.raises(ValueError, match="one row per example"):
        reconstruct(labelled.model, labelled.x, labels=labelled.labels[:2])


def test_sample_is_seeded_privately_and_keeps_the_mode(case):
    model = case.model.train()
    torch.manual_seed(123)
    state = torch.get_rng_state()
    a = sample(model, 4, seed=7, **case.kw(case.labels[:4] if case.labels is not None else None))
    assert torch.equal(torch.get_rng_state(), state)  # the global RNG is untouched
    assert model.training and all(m.training for m in model.modules())
    b = sample(model, 4, seed=7, **case.kw(case.labels[:4] if case.labels is not None else None))
    c = sample(model, 4, seed=8, **case.kw(case.labels[:4] if case.labels is not None else None))
    assert a.device.type == "cpu" and a.shape == (4, *case.example_shape)
    torch.testing.assert_close(a, b)
    assert not torch.equal(a, c)
    # the same codes as the model's own sample() from a generator seeded alike, in eval mode
    model.eval()
    want = model.sample(4, generator=torch.Generator().manual_seed(7),
                        **case.kw(case.labels[:4] if case.labels is not None else None))
    torch.testing.assert_close(a, want)


def test_sample_rejects_what_cannot_sample():
    with pytest.raises(TypeError, match="no sample"):
        sample(nn.Linear(2, 2), 3)
    with pytest.raises(ValueError, match="positive integer"):
        sample(_mlp_vae().model, 0)


def _generator() -> MLPGenerator:
    torch.manual_seed(0)
    return MLPGenerator(4, (1, 8, 8), hidden=(16,), batch_norm=True)


def test_gan_sampler_without_a_prior():
    g = _generator().train()
    gan = GANSampler(g, 4)
    assert isinstance(gan, LatentSampler) and not isinstance(gan, GenerativeVAE)
    a = gan.sample(6, generator=torch.Generator().manual_seed(1))
    torch.testing.assert_close(a, sample(gan, 6, seed=1))
    assert a.shape == (6, 1, 8, 8) and g.training  # eval mode only for the call
    z = torch.randn(6, 4, generator=torch.Generator().manual_seed(2))
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
    prior = MixturePrior(4, n_components=3, sd=0.0, seed=5)  # codes are exactly the centres
    gan = GANSampler(g, 4, prior)
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
    plain = sample(GANSampler(g, 4), 9, seed=3)
    assert torch.cdist(plain.flatten(1), centres.flatten(1)).min(dim=1).values.max() > 1e-3
    with pytest.raises(ValueError, match="latent_dim=5"):
        sample(GANSampler(g, 5, MixturePrior(4, 3)), 2, seed=0)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_devices_a_cpu_seed_gives_the_same_codes_on_the_gpu(case):
    cpu_model = case.model.eval()
    want = sample(cpu_model, 3, seed=4,
                  **case.kw(case.labels[:3] if case.labels is not None else None))
    model = cpu_model.to("cuda")
    got = sample(model, 3, seed=4,
                 **case.kw(case.labels[:3] if case.labels is not None else None))
    assert got.device.type == "cpu" and got.shape == want.shape
    if not case.is_one_hot:  # greedy note choices may flip on near ties
        torch.testing.assert_close(got, want, atol=1e-3, rtol=1e-3)
    drawn = model.sample(3, generator=torch.Generator().manual_seed(4),
                         **case.kw(case.labels[:3] if case.labels is not None else None))
    assert drawn.device.type == "cuda"
    out = reconstruct(model, case.x, **case.kw())  # x on the CPU, the model on the GPU
    assert out.device.type == "cpu" and out.shape == case.x.shape
    g = _generator().cuda()
    gan = GANSampler(g, 4, MixturePrior(4, 3))
    assert gan.sample(2, generator=torch.Generator().manual_seed(0)).device.type == "cuda"
    assert sample(GANSampler(g, 4), 2, seed=0).device.type == "cpu"
