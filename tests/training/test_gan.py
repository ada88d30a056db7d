"""Tests for aigc_kit.training.gan: GANConfig, train_gan's steps, R1, EMA, priors and sampling."""

from __future__ import annotations

import copy

import pytest
import torch
from torch import nn

import aigc_kit.training.losses as losses
from aigc_kit.generation import GANSampler, sample
from aigc_kit.models import MixturePrior
from aigc_kit.training import GANConfig, RunConfig, TrainResult, train_gan

LATENT = 4  # the latent size of conftest's tiny_gan


def _weights(*models: nn.Module) -> list[torch.Tensor]:
    return [t.detach().cpu().clone() for m in models for t in m.state_dict().values()]


def _equal(a: list[torch.Tensor], b: list[torch.Tensor]) -> bool:
    return len(a) == len(b) and all(torch.equal(x, y) for x, y in zip(a, b, strict=True))


def _input_gradient_norm(d: nn.Module, x: torch.Tensor) -> float:
    x = x.clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(d(x).sum(), x)
    return grad.pow(2).sum(1).mean().item()


def test_gan_learns_a_gaussian(tiny_gan, gaussian_data):
    g, d = tiny_gan()
    data = gaussian_data()
    before = sample(GANSampler(g, LATENT), 2000, seed=0)
    result = train_gan(g, d, data, GANConfig(latent_dim=LATENT, batch_size=128, lr=5e-3),
                       run=RunConfig(steps=600, progress=False))
    assert isinstance(result, TrainResult) and result.ok and result.stopped == "steps"
    assert result.steps == 600 and result.seconds > 0
    assert list(result.history.columns) == ["step", "seconds", "loss_d", "loss_g", "d_real",
                                            "d_fake"]
    assert result.history["step"].tolist() == list(range(1, 601))
    assert result.history["seconds"].is_monotonic_increasing
    assert not g.training and not d.training  # left in eval mode
    samples = sample(GANSampler(g, LATENT), 4000, seed=0)
    assert abs(before.mean().item() - 3.0) > 1.5  # it did start far away
    assert samples.mean().item() == pytest.approx(3.0, abs=0.2)
    assert samples.std().item() == pytest.approx(0.5, abs=0.2)
    # Near equilibrium the discriminator can hardly tell: D(x) ~ D(G(z)) ~ 1/2.
    late = result.history.tail(100)
    assert late["d_real"].mean() == pytest.approx(0.5, abs=0.15)
    assert late["d_fake"].mean() == pytest.approx(0.5, abs=0.15)
    assert "loss_d=" in repr(result)


def test_gan_r1_penalty_smooths_the_discriminator_on_real_data(tiny_gan, gaussian_data):
    data = gaussian_data()
    norms, losses = {}, {}
    for gamma in (0.0, 100.0):
        g, d = tiny_gan()
        result = train_gan(g, d, data,
                           GANConfig(latent_dim=LATENT, batch_size=128, lr=5e-3, r1_gamma=gamma),
                           run=RunConfig(steps=150, progress=False))
        assert result.ok
        norms[gamma] = _input_gradient_norm(d, data)
        losses[gamma] = result.history["loss_d"].iloc[0]
    assert norms[100.0] < 0.1 * norms[0.0]
    # Same seed, same first batch: the first loss differs only by the (positive) penalty.
    assert losses[100.0] > losses[0.0]


def test_lazy_r1_penalises_every_kth_step_with_k_times_the_weight(tiny_gan, gaussian_data):
    frozen = lambda p: torch.optim.SGD(p, lr=0.0)  # noqa: E731 - same nets, same RNG stream
    losses = {}
    for gamma, every in ((0.0, 1), (10.0, 1), (10.0, 3)):
        g, d = tiny_gan()
        result = train_gan(g, d, gaussian_data(),
                           GANConfig(latent_dim=LATENT, batch_size=32, r1_gamma=gamma,
                                     r1_every=every),
                           optimizer=frozen, run=RunConfig(steps=7, progress=False))
        losses[gamma, every] = result.history["loss_d"].to_numpy()
    every_step = losses[10.0, 1] - losses[0.0, 1]
    lazy = losses[10.0, 3] - losses[0.0, 1]
    assert (every_step > 1e-4).all()
    for step, extra in enumerate(lazy, start=1):
        expected = 3 * every_step[step - 1] if step % 3 == 0 else 0.0
        assert extra == pytest.approx(expected, rel=1e-4, abs=1e-6), step
    with pytest.raises(ValueError, match="r1_every"):
        train_gan(*tiny_gan(), gaussian_data(), GANConfig(latent_dim=LATENT, r1_every=0),
                  run=RunConfig(steps=1, progress=False))


