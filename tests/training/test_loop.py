"""Tests for aigc_kit.training.loop: the one training loop and its bookkeeping.

RunConfig, Task, Trainer and fit with hand-written steps; time budget, NaN stop and
restore, seeding, callbacks, checkpoints and live-plot updates (some driven through
train_gan and train_vae, whose own behaviour is tested in test_gan.py and test_vae.py);
the learning-rate schedule (RunConfig.lr_schedule, applied to Task.optimizers); Batches,
prepare_data and prepare_labels.
"""

from __future__ import annotations

import dataclasses
import math
import re
import time
import warnings

import numpy as np
import pandas as pd
import pytest
import torch
from torch import nn
from torch.optim.optimizer import register_optimizer_step_pre_hook

import aigc_kit.training.live_plot as live_plot
from aigc_kit.runtime import load_checkpoint
from aigc_kit.training import (
    Batches,
    GANConfig,
    RunConfig,
    Task,
    Trainer,
    TrainResult,
    fit,
    prepare_data,
    prepare_labels,
    train_classifier,
    train_gan,
    train_vae,
)

LATENT = 4  # the latent size of conftest's tiny_gan
CPU = torch.device("cpu")


def _weights(*models: nn.Module) -> list[torch.Tensor]:
    return [t.detach().cpu().clone() for m in models for t in m.state_dict().values()]


def _equal(a: list[torch.Tensor], b: list[torch.Tensor]) -> bool:
    return len(a) == len(b) and all(torch.equal(x, y) for x, y in zip(a, b, strict=True))


def test_max_seconds_stops_early(tiny_gan, gaussian_data, tiny_vae, vae_data):
    g, d = tiny_gan()
    # the progress bar also runs headless
    result = train_gan(g, d, gaussian_data(), GANConfig(latent_dim=LATENT),
                       run=RunConfig(steps=10**6, max_seconds=0.3, progress=True))
    assert result.stopped == "time budget" and result.ok
    assert 1 <= result.steps < 10**6
    assert result.seconds >= 0.3
    vae = tiny_vae()
    budget = RunConfig(steps=None, max_seconds=0.1, progress=False)
    assert train_vae(vae, vae_data(), run=budget).stopped == "time budget"
    with pytest.raises(ValueError, match="never end"):
        train_vae(vae, vae_data(), run=RunConfig(steps=None, progress=False))


def test_exploding_learning_rate_stops_warns_and_restores(tiny_gan, gaussian_data):
    g, d = tiny_gan()
    initial = _weights(g, d)
    with pytest.warns(RuntimeWarning, match="non-finite loss at step"):
        result = train_gan(g, d, gaussian_data(), GANConfig(latent_dim=LATENT, lr=1e30),
                           run=RunConfig(steps=200, progress=False))
    assert not result.ok
    assert result.stopped.startswith("non-finite loss at step ")
    assert "lower the learning rate (e.g. lr=1e+29)" in result.stopped
    assert "check the inputs for NaN" in result.stopped
    assert result.steps < 200 and len(result.history) == result.steps
    weights = _weights(g, d)
    assert all(torch.isfinite(w).all() for w in weights)
    assert _equal(weights, initial)  # the snapshot taken before step 1


def test_nan_midway_restores_the_last_good_snapshot(tiny_vae, vae_data):
    torch.manual_seed(0)
    poisoned = tiny_vae(nan_after=40)  # its 41st forward pass returns NaN
    with pytest.warns(RuntimeWarning, match="step 41"):
        result = train_vae(poisoned, vae_data(), run=RunConfig(steps=100, seed=3, progress=False))
    assert not result.ok and result.steps == 41
    assert result.stopped.startswith("non-finite loss at step 41: loss=nan")
    assert "snapshot after step 25" in result.stopped
    assert math.isnan(result.history["loss"].iloc[-1])
    assert result.history["loss"].iloc[:-1].notna().all()
    # The restored weights are exactly those of a clean run of 25 steps.
    torch.manual_seed(0)
    clean = tiny_vae()
    train_vae(clean, vae_data(), run=RunConfig(steps=25, seed=3, progress=False))
    assert _equal(_weights(poisoned), _weights(clean))


