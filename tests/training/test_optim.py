"""Tests for aigc_kit.training.optim: agreement with torch.optim, the source's misprinted Adam
and the kit's fused Adam factory.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from aigc_kit.training import (
    Adam,
    GradientDescent,
    adam,
    rosenbrock,
    step_factor,
    trajectory,
)

B1, B2, LR = 0.9, 0.999, 1e-3
G = torch.tensor([1.0, -2.0, 0.5], dtype=torch.float64)  # a constant gradient


@pytest.fixture(autouse=True)
def _one_thread():
    """These tiny problems run ~10x slower when BLAS threads compete for shared cores."""
    n_threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n_threads)


def _mlp_problem(seed: int = 0):
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(64, 5, generator=gen, dtype=torch.float64)
    y = torch.randn(64, 1, generator=gen, dtype=torch.float64)
    torch.manual_seed(seed)
    net = torch.nn.Sequential(torch.nn.Linear(5, 16), torch.nn.Tanh(), torch.nn.Linear(16, 1))
    return net.double(), x, y


def _train(make_optimizer, n_steps: int) -> torch.Tensor:
    """Train the same small float64 MLP; return its parameters, flattened."""
    net, x, y = _mlp_problem()
    layers = [net[0], net[2]]
    optimizer = make_optimizer(layers)
    for _ in range(n_steps):
        optimizer.zero_grad()
        loss = ((net(x) - y) ** 2).mean()
        loss.backward()
        optimizer.step()
    return torch.cat([p.detach().flatten() for p in net.parameters()])


def _groups(layers, lrs):
    return [{"params": layer.parameters(), "lr": lr} for layer, lr in zip(layers, lrs, strict=True)]


def test_adam_matches_torch_adam_after_1000_steps():
    lrs = (1e-2, 3e-3)  # two parameter groups with their own learning rates
    kwargs = dict(betas=(0.85, 0.995), eps=1e-7)
    ours = _train(lambda layers: Adam(_groups(layers, lrs), **kwargs), 1000)
    theirs = _train(lambda layers: torch.optim.Adam(_groups(layers, lrs), **kwargs), 1000)
    start = _train(lambda layers: Adam(_groups(layers, lrs)), 0)
    assert (theirs - start).abs().max() > 0.1  # the parameters really moved
    rel = ((ours - theirs).abs() / theirs.abs().clamp_min(1e-12)).max().item()
    assert rel < 1e-6


def test_gradient_descent_matches_sgd_exactly():
    ours = _train(lambda layers: GradientDescent(_groups(layers, (0.05, 0.02)), lr=0.1), 200)
    theirs = _train(lambda layers: torch.optim.SGD(_groups(layers, (0.05, 0.02)), lr=0.1), 200)
    assert torch.equal(ours, theirs)


def test_state_dict_round_trip_continues_identically():
    straight = _train(lambda layers: Adam([p for m in layers for p in m.parameters()], lr=1e-2), 10)
    net, x, y = _mlp_problem()
    first = Adam(net.parameters(), lr=1e-2)
    for n_steps, optimizer in ((5, first), (5, None)):
        if optimizer is None:
            optimizer = Adam(net.parameters(), lr=1e-2)
            optimizer.load_state_dict(first.state_dict())
        for _ in range(n_steps):
            optimizer.zero_grad()
            ((net(x) - y) ** 2).mean().backward()
            optimizer.step()
    assert optimizer.state_dict()["state"][0]["step"] == 10
    resumed = torch.cat([p.detach().flatten() for p in net.parameters()])
    assert torch.equal(resumed, straight)


def test_step_returns_the_closure_loss():
    theta = torch.zeros(3, dtype=torch.float64, requires_grad=True)
    optimizer = Adam([theta], lr=LR)

    def closure() -> torch.Tensor:
        optimizer.zero_grad()
        loss = (G * theta).sum() + 7.0
        loss.backward()
        return loss

    assert optimizer.step(closure).item() == 7.0
    torch.testing.assert_close(theta.detach(), -LR * torch.sign(G))


def _constant_gradient_run(variant: str, n_steps: int) -> tuple[np.ndarray, dict]:
    """Adam on L = G . theta (gradient G at every step): the step taken at t = 1..n_steps."""
    theta = torch.zeros(3, dtype=torch.float64, requires_grad=True)
    optimizer = Adam([theta], lr=LR, betas=(B1, B2), variant=variant)
    path = [theta.detach().clone()]
    for _ in range(n_steps):
        optimizer.zero_grad()
        (G * theta).sum().backward()
        optimizer.step()
        path.append(theta.detach().clone())
    steps = torch.diff(torch.stack(path), dim=0).numpy()
    return steps, optimizer.state[theta]


def test_correct_adam_steps_lr_against_a_constant_gradient():
    steps, state = _constant_gradient_run("correct", 5)
    np.testing.assert_allclose(steps, np.tile(-LR * np.sign(G.numpy()), (5, 1)), rtol=1e-6)
    t = np.arange(1, 6)
    np.testing.assert_allclose(state["exp_avg"].numpy(), (1 - B1**5) * G.numpy())
    assert state["step"] == 5
    assert step_factor(1) == pytest.approx(np.sqrt(1 - B2) / (1 - B1))
    np.testing.assert_allclose(
        step_factor(t, variant="printed_step") / step_factor(t), 1 / (1 - B2**t)
    )


def test_printed_moment_is_a_shrunk_faster_decaying_average():
    # m_t = b1 m + (1 - b1)(g - m) = (2 b1 - 1) m + (1 - b1) g  ->  m_t = (1 - 0.8^t) g / 2
    steps, state = _constant_gradient_run("printed_moment", 3)
    np.testing.assert_allclose(state["exp_avg"].numpy(), 0.244 * G.numpy())  # 0.1, 0.18, 0.244
    _, correct_state = _constant_gradient_run("correct", 3)
    np.testing.assert_allclose(correct_state["exp_avg"].numpy(), 0.271 * G.numpy())
    np.testing.assert_allclose(state["exp_avg_sq"].numpy(), 0.5 * (1 - 0.998**3) * G.numpy() ** 2)
    # the bias-corrected step is then lr * m_hat / sqrt(v_hat), smaller than lr after t = 1
    np.testing.assert_allclose(steps, _printed_moment_steps(np.arange(1, 4)), rtol=1e-6)
    assert abs(steps[2, 0]) < 0.91 * LR
    # in the long run m -> g/2 and v -> g^2/2, so steps tend to lr / sqrt(2), not lr
    long_steps, long_state = _constant_gradient_run("printed_moment", 3000)
    np.testing.assert_allclose(long_state["exp_avg"].numpy(), 0.5 * G.numpy())
    np.testing.assert_allclose(long_steps[-1], _printed_moment_steps(np.array([3000]))[0])
    assert abs(long_steps[-1, 0]) < 0.75 * LR


def _printed_moment_steps(t: np.ndarray) -> np.ndarray:
    """Steps lr * m_hat / sqrt(v_hat) with m_t = (1 - (2 b1 - 1)^t) g / 2, likewise v_t."""
    t = t[:, None]
    m_hat = 0.5 * (1 - (2 * B1 - 1) ** t) / (1 - B1**t)
    v_hat = 0.5 * (1 - (2 * B2 - 1) ** t) / (1 - B2**t)
    return -LR * np.sign(G.numpy()) * m_hat / np.sqrt(v_hat)


def test_printed_step_is_a_thousand_times_too_large_at_first():
    printed, printed_state = _constant_gradient_run("printed_step", 5)
    correct, correct_state = _constant_gradient_run("correct", 5)
    torch.testing.assert_close(printed_state["exp_avg"], correct_state["exp_avg"])
    ratio = printed / correct
    t = np.arange(1, 6)[:, None]
    np.testing.assert_allclose(ratio, np.broadcast_to(1 / (1 - B2**t), ratio.shape), rtol=1e-5)
    assert ratio[0, 0] == pytest.approx(1000.0, rel=1e-5)  # first step: 1000 lr, not lr


def test_argument_validation():
    theta = [torch.zeros(2, requires_grad=True)]
    with pytest.raises(ValueError, match="variant"):
        Adam(theta, variant="printed")
    with pytest.raises(ValueError, match="lr"):
        Adam(theta, lr=0.0)
    with pytest.raises(ValueError, match="betas"):
        Adam(theta, betas=(0.9, 1.0))
    with pytest.raises(ValueError, match="lr"):
        GradientDescent(theta, lr=-1.0)
    with pytest.raises(ValueError, match="start at 1"):
        step_factor(0)


def test_trajectory_records_every_point():
    points, losses = trajectory(
        lambda p: GradientDescent(p, lr=0.1), lambda x: 0.5 * (x**2).sum(), [2.0, -1.0], 20
    )
    assert points.shape == (21, 2) and losses.shape == (21,)
    np.testing.assert_allclose(points, 0.9 ** np.arange(21)[:, None] * [2.0, -1.0])
    np.testing.assert_allclose(losses, 0.5 * (points**2).sum(axis=1))
    assert rosenbrock(torch.tensor([1.0, 1.0])).item() == 0.0
    assert rosenbrock(torch.tensor([[0.0, 1.0]])).tolist() == [101.0]


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
