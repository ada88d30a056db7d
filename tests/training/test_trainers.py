import copy
import math
import time

import pandas as pd
import pytest
import torch
from torch import nn

import aigc_kit.training.live_plot as live_plot
import aigc_kit.training.losses as losses
from aigc_kit.generation import sample_generator
from aigc_kit.models import MixturePrior
from aigc_kit.runtime import load_checkpoint
from aigc_kit.training import (
    TrainResult,
    adam,
    evaluate_classifier,
    predict,
    random_time_shift,
    train_classifier,
    train_gan,
    train_vae,
)

LATENT = 4


@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    """Tiny models run fastest on one thread, especially on a busy machine."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def _gan(seed: int = 0) -> tuple[nn.Module, nn.Module]:
    torch.manual_seed(seed)
    g = nn.Sequential(nn.Linear(LATENT, 32), nn.ReLU(), nn.Linear(32, 1))
    d = nn.Sequential(nn.Linear(1, 32), nn.LeakyReLU(0.2), nn.Linear(32, 1), nn.Flatten(0))
    return g, d


def _gaussian_data(n: int = 2000) -> torch.Tensor:
    return 3.0 + 0.5 * torch.randn(n, 1, generator=torch.Generator().manual_seed(0))


class _TinyVAE(nn.Module):
    def __init__(self, dim: int = 8, latent: int = 2, nan_after: int | None = None) -> None:
        super().__init__()
        self.enc = nn.Linear(dim, 2 * latent)
        self.dec = nn.Sequential(nn.Linear(latent, 16), nn.Tanh(), nn.Linear(16, dim))
        self.nan_after, self.calls = nan_after, 0

    def forward(self, x):
        self.calls += 1
        mu, logvar = self.enc(x).chunk(2, dim=1)
        recon = self.dec(mu + torch.randn_like(mu) * (0.5 * logvar).exp())
        if self.nan_after is not None and self.calls > self.nan_after:
            recon = recon * math.nan
        return recon, mu, logvar


def _vae_data(n: int = 512) -> torch.Tensor:
    gen = torch.Generator().manual_seed(1)
    return torch.randn(n, 2, generator=gen) @ torch.randn(2, 8, generator=gen)


def _weights(*models: nn.Module) -> list[torch.Tensor]:
    return [t.detach().cpu().clone() for m in models for t in m.state_dict().values()]


def _equal(a: list[torch.Tensor], b: list[torch.Tensor]) -> bool:
    return len(a) == len(b) and all(torch.equal(x, y) for x, y in zip(a, b, strict=True))


def test_gan_learns_a_gaussian():
    g, d = _gan()
    data = _gaussian_data()
    before = sample_generator(g, 2000, LATENT)
    result = train_gan(g, d, data, latent_dim=LATENT, steps=600, batch_size=128, lr=5e-3,
                       progress=False)
    assert isinstance(result, TrainResult) and result.ok and result.stopped == "steps"
    assert result.steps == 600 and result.seconds > 0
    assert list(result.history.columns) == ["step", "seconds", "loss_d", "loss_g", "d_real",
                                            "d_fake"]
    assert result.history["step"].tolist() == list(range(1, 601))
    assert result.history["seconds"].is_monotonic_increasing
    assert not g.training and not d.training  # left in eval mode
    samples = sample_generator(g, 4000, LATENT)
    assert abs(before.mean().item() - 3.0) > 1.5  # it did start far away
    assert samples.mean().item() == pytest.approx(3.0, abs=0.2)
    assert samples.std().item() == pytest.approx(0.5, abs=0.2)
    # Near equilibrium the discriminator can hardly tell: D(x) ~ D(G(z)) ~ 1/2.
    late = result.history.tail(100)
    assert late["d_real"].mean() == pytest.approx(0.5, abs=0.15)
    assert late["d_fake"].mean() == pytest.approx(0.5, abs=0.15)
    assert "loss_d=" in repr(result)


def _input_gradient_norm(d: nn.Module, x: torch.Tensor) -> float:
    x = x.clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(d(x).sum(), x)
    return grad.pow(2).sum(1).mean().item()


def test_gan_r1_penalty_smooths_the_discriminator_on_real_data():
    data = _gaussian_data()
    norms, losses = {}, {}
    for gamma in (0.0, 100.0):
        g, d = _gan()
        result = train_gan(g, d, data, latent_dim=LATENT, steps=150, batch_size=128, lr=5e-3,
                           r1_gamma=gamma, progress=False)
        assert result.ok
        norms[gamma] = _input_gradient_norm(d, data)
        losses[gamma] = result.history["loss_d"].iloc[0]
    assert norms[100.0] < 0.1 * norms[0.0]
    # Same seed, same first batch: the first loss differs only by the (positive) penalty.
    assert losses[100.0] > losses[0.0]


def test_lazy_r1_penalises_every_kth_step_with_k_times_the_weight():
    frozen = lambda p: torch.optim.SGD(p, lr=0.0)  # noqa: E731 - same nets, same RNG stream
    losses = {}
    for gamma, every in ((0.0, 1), (10.0, 1), (10.0, 3)):
        g, d = _gan()
        result = train_gan(g, d, _gaussian_data(), latent_dim=LATENT, steps=7, batch_size=32,
                           optimizer=frozen, r1_gamma=gamma, r1_every=every, progress=False)
        losses[gamma, every] = result.history["loss_d"].to_numpy()
    every_step = losses[10.0, 1] - losses[0.0, 1]
    lazy = losses[10.0, 3] - losses[0.0, 1]
    assert (every_step > 1e-4).all()
    for step, extra in enumerate(lazy, start=1):
        expected = 3 * every_step[step - 1] if step % 3 == 0 else 0.0
        assert extra == pytest.approx(expected, rel=1e-4, abs=1e-6), step
    with pytest.raises(ValueError, match="r1_every"):
        train_gan(*_gan(), _gaussian_data(), latent_dim=LATENT, steps=1, r1_every=0,
                  progress=False)


def test_reuse_fakes_feeds_one_batch_of_fakes_to_both_updates_and_still_learns():
    g, d = _gan()
    seen = []
    hook = d.register_forward_hook(lambda m, inputs, out: seen.append(inputs[0].detach().clone()))
    draws = []

    def counting_prior(n: int) -> torch.Tensor:
        draws.append(n)
        return torch.randn(n, LATENT)

    train_gan(g, d, _gaussian_data(), latent_dim=LATENT, steps=3, batch_size=16,
              prior=counting_prior, reuse_fakes=True, progress=False)
    hook.remove()
    assert draws == [16] * 3  # one draw per step instead of two
    for step in range(3):  # D sees real, fake (D step), then fake again (G step)
        torch.testing.assert_close(seen[3 * step + 2], seen[3 * step + 1])
    g, d = _gan()
    result = train_gan(g, d, _gaussian_data(), latent_dim=LATENT, steps=600, batch_size=128,
                       lr=5e-3, reuse_fakes=True, progress=False)
    samples = sample_generator(g, 4000, LATENT)
    assert result.ok and samples.mean().item() == pytest.approx(3.0, abs=0.2)
    assert samples.std().item() == pytest.approx(0.5, abs=0.2)


def test_mixed_precision_runs_the_networks_in_bfloat16_and_still_learns(monkeypatch):
    g, d = _gan()
    dtypes, loss_dtypes = set(), set()
    hook = d.register_forward_hook(lambda m, inputs, out: dtypes.add(out.dtype))
    real_loss = losses.discriminator_loss

    def spy_loss(real_logits: torch.Tensor, fake_logits: torch.Tensor) -> torch.Tensor:
        loss_dtypes.update((real_logits.dtype, fake_logits.dtype))
        return real_loss(real_logits, fake_logits)

    monkeypatch.setattr(losses, "discriminator_loss", spy_loss)
    result = train_gan(g, d, _gaussian_data(), latent_dim=LATENT, steps=600, batch_size=128,
                       lr=5e-3, r1_gamma=1.0, mixed_precision=True, progress=False)
    hook.remove()
    assert result.ok and dtypes == {torch.bfloat16} and loss_dtypes == {torch.float32}
    assert all(p.dtype == torch.float32 for p in [*g.parameters(), *d.parameters()])
    samples = sample_generator(g, 4000, LATENT)
    assert samples.dtype == torch.float32
    assert samples.mean().item() == pytest.approx(3.0, abs=0.2)
    assert samples.std().item() == pytest.approx(0.5, abs=0.2)


def test_kit_adam_is_torch_adam_fused_where_possible():
    torch.manual_seed(0)
    start = [torch.randn(30, 20), torch.randn(20)]
    paths = []
    for make in (lambda p: torch.optim.Adam(p, lr=1e-2, betas=(0.5, 0.999)),
                 lambda p: adam(p, lr=1e-2, betas=(0.5, 0.999))):
        params = [nn.Parameter(t.clone()) for t in start]
        opt = make(params)
        for i in range(200):
            loss = (params[0].sin() @ params[1] - i % 3).pow(2).sum()
            opt.zero_grad()
            loss.backward()
            opt.step()
        paths.append(params)
        fused = opt.defaults["fused"]
    assert fused  # the last optimiser is the kit's, on CPU float32
    for ref, mine in zip(*paths, strict=True):
        torch.testing.assert_close(mine, ref, rtol=1e-4, atol=1e-5)
    assert adam([nn.Parameter(torch.zeros(2, device="meta"))], lr=1.0).defaults["fused"] is None


def test_gan_ema_batch_norm_statistics_describe_the_average_weights():
    torch.manual_seed(0)
    g = nn.Sequential(nn.Linear(LATENT, 16), nn.BatchNorm1d(16), nn.ReLU(), nn.Linear(16, 1))
    d = _gan()[1]
    ema = copy.deepcopy(g)
    result = train_gan(g, d, _gaussian_data(), latent_dim=LATENT, steps=60, batch_size=64,
                       lr=5e-3, ema=ema, ema_decay=0.98, progress=False)
    assert result.ok and not ema.training
    with torch.no_grad():
        pre_norm = ema[0](torch.randn(20000, LATENT))
    error = (ema[1].running_mean - pre_norm.mean(0)).abs().max()
    assert error < 0.04  # 4,096 draws: about 0.017 here
    torch.testing.assert_close(ema[1].running_var, pre_norm.var(0), rtol=0.1, atol=0.01)
    # G's own statistics (what the average carried during training) describe other weights.
    assert (g[1].running_mean - pre_norm.mean(0)).abs().max() > 2 * error  # about 0.058


def test_gan_steps_update_only_their_own_network():
    g, d = _gan()
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
    train_gan(g, d, _gaussian_data(), latent_dim=LATENT, steps=4, optimizer=spy_factory,
              progress=False)
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


def test_vae_loss_decreases():
    torch.manual_seed(0)
    vae = _TinyVAE()
    result = train_vae(vae, _vae_data(), steps=300, lr=1e-2, progress=False)
    assert result.ok
    history = result.history
    assert list(history.columns) == ["step", "seconds", "loss", "reconstruction", "kl"]
    assert history["loss"].tail(30).mean() < 0.5 * history["loss"].head(10).mean()
    assert (history["loss"] - history["reconstruction"] - history["kl"]).abs().max() < 1e-4


def test_classifier_learns_separable_classes():
    gen = torch.Generator().manual_seed(0)
    centres = torch.tensor([[0.0, 4.0], [4.0, 0.0], [-4.0, -4.0]])
    y = torch.arange(600) % 3
    x = centres[y] + torch.randn(600, 2, generator=gen)
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 3))
    result = train_classifier(model, x[:450], y[:450], epochs=8, batch_size=32, lr=1e-2,
                              x_val=x[450:], y_val=y[450:], progress=False)
    assert result.ok and result.steps == 8 * (450 // 32)
    history = result.history
    assert list(history.columns) == ["step", "seconds", "loss", "accuracy", "val_accuracy"]
    val = history["val_accuracy"].dropna()
    assert val.index.tolist() == [14 * k - 1 for k in range(1, 9)]  # once per epoch
    assert val.iloc[-1] > 0.95
    assert evaluate_classifier(model, x[450:], y[450:]) == pytest.approx(val.iloc[-1])
    assert history["accuracy"].tail(14).mean() > 0.95
    logits = predict(model, x[:10], batch_size=4)
    assert logits.shape == (10, 3) and not model.training


@pytest.mark.parametrize("one_cycle", [True, False])
def test_classifier_one_cycle_schedule_anneals_the_rate(one_cycle):
    made = []

    def adam(params):
        made.append(torch.optim.Adam(params, lr=1e-2))
        return made[-1]

    x, y = torch.randn(64, 2), torch.arange(64) % 2
    train_classifier(nn.Linear(2, 2), x, y, epochs=5, batch_size=16, lr=1e-2, optimizer=adam,
                     one_cycle=one_cycle, progress=False)
    final_lr = made[0].param_groups[0]["lr"]
    assert final_lr < 1e-5 if one_cycle else final_lr == 1e-2


def test_classifier_time_budget_scores_the_final_weights():
    x = torch.randn(256, 4)
    y = (x[:, 0] > 0).long()
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
    result = train_classifier(model, x, y, epochs=10**6, max_seconds=0.2, batch_size=32,
                              augment=lambda b: b + 0.01 * torch.randn_like(b),
                              x_val=x, y_val=y, progress=False)
    assert result.stopped == "time budget" and result.ok
    assert result.history["seconds"].iloc[-1] >= 0.2
    assert not math.isnan(result.history["val_accuracy"].iloc[-1])


def test_max_seconds_stops_early():
    g, d = _gan()
    result = train_gan(g, d, _gaussian_data(), latent_dim=LATENT, steps=10**6, max_seconds=0.3,
                       progress=True)  # the bar also runs headless
    assert result.stopped == "time budget" and result.ok
    assert 1 <= result.steps < 10**6
    assert result.seconds >= 0.3
    vae = _TinyVAE()
    assert train_vae(vae, _vae_data(), steps=None, max_seconds=0.1,
                     progress=False).stopped == "time budget"
    with pytest.raises(ValueError, match="never end"):
        train_vae(vae, _vae_data(), steps=None, progress=False)


def test_exploding_learning_rate_stops_warns_and_restores():
    g, d = _gan()
    initial = _weights(g, d)
    with pytest.warns(RuntimeWarning, match="non-finite loss at step"):
        result = train_gan(g, d, _gaussian_data(), latent_dim=LATENT, steps=200, lr=1e30,
                           progress=False)
    assert not result.ok
    assert result.stopped.startswith("non-finite loss at step ")
    assert "lower the learning rate (e.g. lr=1e+29)" in result.stopped
    assert "check the inputs for NaN" in result.stopped
    assert result.steps < 200 and len(result.history) == result.steps
    weights = _weights(g, d)
    assert all(torch.isfinite(w).all() for w in weights)
    assert _equal(weights, initial)  # the snapshot taken before step 1


def test_nan_midway_restores_the_last_good_snapshot():
    torch.manual_seed(0)
    poisoned = _TinyVAE(nan_after=40)  # its 41st forward pass returns NaN
    with pytest.warns(RuntimeWarning, match="step 41"):
        result = train_vae(poisoned, _vae_data(), steps=100, progress=False, seed=3)
    assert not result.ok and result.steps == 41
    assert result.stopped.startswith("non-finite loss at step 41: loss=nan")
    assert "snapshot after step 25" in result.stopped
    assert math.isnan(result.history["loss"].iloc[-1])
    assert result.history["loss"].iloc[:-1].notna().all()
    # The restored weights are exactly those of a clean run of 25 steps.
    torch.manual_seed(0)
    clean = _TinyVAE()
    train_vae(clean, _vae_data(), steps=25, progress=False, seed=3)
    assert _equal(_weights(poisoned), _weights(clean))


def test_nan_in_data_is_rejected_before_training():
    g, d = _gan()
    before = _weights(g, d)
    data = _gaussian_data()
    data[7, 0] = math.nan
    data[9, 0] = math.inf
    with pytest.raises(ValueError, match=r"2 NaN/Inf values in 2 examples \(first: index 7\)"):
        train_gan(g, d, data, latent_dim=LATENT, steps=10, progress=False)
    assert _equal(_weights(g, d), before)
    with pytest.raises(ValueError, match="x_val contains"):
        train_classifier(nn.Linear(1, 2), torch.zeros(8, 1), torch.zeros(8, dtype=torch.long),
                         x_val=torch.full((4, 1), math.nan),
                         y_val=torch.zeros(4, dtype=torch.long), progress=False)
    with pytest.raises(ValueError, match="integer class labels"):
        train_classifier(nn.Linear(1, 2), torch.zeros(8, 1), torch.zeros(8), progress=False)


def test_same_seed_same_history():
    def run(seed):
        g, d = _gan(seed=5)
        result = train_gan(g, d, _gaussian_data(), latent_dim=LATENT, steps=60, seed=seed,
                           progress=False)
        return result.history.drop(columns="seconds"), _weights(g, d)

    first, second, other = run(11), run(11), run(12)
    pd.testing.assert_frame_equal(first[0], second[0])
    assert _equal(first[1], second[1])
    assert not first[0].equals(other[0])


def test_live_plot_runs_headless_and_updates_in_place(monkeypatch):
    g, d = _gan()
    assert not live_plot.in_notebook()
    assert train_gan(g, d, _gaussian_data(), latent_dim=LATENT, steps=30, live_plot=True,
                     plot_every=10, progress=False).ok

    shown = []

    class Handle:
        updates = 0

        def update(self, fig):
            Handle.updates += 1

    def fake_display(fig, display_id):
        shown.append(fig)
        return Handle()

    monkeypatch.setattr(live_plot, "in_notebook", lambda: True)
    monkeypatch.setattr(live_plot, "display", fake_display)
    train_vae(_TinyVAE(), _vae_data(), steps=30, live_plot=True, plot_every=10, progress=False)
    assert len(shown) == 1  # one output, redrawn in place
    assert Handle.updates == 1  # redraws within a second are skipped, the final one is forced
    assert shown[0].axes[0].get_title().startswith("train_vae - step 30")

    shown.clear()
    Handle.updates = 0
    plot = live_plot.LivePlot(title="demo", min_interval=0.0)
    history = train_vae(_TinyVAE(), _vae_data(), steps=30, progress=False).history
    for end in (10, 20, 30):
        plot.update(history.head(end))
    plot.close()
    plot.update(history)  # ignored once closed
    assert len(shown) == 1 and Handle.updates == 2 and plot.updates == 3
    title = shown[0].axes[0].get_title()
    assert title.startswith("demo - step 30: loss=")


def test_result_plot_draws_every_curve():
    result = train_vae(_TinyVAE(), _vae_data(), steps=40, progress=False)
    ax = result.plot()
    assert {t.get_text() for t in ax.get_legend().get_texts()} == {"loss", "reconstruction",
                                                                   "kl"}


def test_training_checkpoints_load_back(tmp_path):
    g, d = _gan()
    path = tmp_path / "gan.pt"
    train_gan(g, d, _gaussian_data(), latent_dim=LATENT, steps=40, checkpoint_path=path,
              checkpoint_every=20, progress=False)
    g2, d2 = _gan(seed=9)
    meta = load_checkpoint(path, {"generator": g2, "discriminator": d2})
    assert _equal(_weights(g2, d2), _weights(g, d))
    assert meta["step"] == 40 and meta["trainer"] == "train_gan"
    assert meta["config"]["latent_dim"] == LATENT and meta["stopped"] == "steps"


def test_sample_generator_uses_eval_mode_and_its_own_rng():
    torch.manual_seed(0)
    g = nn.Sequential(nn.Linear(LATENT, 8), nn.BatchNorm1d(8))
    g.train()
    state = torch.get_rng_state()
    a = sample_generator(g, 5, LATENT, seed=1)
    assert torch.equal(state, torch.get_rng_state())
    assert torch.equal(a, sample_generator(g, 5, LATENT, seed=1))
    assert g.training  # mode restored
    # In eval mode the fresh BatchNorm (running mean 0, var 1) is the identity.
    z = torch.randn(5, LATENT, generator=torch.Generator().manual_seed(1))
    assert torch.allclose(a, g[0](z).detach(), atol=1e-5)


def test_random_time_shift_rolls_each_example():
    torch.manual_seed(0)
    batch = torch.arange(4 * 2 * 3 * 10, dtype=torch.float32).reshape(4, 2, 3, 10)
    shifted = random_time_shift(3)(batch)
    for example, out in zip(batch, shifted, strict=True):
        matches = [s for s in range(-3, 4) if torch.equal(torch.roll(example, s, dims=-1), out)]
        assert len(matches) == 1
    assert torch.equal(random_time_shift(0)(batch), batch)


def test_callback_sees_eval_mode_and_its_time_is_not_charged():
    g, d = _gan()
    g.append(nn.Dropout(0.5))  # so eval and train mode differ
    calls = []

    def slow_scorer(step: int, seconds: float) -> None:
        calls.append((step, seconds, g.training, d.training, torch.is_grad_enabled()))
        time.sleep(0.2)

    result = train_gan(g, d, _gaussian_data(), latent_dim=LATENT, steps=250, progress=False,
                       callback=slow_scorer, callback_every=100)
    assert [c[0] for c in calls] == [100, 200, 250]
    assert all(c[2:] == (False, False, False) for c in calls)
    # 0.6 s of callbacks are not in the training clock.
    assert result.seconds < calls[-1][1] + 0.15
    assert result.history["seconds"].iloc[-1] == pytest.approx(calls[-1][1])
    with pytest.raises(ValueError, match="callback_every"):
        train_vae(_TinyVAE(), _vae_data(), steps=2, callback=slow_scorer, callback_every=0)


def test_callback_on_a_time_budget_runs_at_the_last_step():
    vae, steps = _TinyVAE(), []
    result = train_vae(vae, _vae_data(), steps=None, max_seconds=0.3, progress=False,
                       callback=lambda step, seconds: steps.append(step), callback_every=10**6)
    assert steps == [result.steps]


def test_gan_ema_is_the_moving_average_of_the_generator_weights():
    g, d = _gan()
    ema = copy.deepcopy(g)
    with torch.no_grad():
        for p in ema.parameters():
            p.add_(5.0)  # train_gan starts the average at G, whatever ema held
    start = [p.detach().clone() for p in g.parameters()]
    seen = []

    def record(step: int, seconds: float) -> None:
        seen.append([p.detach().clone() for p in g.parameters()])

    decay = 0.9
    result = train_gan(g, d, _gaussian_data(), latent_dim=LATENT, steps=20, batch_size=64,
                       lr=5e-3, ema=ema, ema_decay=decay, callback=record, callback_every=1,
                       progress=False)
    assert result.ok and len(seen) == 20 and result.history["step"].iloc[-1] == 20
    expected = start
    for weights in seen:
        expected = [decay * e + (1 - decay) * w for e, w in zip(expected, weights, strict=True)]
    for e, p, w in zip(expected, ema.parameters(), seen[-1], strict=True):
        torch.testing.assert_close(p, e, rtol=1e-5, atol=1e-6)
        assert not torch.allclose(p, w)  # lags behind the generator
    with pytest.raises(ValueError, match="ema_decay"):
        train_gan(g, d, _gaussian_data(), latent_dim=LATENT, steps=1, ema=ema, ema_decay=1.0,
                  progress=False)
    with pytest.raises(ValueError, match="copy of the generator"):
        train_gan(g, d, _gaussian_data(), latent_dim=LATENT, steps=1, ema=nn.Linear(4, 1),
                  progress=False)


def test_mixture_prior_draws_near_its_centres_and_drives_training_and_sampling():
    prior = MixturePrior(LATENT, n_components=3, sd=0.01, seed=1)
    z = prior(500, generator=torch.Generator().manual_seed(0))
    assert z.shape == (500, LATENT)
    torch.testing.assert_close(z, prior(500, generator=torch.Generator().manual_seed(0)))
    nearest = torch.cdist(z, prior.centres).min(1).values
    assert nearest.max() < 0.1 and torch.cdist(prior.centres, prior.centres).fill_diagonal_(
        9.0).min() > 0.5
    assert torch.equal(MixturePrior(LATENT, 3, 0.01, seed=1).centres, prior.centres)
    assert "centres" in prior.state_dict()
    g, d = _gan()
    calls = []

    def counting_prior(n: int) -> torch.Tensor:
        calls.append(n)
        return prior(n)

    result = train_gan(g, d, _gaussian_data(), latent_dim=LATENT, steps=30, batch_size=16,
                       lr=5e-3, prior=counting_prior, progress=False)
    assert result.ok and calls == [16] * 60  # one draw for the D step, one for the G step
    samples = sample_generator(g, 6, LATENT, prior=prior, seed=3)
    with torch.no_grad():
        direct = g(prior(6, generator=torch.Generator().manual_seed(3)))
    torch.testing.assert_close(samples, direct)
    with pytest.raises(ValueError, match="latent_dim=4"):
        sample_generator(g, 6, LATENT, prior=MixturePrior(LATENT + 1))
    with pytest.raises(ValueError, match="sd"):
        MixturePrior(LATENT, sd=-1.0)