def test_nan_in_data_is_rejected_before_training(tiny_gan, gaussian_data):
    g, d = tiny_gan()
    before = _weights(g, d)
    data = gaussian_data()
    data[7, 0] = math.nan
    data[9, 0] = math.inf
    with pytest.raises(ValueError, match=r"2 NaN/Inf values in 2 examples \(first: index 7\)"):
        train_gan(g, d, data, GANConfig(latent_dim=LATENT), run=RunConfig(steps=10, progress=False))
    assert _equal(_weights(g, d), before)
    with pytest.raises(ValueError, match="x_val contains"):
        train_classifier(nn.Linear(1, 2), torch.zeros(8, 1), torch.zeros(8, dtype=torch.long),
                         x_val=torch.full((4, 1), math.nan), y_val=torch.zeros(4, dtype=torch.long),
                         run=RunConfig(progress=False))
    with pytest.raises(ValueError, match="integer class labels"):
        train_classifier(nn.Linear(1, 2), torch.zeros(8, 1), torch.zeros(8),
                         run=RunConfig(progress=False))


def test_same_seed_same_history(tiny_gan, gaussian_data):
    def run(seed):
        g, d = tiny_gan(seed=5)
        result = train_gan(g, d, gaussian_data(), GANConfig(latent_dim=LATENT),
                           run=RunConfig(steps=60, seed=seed, progress=False))
        return result.history.drop(columns="seconds"), _weights(g, d)

    first, second, other = run(11), run(11), run(12)
    pd.testing.assert_frame_equal(first[0], second[0])
    assert _equal(first[1], second[1])
    assert not first[0].equals(other[0])


def test_live_plot_runs_headless_and_updates_in_place(
    fake_notebook, tiny_gan, gaussian_data, tiny_vae, vae_data,
):
    g, d = tiny_gan()
    assert not live_plot.in_notebook()
    assert train_gan(g, d, gaussian_data(), GANConfig(latent_dim=LATENT),
                     run=RunConfig(steps=30, progress=False, live_plot=True, plot_every=10)).ok

    shown, Handle = fake_notebook()
    train_vae(tiny_vae(), vae_data(),
              run=RunConfig(steps=30, progress=False, live_plot=True, plot_every=10))
    assert len(shown) == 1  # one output, redrawn in place
    assert Handle.updates == 1  # redraws within a second are skipped, the final one is forced
    assert shown[0].axes[0].get_title().startswith("train_vae - step 30")


def test_result_plot_draws_every_curve(tiny_vae, vae_data):
    result = train_vae(tiny_vae(), vae_data(), run=RunConfig(steps=40, progress=False))
    ax = result.plot()
    assert {t.get_text() for t in ax.get_legend().get_texts()} == {"loss", "reconstruction",
                                                                   "kl"}


def test_training_checkpoints_load_back(tmp_path, tiny_gan, gaussian_data):
    g, d = tiny_gan()
    path = tmp_path / "gan.pt"
    train_gan(g, d, gaussian_data(), GANConfig(latent_dim=LATENT),
              run=RunConfig(steps=40, progress=False, checkpoint_path=path, checkpoint_every=20))
    g2, d2 = tiny_gan(seed=9)
    meta = load_checkpoint(path, {"generator": g2, "discriminator": d2})
    assert _equal(_weights(g2, d2), _weights(g, d))
    assert meta["step"] == 40 and meta["trainer"] == "train_gan"
    assert meta["config"]["latent_dim"] == LATENT and meta["stopped"] == "steps"


def test_callback_sees_eval_mode_and_its_time_is_not_charged(
    tiny_gan, gaussian_data, tiny_vae, vae_data,
):
    g, d = tiny_gan()
    g.append(nn.Dropout(0.5))  # so eval and train mode differ
    calls = []

    def slow_scorer(step: int, seconds: float) -> None:
        calls.append((step, seconds, g.training, d.training, torch.is_grad_enabled()))
        time.sleep(0.2)

    result = train_gan(g, d, gaussian_data(), GANConfig(latent_dim=LATENT),
                       run=RunConfig(steps=250, progress=False, callback=slow_scorer,
                                     callback_every=100))
    assert [c[0] for c in calls] == [100, 200, 250]
    assert all(c[2:] == (False, False, False) for c in calls)
    # 0.6 s of callbacks are not in the training clock.
    assert result.seconds < calls[-1][1] + 0.15
    assert result.history["seconds"].iloc[-1] == pytest.approx(calls[-1][1])
    with pytest.raises(ValueError, match="callback_every"):
        train_vae(tiny_vae(), vae_data(),
                  run=RunConfig(steps=2, callback=slow_scorer, callback_every=0))


