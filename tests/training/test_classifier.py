"""Tests for aigc_kit.training.classifier: training, prediction, evaluation, time shifts."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from aigc_kit.training import (
    RunConfig,
    evaluate_classifier,
    predict,
    random_time_shift,
    train_classifier,
)


def test_classifier_learns_separable_classes():
    gen = torch.Generator().manual_seed(0)
    centres = torch.tensor([[0.0, 4.0], [4.0, 0.0], [-4.0, -4.0]])
    y = torch.arange(600) % 3
    x = centres[y] + torch.randn(600, 2, generator=gen)
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 3))
    result = train_classifier(model, x[:450], y[:450], epochs=8, batch_size=32, lr=1e-2,
                              x_val=x[450:], y_val=y[450:], run=RunConfig(progress=False))
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
                     one_cycle=one_cycle, run=RunConfig(progress=False))
    final_lr = made[0].param_groups[0]["lr"]
    assert final_lr < 1e-5 if one_cycle else final_lr == 1e-2


def test_classifier_time_budget_scores_the_final_weights():
    x = torch.randn(256, 4)
    y = (x[:, 0] > 0).long()
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
    result = train_classifier(model, x, y, epochs=10**6, batch_size=32,
                              augment=lambda b: b + 0.01 * torch.randn_like(b), x_val=x, y_val=y,
                              run=RunConfig(max_seconds=0.2, progress=False))
    assert result.stopped == "time budget" and result.ok
    assert result.history["seconds"].iloc[-1] >= 0.2
    # the last row scores the weights the model was left with, not an earlier epoch's
    assert result.history["val_accuracy"].iloc[-1] == evaluate_classifier(model, x, y)


def test_random_time_shift_rolls_each_example_by_its_own_shift():
    torch.manual_seed(0)
    batch = torch.arange(64 * 2 * 3 * 10, dtype=torch.float32).reshape(64, 2, 3, 10)
    shifted = random_time_shift(3)(batch)
    shifts = []
    for example, out in zip(batch, shifted, strict=True):
        matches = [s for s in range(-3, 4) if torch.equal(torch.roll(example, s, dims=-1), out)]
        assert len(matches) == 1
        shifts.append(matches[0])
    assert sorted(set(shifts)) == list(range(-3, 4))  # every shift, either way, is drawn
    assert torch.equal(random_time_shift(0)(batch), batch)
    with pytest.raises(ValueError, match="max_frames must be >= 0, got -1"):
        random_time_shift(-1)


def test_predict_cuts_further_inputs_into_the_same_batches():
    class Shifted(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.table = torch.nn.Embedding(5, 2)

        def forward(self, x: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
            assert labels.dtype == torch.long and len(x) == len(labels) <= 3
            return x + self.table(labels)

    model = Shifted().train()
    x, labels = torch.randn(7, 2), torch.tensor([0, 1, 2, 3, 4, 0, 1])
    out = predict(model, x, labels, batch_size=3)
    assert torch.allclose(out, x + model.table(labels).detach()) and model.training
    with pytest.raises(ValueError, match=r"lengths \[7, 6\]"):
        predict(model, x, labels[:6], batch_size=3)