def test_reuse_fakes_feeds_one_batch_of_fakes_to_both_updates_and_still_learns(
    tiny_gan, gaussian_data,
):
    g, d = tiny_gan()
    seen = []
    hook = d.register_forward_hook(lambda m, inputs, out: seen.append(inputs[0].detach().clone()))
    draws = []

    def counting_prior(n: int) -> torch.Tensor:
        draws.append(n)
        return torch.randn(n, LATENT)

    train_gan(g, d, gaussian_data(), GANConfig(latent_dim=LATENT, batch_size=16, reuse_fakes=True),
              prior=counting_prior, run=RunConfig(steps=3, progress=False))
    hook.remove()
    assert draws == [16] * 3  # one draw per step instead of two
    for step in range(3):  # D sees real, fake (D step), then fake again (G step)
        torch.testing.assert_close(seen[3 * step + 2], seen[3 * step + 1])
    g, d = tiny_gan()
    result = train_gan(g, d, gaussian_data(),
                       GANConfig(latent_dim=LATENT, batch_size=128, lr=5e-3, reuse_fakes=True),
                       run=RunConfig(steps=600, progress=False))
    samples = sample(GANSampler(g, LATENT), 4000, seed=0)
    assert result.ok and samples.mean().item() == pytest.approx(3.0, abs=0.2)
    assert samples.std().item() == pytest.approx(0.5, abs=0.2)


def test_mixed_precision_runs_the_networks_in_bfloat16_and_still_learns(
    monkeypatch, tiny_gan, gaussian_data,
):
    g, d = tiny_gan()
    dtypes, loss_dtypes = set(), set()
    hook = d.register_forward_hook(lambda m, inputs, out: dtypes.add(out.dtype))
    real_loss = losses.discriminator_loss

    def spy_loss(real_logits: torch.Tensor, fake_logits: torch.Tensor) -> torch.Tensor:
        loss_dtypes.update((real_logits.dtype, fake_logits.dtype))
        return real_loss(real_logits, fake_logits)

    monkeypatch.setattr(losses, "discriminator_loss", spy_loss)
    result = train_gan(g, d, gaussian_data(),
                       GANConfig(latent_dim=LATENT, batch_size=128, lr=5e-3, r1_gamma=1.0,
                                 mixed_precision=True),
                       run=RunConfig(steps=600, progress=False))
    hook.remove()
    assert result.ok and dtypes == {torch.bfloat16} and loss_dtypes == {torch.float32}
    assert all(p.dtype == torch.float32 for p in [*g.parameters(), *d.parameters()])
    samples = sample(GANSampler(g, LATENT), 4000, seed=0)
    assert samples.dtype == torch.float32
    assert samples.mean().item() == pytest.approx(3.0, abs=0.2)
    assert samples.std().item() == pytest.approx(0.5, abs=0.2)


def test_gan_ema_batch_norm_statistics_describe_the_average_weights(tiny_gan, gaussian_data):
    torch.manual_seed(0)
    g = nn.Sequential(nn.Linear(LATENT, 16), nn.BatchNorm1d(16), nn.ReLU(), nn.Linear(16, 1))
    d = tiny_gan()[1]
    ema = copy.deepcopy(g)
    result = train_gan(g, d, gaussian_data(),
                       GANConfig(latent_dim=LATENT, batch_size=64, lr=5e-3, ema_decay=0.98),
                       ema=ema, run=RunConfig(steps=60, progress=False))
    assert result.ok and not ema.training
    with torch.no_grad():
        pre_norm = ema[0](torch.randn(20000, LATENT))
    error = (ema[1].running_mean - pre_norm.mean(0)).abs().max()
    assert error < 0.04  # 4,096 draws: about 0.017 here
    torch.testing.assert_close(ema[1].running_var, pre_norm.var(0), rtol=0.1, atol=0.01)
    # G's own statistics (what the average carried during training) describe other weights.
    assert (g[1].running_mean - pre_norm.mean(0)).abs().max() > 2 * error  # about 0.058