def test_callback_on_a_time_budget_runs_at_the_last_step(tiny_vae, vae_data):
    vae, steps = tiny_vae(), []
    result = train_vae(vae, vae_data(),
                       run=RunConfig(steps=None, max_seconds=0.3, progress=False,
                                     callback=lambda step, seconds: steps.append(step),
                                     callback_every=10**6))
    assert steps == [result.steps]


# --- The loop's public API with hand-written steps ---------------------------------------


def _regression_task(n: int = 64) -> tuple[nn.Module, Task]:
    """``y = x . w + 0.3`` fitted by SGD on minibatches drawn from the global RNG."""
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(n, 3, generator=gen)
    y = x @ torch.tensor([1.0, -2.0, 0.5]) + 0.3
    model = nn.Linear(3, 1)
    model.train()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)

    def step(i: int) -> torch.Tensor:
        index = torch.randint(0, n, (8,))
        loss = (model(x[index]).squeeze(1) - y[index]).pow(2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        return torch.stack([loss.detach(), model.bias.detach()[0]])

    return model, Task("regression", {"model": model}, step, columns=("loss", "bias"), lr=0.1)


def _seeded_fit(run: RunConfig, through_trainer: bool) -> tuple[nn.Module, TrainResult]:
    # Trainer.fit itself does not seed: as the kit's trainers do, the code that builds the
    # task calls run.start() first, so the weights' initialisation and the batches repeat.
    run.start()
    model, task = _regression_task()
    return model, Trainer(run).fit(task) if through_trainer else fit(task, run)


def test_trainer_fits_a_hand_written_step():
    run = RunConfig(steps=150, seed=4, progress=False)
    model, result = _seeded_fit(run, through_trainer=True)
    assert isinstance(result, TrainResult) and result.ok and result.stopped == "steps"
    assert result.steps == run.steps == len(result.history)
    history = result.history
    assert list(history.columns) == ["step", "seconds", "loss", "bias"]
    assert history["step"].tolist() == list(range(1, 151))
    assert history["seconds"].is_monotonic_increasing and result.seconds > 0
    assert not model.training  # left in eval mode
    assert history["loss"].tail(20).mean() < 1e-3 * history["loss"].head(5).mean()
    assert model.bias.item() == pytest.approx(0.3, abs=0.01)
    assert history["bias"].iloc[-1] == pytest.approx(model.bias.item())
    assert "loss=" in repr(result) and "bias=" in repr(result)


def test_fit_function_gives_the_trainers_history_with_the_same_seed():
    run = RunConfig(steps=40, seed=4, progress=False)
    model, first = _seeded_fit(run, through_trainer=True)
    again_model, again = _seeded_fit(run, through_trainer=False)
    pd.testing.assert_frame_equal(first.history.drop(columns="seconds"),
                                  again.history.drop(columns="seconds"))
    assert _equal(_weights(model), _weights(again_model))
    assert not again_model.training
    _, other = _seeded_fit(run.replace(seed=5), through_trainer=False)
    assert not first.history["loss"].equals(other.history["loss"])


def _diagnosed_task(bad_step: int, checked: tuple[str, ...] | None
                    ) -> tuple[nn.Module, Task, dict[int, list[torch.Tensor]]]:
    """Full-batch regression whose second value, ``diag``, is NaN at ``bad_step`` only.

    Also returns the weights after every step, by step.
    """
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(32, 2, generator=gen)
    y = x @ torch.tensor([2.0, -1.0])
    torch.manual_seed(0)
    model = nn.Linear(2, 1)
    opt = torch.optim.SGD(model.parameters(), lr=0.05)
    after = {}

    def step(i: int) -> torch.Tensor:
        loss = (model(x).squeeze(1) - y).pow(2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        after[i] = _weights(model)
        diag = loss.new_tensor(math.nan if i == bad_step else float(i))
        return torch.stack([loss.detach(), diag])

    task = Task("diagnosed", {"model": model}, step, columns=("loss", "diag"), checked=checked,
                lr=0.05)
    return model, task, after


def test_nan_in_an_unchecked_column_does_not_stop_training():
    model, task, after = _diagnosed_task(bad_step=18, checked=("loss",))
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        result = fit(task, RunConfig(steps=30, snapshot_every=5, progress=False))
    assert result.ok and result.stopped == "steps" and result.steps == 30
    diag = result.history["diag"]
    assert math.isnan(diag.iloc[17]) and diag.drop(index=17).notna().all()
    assert _equal(_weights(model), after[30])


@pytest.mark.parametrize("checked", [("loss", "diag"), None])  # None: every column
def test_nan_in_a_checked_column_stops_and_restores_the_last_good_snapshot(checked):
    model, task, after = _diagnosed_task(bad_step=18, checked=checked)
    with pytest.warns(RuntimeWarning, match="diagnosed: non-finite loss at step 18"):
        result = fit(task, RunConfig(steps=30, snapshot_every=5, progress=False))
    assert not result.ok and result.steps == 18 == len(result.history)
    assert result.stopped.startswith("non-finite loss at step 18: diag=nan")
    assert "lower the learning rate (e.g. lr=0.005)" in result.stopped
    # Weights after step 15 are known good only once a later flush succeeds, so the last
    # good snapshot is the one after step 10; the steps run after it are undone.
    good = int(re.search(r"snapshot after step (\d+)", result.stopped).group(1))
    assert good == 10
    assert _equal(_weights(model), after[good])
    assert max(after) > 18 and not _equal(_weights(model), after[18])
    assert not model.training


def test_weights_broken_by_the_last_update_are_restored():
    model = nn.Linear(2, 1)
    start = _weights(model)

    def step(i: int) -> torch.Tensor:
        with torch.no_grad():
            model.weight.add_(1.0)
            if i == 4:  # the last step's update overflows; its loss was still finite
                model.weight.fill_(math.inf)
        return torch.ones(1)

    with pytest.warns(RuntimeWarning, match="non-finite weights after step 4"):
        result = fit(Task("broken", {"model": model}, step, columns=("loss",)),
                     RunConfig(steps=4, snapshot_every=2, progress=False))
    assert not result.ok and result.steps == 4
    assert result.stopped.startswith("non-finite weights after step 4: the last update")
    assert "lower the optimiser's learning rate" in result.stopped  # no lr given
    restored = _weights(model)
    assert all(torch.isfinite(w).all() for w in restored)
    assert not _equal(restored, start)  # a later snapshot than the initial weights
    good = int(re.search(r"snapshot after step (\d+)", result.stopped).group(1))
    torch.testing.assert_close(restored[0], start[0] + good)


# --- RunConfig ------------------------------------------------------------------------------


def test_run_config_without_steps_or_budget_would_never_end():
    with pytest.raises(ValueError, match="never end"):
        RunConfig(steps=None, max_seconds=None)
    assert RunConfig(steps=None, max_seconds=2.0).max_seconds == 2.0
    assert RunConfig(steps=3, max_seconds=None).steps == 3


@pytest.mark.parametrize("field", ["steps", "plot_every", "snapshot_every", "callback_every",
                                   "checkpoint_every"])
@pytest.mark.parametrize("value", [0, -1])
def test_run_config_rejects_counts_below_one_naming_the_field(field, value):
    with pytest.raises(ValueError, match=rf"^{field} must be >= 1, got {value}$"):
        RunConfig(**{field: value})


def test_run_config_replace_keeps_the_other_fields_and_the_config_is_frozen():
    run = RunConfig(steps=7, seed=3, progress=False, snapshot_every=2, callback_every=5)
    short = run.replace(max_seconds=3)
    assert short == RunConfig(steps=7, max_seconds=3, seed=3, progress=False, snapshot_every=2,
                              callback_every=5)
    assert run.max_seconds is None  # the original is unchanged
    with pytest.raises(dataclasses.FrozenInstanceError):
        short.max_seconds = 5
    with pytest.raises(ValueError, match="never end"):
        run.replace(steps=None)  # replace validates too


# --- learning-rate schedule -----------------------------------------------------------------


def test_cosine_factor_falls_from_one_to_the_floor():
    run = RunConfig(lr_schedule="cosine", lr_floor=0.2)
    assert run.lr_factor(0.0) == 1.0
    assert run.lr_factor(0.5) == pytest.approx(0.6)  # (1 + floor) / 2 half-way
    assert run.lr_factor(1.0) == pytest.approx(0.2)
    assert run.lr_factor(1.7) == run.lr_factor(1.0) and run.lr_factor(-1.0) == 1.0
    factors = [run.lr_factor(p) for p in np.linspace(0, 1, 11)]
    assert all(a > b for a, b in zip(factors, factors[1:], strict=False))
    for schedule in (None, "constant"):
        assert RunConfig(lr_schedule=schedule).lr_factor(0.7) == 1.0
    # the default floor: 10 % of the starting rate, 55 % half-way
    assert RunConfig(lr_schedule="cosine").lr_factor(0.5) == pytest.approx(0.55)


def test_run_config_rejects_unknown_schedules_and_floors():
    with pytest.raises(ValueError, match="lr_schedule must be one of"):
        RunConfig(lr_schedule="step")
    for floor in (-0.1, 1.5):
        with pytest.raises(ValueError, match="lr_floor"):
            RunConfig(lr_floor=floor)


def test_fraction_done_is_the_larger_of_steps_and_time():
    assert RunConfig(steps=10).fraction_done(1, 99.0) == 0.0  # no budget: steps only
    assert RunConfig(steps=10).fraction_done(6, 0.0) == 0.5
    assert RunConfig(steps=None, max_seconds=4.0).fraction_done(50, 1.0) == 0.25
    assert RunConfig(steps=10, max_seconds=4.0).fraction_done(3, 3.0) == 0.75
    assert RunConfig(steps=10, max_seconds=4.0).fraction_done(9, 1.0) == 0.8
    assert RunConfig(steps=None, max_seconds=1.0).fraction_done(2, 5.0) == 1.0


def _lr_recording_task(lr: float = 0.5) -> tuple[Task, list[float]]:
    """A one-weight SGD task whose step records the learning rate it runs at."""
    weight = nn.Parameter(torch.zeros(1))
    model = nn.Module()
    model.weight = weight
    opt = torch.optim.SGD([weight], lr=lr)
    seen = []

    def step(_: int) -> torch.Tensor:
        seen.append(opt.param_groups[0]["lr"])
        loss = (weight - 1.0).square().sum()
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss.detach()[None]

    return Task("recorded", {"model": model}, step, columns=("loss",), optimizers=(opt,)), seen


def test_the_loop_runs_the_cosine_schedule_over_the_steps():
    task, seen = _lr_recording_task(lr=0.5)
    run = RunConfig(steps=10, progress=False, lr_schedule="cosine")
    fit(task, run)
    assert seen == pytest.approx([0.5 * run.lr_factor(i / 10) for i in range(10)])
    assert seen[0] == 0.5 and seen[-1] < 0.1


def test_the_loop_runs_the_cosine_schedule_over_a_time_budget():
    task, seen = _lr_recording_task(lr=0.5)
    slow = task.step
    task.step = lambda i: (time.sleep(0.01), slow(i))[1]
    fit(task, RunConfig(steps=None, max_seconds=0.25, progress=False, lr_schedule="cosine"))
    assert len(seen) >= 3 and seen[0] == pytest.approx(0.5, rel=0.01)
    assert all(a >= b for a, b in zip(seen, seen[1:], strict=False)) and seen[-1] < seen[0]
    assert min(seen) >= 0.05 * (1 - 1e-9)  # never below the floor


def test_without_a_schedule_the_rate_is_left_alone_and_one_needs_the_optimisers():
    task, seen = _lr_recording_task(lr=0.5)
    fit(task, RunConfig(steps=5, progress=False))  # lr_schedule=None: the trainer's choice
    fit(task, RunConfig(steps=5, progress=False, lr_schedule="constant"))
    assert seen == [0.5] * 10
    task.optimizers = ()
    with pytest.raises(ValueError, match=r"recorded: RunConfig\(lr_schedule='cosine'\) needs"):
        fit(task, RunConfig(steps=5, progress=False, lr_schedule="cosine"))


def test_every_trainer_of_the_kit_follows_the_loops_schedule():
    from aigc_kit.features import NOTES_SPEC
    from aigc_kit.models import VAE, MLPDecoder, MLPDiscriminator, MLPEncoder, MLPGenerator
    from aigc_kit.training import (
        GANConfig,
        train_classifier,
        train_gan,
        train_vae,
        train_vocoder,
    )

    shape, cosine = (1, 8, 8), RunConfig(steps=4, progress=False, lr_schedule="cosine")
    x = torch.rand(16, *shape) * 2 - 1

    def final_rates(model_fn, train):  # every optimiser step's rate, by a global hook
        rates = []
        hook = register_optimizer_step_pre_hook(
            lambda opt, args, kwargs: rates.append(opt.param_groups[0]["lr"]))
        try:
            train(model_fn())
        finally:
            hook.remove()
        return rates

    vae = final_rates(lambda: VAE(MLPEncoder(shape, 2, hidden=(8,)), MLPDecoder(2, shape,
                                                                                hidden=(8,))),
                      lambda m: train_vae(m, x, lr=1e-3, run=cosine))
    assert vae[0] == pytest.approx(1e-3) and vae[-1] < vae[0]
    gan = final_rates(lambda: (MLPGenerator(4, shape, hidden=(8,)),
                               MLPDiscriminator(shape, hidden=(8,))),
                      lambda gd: train_gan(*gd, x, GANConfig(latent_dim=4, batch_size=8),
                                           run=cosine))
    assert gan[0] == pytest.approx(GANConfig().lr) and gan[-1] < gan[0]
    classifier = final_rates(lambda: torch.nn.Sequential(torch.nn.Flatten(),
                                                         torch.nn.Linear(64, 2)),
                             lambda m: train_classifier(m, x, torch.arange(16) % 2, epochs=None,
                                                        lr=1e-2,
                                                        one_cycle=False, run=cosine))
    assert classifier[0] == pytest.approx(1e-2) and classifier[-1] < classifier[0]
    clips = np.random.default_rng(0).normal(size=(2, NOTES_SPEC.n_samples)).astype(np.float32)
    vocoder = final_rates(lambda: None, lambda _: train_vocoder(clips, NOTES_SPEC, lr=1e-3,
                                                                run=cosine))
    assert vocoder[0] == pytest.approx(1e-3) and vocoder[-1] < vocoder[0]


# --- Batches --------------------------------------------------------------------------------


def test_batches_visit_every_index_once_per_epoch():
    torch.manual_seed(0)
    batches = Batches(12, 4, CPU)
    assert batches.per_epoch == 3
    epochs = []
    for _ in range(4):
        epoch = [batches() for _ in range(batches.per_epoch)]
        assert all(b.shape == (4,) and b.dtype == torch.long for b in epoch)
        epochs.append(torch.cat(epoch).tolist())
        assert sorted(epochs[-1]) == list(range(12))
    assert len({tuple(e) for e in epochs}) == 4  # reshuffled every epoch
    torch.manual_seed(0)  # seeded from the global RNG: the same seed, the same batches
    again = Batches(12, 4, CPU)
    assert [again().tolist() for _ in range(6)] == [epochs[0][:4], epochs[0][4:8],
                                                   epochs[0][8:], epochs[1][:4],
                                                   epochs[1][4:8], epochs[1][8:]]
    # 10 examples in batches of 3: the last incomplete batch of each epoch is dropped.
    ragged = Batches(10, 3, CPU)
    assert ragged.per_epoch == 3
    for _ in range(3):
        seen = torch.cat([ragged() for _ in range(3)]).tolist()
        assert len(seen) == len(set(seen)) == 9 and set(seen) <= set(range(10))


def test_batches_clip_the_batch_size_and_reject_zero():
    batches = Batches(5, 50, CPU)
    assert batches.size == 5 and batches.per_epoch == 1
    for _ in range(3):
        assert sorted(batches().tolist()) == list(range(5))
    for size in (0, -3):
        with pytest.raises(ValueError, match=f"batch_size must be >= 1, got {size}"):
            Batches(5, size, CPU)


# --- prepare_labels and prepare_data --------------------------------------------------------


def test_prepare_labels_accepts_integer_labels():
    labels = prepare_labels(np.array([0, 2, 1], dtype=np.int32), 3, "y")
    assert labels.dtype == torch.long and labels.tolist() == [0, 2, 1]
    assert prepare_labels([1, 0], 2, "y").tolist() == [1, 0]


def test_prepare_labels_errors_name_the_argument_and_the_problem():
    with pytest.raises(ValueError, match="y must hold integer class labels, got dtype "
                                         "torch.float32"):
        prepare_labels(torch.zeros(3), 3, "y")
    with pytest.raises(ValueError, match="labels must hold integer class labels, got dtype "
                                         "torch.bool"):
        prepare_labels(torch.zeros(3, dtype=torch.bool), 3, "labels")
    with pytest.raises(ValueError, match=re.escape("y_val must have shape (3,) to match the "
                                                   "inputs, got (3, 1)")):
        prepare_labels(torch.zeros(3, 1, dtype=torch.long), 3, "y_val")
    with pytest.raises(ValueError, match=re.escape("must have shape (3,) to match the inputs, "
                                                   "got (4,)")):
        prepare_labels(torch.zeros(4, dtype=torch.long), 3, "y")
    with pytest.raises(ValueError, match="y holds negative labels; classes are numbered"):
        prepare_labels(torch.tensor([0, -1, 2]), 3, "y")


def test_prepare_data_returns_a_floating_tensor_on_the_device():
    data = prepare_data(np.arange(6).reshape(3, 2), "x", CPU, torch.float32)
    assert data.dtype == torch.float32 and data.device == CPU and data.shape == (3, 2)
    assert data.tolist() == [[0.0, 1.0], [2.0, 3.0], [4.0, 5.0]]


def test_prepare_data_errors_name_the_argument_and_the_first_bad_example():
    for empty in (torch.zeros(0, 3), torch.tensor(1.0), []):
        with pytest.raises(ValueError, match=r"x is empty: expected a tensor of shape \(N"):
            prepare_data(empty, "x", CPU, torch.float32)
    with pytest.raises(ValueError, match="data must be real-valued, got dtype torch.complex64"):
        prepare_data(torch.zeros(2, 2, dtype=torch.complex64), "data", CPU, torch.float32)
    data = torch.zeros(6, 2, 2)
    data[4, 0, 1] = math.nan
    data[4, 1, 0] = math.inf
    data[5, 1, 1] = -math.inf
    with pytest.raises(ValueError, match=r"^data contains 3 NaN/Inf values in 2 examples "
                                         r"\(first: index 4\); drop or repair"):
        prepare_data(data, "data", CPU, torch.float32)
    # A value that overflows the training dtype is as bad as an infinite one.
    with pytest.raises(ValueError, match=r"1 NaN/Inf values in 1 examples \(first: index 1\)"):
        prepare_data(np.array([[1.0], [1e300]]), "x", CPU, torch.float32)


def test_place_stores_conv_weights_channels_last_on_the_cpu_only_and_keeps_values():
    from aigc_kit.models import ConvGenerator, MelClassifier, MLPGenerator
    from aigc_kit.training import place

    torch.manual_seed(0)
    conv = MelClassifier(n_classes=10, in_shape=(1, 32, 32))
    before = {k: v.clone() for k, v in conv.state_dict().items()}
    x = torch.randn(4, 1, 32, 32)
    out_before = conv.eval()(x)
    assert place(conv, torch.device("cpu")) is conv
    weights = [m.weight for m in conv.modules() if isinstance(m, torch.nn.Conv2d)]
    assert weights and all(w.is_contiguous(memory_format=torch.channels_last) for w in weights)
    assert not weights[-1].is_contiguous()  # really another order, not a no-op
    assert all(torch.equal(before[k], v) for k, v in conv.state_dict().items())
    assert torch.allclose(conv(x), out_before, atol=1e-5)
    fresh = MelClassifier(n_classes=10, in_shape=(1, 32, 32))
    fresh.load_state_dict(conv.state_dict())  # checkpoints load into the default order
    assert torch.allclose(fresh.eval()(x), out_before, atol=1e-5)
    mlp = MLPGenerator(8, (1, 8, 8))
    place(mlp, torch.device("cpu"))
    assert all(p.is_contiguous() for p in mlp.parameters())  # nothing to convert
    gen = place(ConvGenerator(8, (1, 16, 16)), torch.device("cpu"))
    assert gen(torch.randn(2, 8)).shape == (2, 1, 16, 16)
