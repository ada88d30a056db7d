"""Chapter 6b's exercise checks: right answers pass, typical mistakes get a hint."""

import pandas as pd
import pytest
import torch

from aigc_kit import check
from aigc_kit.models import NoiseSchedule

SHAPE = (1, 1, 8, 4)


@pytest.fixture(autouse=True)
def _not_strict(monkeypatch):
    monkeypatch.delenv("AIGC_KIT_CHECK_STRICT", raising=False)


def test_ex1_the_forward_process_in_one_line():
    schedule = NoiseSchedule(200)
    x0, noise = torch.rand(SHAPE) * 2 - 1, torch.randn(SHAPE)
    abar, beta = schedule.alpha_bars()[50], schedule.betas()[50]
    assert check.ch06b_ex1(abar.sqrt() * x0 + (1 - abar).sqrt() * noise, x0, noise, 50,
                           schedule).ok is True
    one_step = check.ch06b_ex1(beta.sqrt() * noise + (1 - beta).sqrt() * x0, x0, noise, 50,
                               schedule)
    assert one_step.ok is False and "cumulative product" in one_step.message
    no_sqrt = check.ch06b_ex1(abar * x0 + (1 - abar) * noise, x0, noise, 50, schedule)
    assert no_sqrt.ok is False and "square root" in no_sqrt.message
    assert "shaped like" in check.ch06b_ex1(x0[0], x0, noise, 50, schedule).message
    assert check.ch06b_ex1(..., x0, noise, 50, schedule).ok is None


def test_ex2_one_ddim_step():
    schedule = NoiseSchedule(200)
    torch.manual_seed(0)
    x_t, x0_hat = torch.randn(SHAPE), torch.randn(SHAPE) * 1.5  # partly outside [-1, 1]
    abars = schedule.alpha_bars()
    eps = (x_t - abars[199].sqrt() * x0_hat) / (1 - abars[199]).sqrt()
    right = abars[191].sqrt() * x0_hat.clamp(-1, 1) + (1 - abars[191]).sqrt() * eps
    assert check.ch06b_ex2(right, x_t, x0_hat, 199, 191, schedule).ok is True
    unclipped = abars[191].sqrt() * x0_hat + (1 - abars[191]).sqrt() * eps
    verdict = check.ch06b_ex2(unclipped, x_t, x0_hat, 199, 191, schedule)
    assert verdict.ok is False and "clip" in verdict.message
    stay = abars[199].sqrt() * x0_hat.clamp(-1, 1) + (1 - abars[199]).sqrt() * eps
    verdict = check.ch06b_ex2(stay, x_t, x0_hat, 199, 191, schedule)
    assert verdict.ok is False and "t_prev" in verdict.message


def test_ex3_the_best_guidance_scale_ties_included():
    table = pd.DataFrame({"pitch clear / real": [0.6, 0.9, 0.9, 0.5],
                          "IS ratio (in-domain)": [0.3, 0.6, 0.8, 0.4]},
                         index=pd.Index([0.0, 1.0, 2.0, 4.0], name="guidance w"))
    assert check.ch06b_ex3(1.0, table).ok is True
    table.loc[2.0, "pitch clear / real"] = 0.8
    assert check.ch06b_ex3(1.0, table).ok is True
    best_heard = check.ch06b_ex3(2.0, table)
    assert best_heard.ok is False and "in-domain IS ratio" in best_heard.message
    assert "one of the scales" in check.ch06b_ex3(3.0, table).message
    assert check.ch06b_ex3(4.0, table).ok is False