def test_gan_steps_update_only_their_own_network(tiny_gan, gaussian_data):
    g, d = tiny_gan()
    events = []

    def spy_factory(params):
        params = list(params)
        net = "G" if params[0] is next(g.parameters()) else "D"
        opt = torch.optim.Adam(params, lr=1e-2)

        def record(when):
            def hook(*_):
                events.append((net, when, _weights(g), _weights(d),
                               [p.grad is None for p in d.parameters()],
                               [p.grad is None for p in g.parameters()]))
            return hook

        opt.register_step_pre_hook(record("pre"))
        opt.register_step_post_hook(record("post"))
        return opt

    initial_g = _weights(g)
    train_gan(g, d, gaussian_data(), GANConfig(latent_dim=LATENT), optimizer=spy_factory,
              run=RunConfig(steps=4, progress=False))
    assert [(e[0], e[1]) for e in events] == [("D", "pre"), ("D", "post"), ("G", "pre"),
                                              ("G", "post")] * 4
    last_g = initial_g
    for i in range(0, len(events), 4):
        d_pre, d_post, g_pre, g_post = events[i:i + 4]
        # D step: G's weights untouched and G got no gradients.
        assert _equal(d_pre[2], last_g) and _equal(d_post[2], last_g)
        assert all(d_pre[5]) and not any(d_pre[4])
        assert not _equal(d_pre[3], d_post[3])  # D did learn
        # G step: D's weights untouched (frozen, grads zeroed), G learns.
        assert _equal(g_pre[3], d_post[3]) and _equal(g_post[3], d_post[3])
        assert all(g_pre[4]) and not any(g_pre[5])
        assert not _equal(g_pre[2], g_post[2])
        last_g = g_post[2]
    assert all(p.requires_grad for p in d.parameters())  # unfrozen afterwards


def test_gan_ema_is_the_moving_average_of_the_generator_weights(tiny_gan, gaussian_data):
    g, d = tiny_gan()
    ema = copy.deepcopy(g)
    with torch.no_grad():
        for p in ema.parameters():
            p.add_(5.0)  # train_gan starts the average at G, whatever ema held
    start = [p.detach().clone() for p in g.parameters()]
    seen = []

    def record(step: int, seconds: float) -> None:
        seen.append([p.detach().clone() for p in g.parameters()])

    decay = 0.9
    result = train_gan(g, d, gaussian_data(),
                       GANConfig(latent_dim=LATENT, batch_size=64, lr=5e-3, ema_decay=decay),
                       ema=ema,
                       run=RunConfig(steps=20, progress=False, callback=record, callback_every=1))
    assert result.ok and len(seen) == 20 and result.history["step"].iloc[-1] == 20
    expected = start
    for weights in seen:
        expected = [decay * e + (1 - decay) * w for e, w in zip(expected, weights, strict=True)]
    for e, p, w in zip(expected, ema.parameters(), seen[-1], strict=True):
        torch.testing.assert_close(p, e, rtol=1e-5, atol=1e-6)
        assert not torch.allclose(p, w)  # lags behind the generator
    with pytest.raises(ValueError, match="ema_decay"):
        train_gan(g, d, gaussian_data(), GANConfig(latent_dim=LATENT, ema_decay=1.0), ema=ema,
                  run=RunConfig(steps=1, progress=False))
    with pytest.raises(ValueError, match="copy of the generator"):
        train_gan(g, d, gaussian_data(), GANConfig(latent_dim=LATENT), ema=nn.Linear(4, 1),
                  run=RunConfig(steps=1, progress=False))


def test_a_mixture_prior_drives_training_and_sampling(tiny_gan, gaussian_data):
    prior = MixturePrior(LATENT, n_components=3, sd=0.01, seed=1)  # tested in models/test_prior
    g, d = tiny_gan()
    calls = []

    def counting_prior(n: int) -> torch.Tensor:
        calls.append(n)
        return prior(n)

    result = train_gan(g, d, gaussian_data(), GANConfig(latent_dim=LATENT, batch_size=16, lr=5e-3),
                       prior=counting_prior, run=RunConfig(steps=30, progress=False))
    assert result.ok and calls == [16] * 60  # one draw for the D step, one for the G step
    samples = sample(GANSampler(g, LATENT, prior), 6, seed=3)
    with torch.no_grad():
        direct = g(prior(6, generator=torch.Generator().manual_seed(3)))
    torch.testing.assert_close(samples, direct)
    with pytest.raises(ValueError, match="latent_dim=4"):
        GANSampler(g, LATENT, MixturePrior(LATENT + 1)).sample(6)


@pytest.mark.parametrize(("field", "value"), [
    ("ema_decay", 1.0), ("ema_decay", -0.01), ("ema_decay", 1.5),
    ("r1_every", 0), ("latent_dim", 0),
])
def test_gan_config_rejects_out_of_range_values(field, value):
    with pytest.raises(ValueError, match=f"{field} must be"):
        GANConfig(**{field: value})
    with pytest.raises(ValueError, match=f"{field} must be"):
        GANConfig().replace(**{field: value})  # replace validates too


def test_gan_config_accepts_the_edges_and_replace_keeps_the_rest():
    config = GANConfig(latent_dim=1, r1_every=1, ema_decay=0.0, r1_gamma=0.5)
    assert (config.latent_dim, config.r1_every, config.ema_decay) == (1, 1, 0.0)
    changed = config.replace(ema_decay=0.999)
    assert changed.ema_decay == 0.999 and changed.r1_gamma == 0.5 and changed.latent_dim == 1
    assert config.ema_decay == 0.0  # the original is unchanged
