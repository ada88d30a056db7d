"""Tests of aigc_kit.apps.music.training (``09_music_generation``): the AdamW step with
clipped gradients that both melody trainers run on the kit's loop."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from aigc_kit.apps.music.training import CLIP_NORM, cosine_by_default, melody_task
from aigc_kit.training import RunConfig, Trainer

CPU = torch.device("cpu")


def _regression():
    torch.manual_seed(0)
    x = torch.randn(64, 3)
    # targets large enough that the first gradients lie far above CLIP_NORM
    data = {"x": x, "y": x @ torch.tensor([1.0, -2.0, 0.5]) * 10.0}

    def loss(model, batch):
        err = (model(batch["x"]).squeeze(1) - batch["y"]).square().mean()
        return err, err.sqrt()
    return data, loss


def test_the_task_trains_with_clipped_gradients_on_the_loop():
    data, loss = _regression()
    model = nn.Linear(3, 1)
    task = melody_task("toy", model, data, loss, ("loss", "rmse"), batch_size=16, lr=0.3,
                       weight_decay=0.0, device=CPU, config={"extra": 1})
    (opt,) = task.optimizers
    assert isinstance(opt, torch.optim.AdamW) and model.training
    assert task.config == {"batch_size": 16, "lr": 0.3, "weight_decay": 0.0, "extra": 1}
    norms = []
    opt.register_step_pre_hook(lambda *_: norms.append(float(torch.cat(
        [p.grad.flatten() for p in model.parameters()]).norm())))
    result = Trainer(RunConfig(steps=150, progress=False)).fit(task)
    assert result.ok and list(result.history.columns) == ["step", "seconds", "loss", "rmse"]
    assert len(norms) == 150 and max(norms) <= CLIP_NORM * (1 + 1e-5)
    assert norms[0] == pytest.approx(CLIP_NORM)  # the first gradients were clipped
    h = result.history
    assert h["loss"].tail(10).mean() < 0.01 * h["loss"].head(10).mean()
    assert not model.training  # the loop leaves it in eval mode


def test_the_loop_schedules_the_tasks_optimiser():
    data, loss = _regression()
    task = melody_task("toy", nn.Linear(3, 1), data, loss, ("loss", "rmse"), batch_size=16,
                       lr=0.1, weight_decay=0.0, device=CPU)
    run = RunConfig(steps=20, progress=False, lr_schedule="cosine", lr_floor=0.2)
    Trainer(run).fit(task)
    # the rate of the last step: 0.1 * lr_factor(19 / 20), close to the floor
    assert task.optimizers[0].param_groups[0]["lr"] == pytest.approx(0.1 * run.lr_factor(0.95))
    assert 0.02 < task.optimizers[0].param_groups[0]["lr"] < 0.021


def test_training_tensors_must_hold_as_many_examples():
    data, loss = _regression()
    data["y"] = data["y"][:10]
    with pytest.raises(ValueError, match=r"different numbers of examples \(\[10, 64\]\)"):
        melody_task("toy", nn.Linear(3, 1), data, loss, ("loss", "rmse"), batch_size=16,
                    lr=0.1, weight_decay=0.0, device=CPU)


def test_cosine_is_the_default_unless_the_run_says_otherwise():
    assert cosine_by_default(RunConfig(steps=5)).lr_schedule == "cosine"
    assert cosine_by_default(RunConfig(steps=5, lr_schedule="constant")).lr_schedule == "constant"
    run = RunConfig(steps=5, max_seconds=3.0, seed=4)
    assert cosine_by_default(run).replace(lr_schedule=None) == run
