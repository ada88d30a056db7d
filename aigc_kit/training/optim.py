"""Gradient descent and Adam written from their update equations (chapter 4.4).

Taught in ``05_math_losses_optimizers``, which runs them on 2-D test functions, checks the
kit's Adam against ``torch.optim.Adam`` and shows what the source article's misprinted Adam
does.

Both optimisers subclass :class:`torch.optim.Optimizer`, so they drop into any PyTorch
training loop: ``zero_grad()``, ``step(closure=None)``, ``state_dict()`` and
``load_state_dict()`` work as usual.

The source's Adam errata
------------------------
The article prints::

    m_t = b1 m_{t-1} + (1 - b1) [g_t - m_{t-1}]                              (1)
    v_t = b2 v_{t-1} + (1 - b2) [g_t^2 - v_{t-1}]                            (2)
    theta_{t+1} = theta_t - alpha / (sqrt(1 - b2^t) (1 - b1^t)) * m_t / (sqrt(v_t) + eps)   (3)

The correct moments are ``m_t = b1 m_{t-1} + (1 - b1) g_t``, which can also be written
``m_t = m_{t-1} + (1 - b1)(g_t - m_{t-1})``; (1) mixes the two and equals
``(2 b1 - 1) m_{t-1} + (1 - b1) g_t``, an average that decays faster and converges to ``g / 2``
for a constant gradient. The correct step factor is ``sqrt(1 - b2^t) / (1 - b1^t)``; (3) puts
the square root in the denominator, which makes step ``t`` larger by ``1 / (1 - b2^t)``:
1000x at ``t = 1`` with ``b2 = 0.999``, still 10.5x at ``t = 100``. :class:`Adam` reproduces
each error with ``variant="printed_moment"`` and ``variant="printed_step"``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import torch
from numpy.typing import ArrayLike
from torch.optim import Optimizer

OptimizerFactory = Callable[[Iterable[torch.nn.Parameter]], torch.optim.Optimizer]

__all__ = [
    "ADAM_VARIANTS",
    "Adam",
    "GradientDescent",
    "rosenbrock",
    "step_factor",
    "trajectory",
]

ADAM_VARIANTS = ("correct", "printed_moment", "printed_step")

Params = Iterable[torch.Tensor] | Iterable[dict[str, Any]]


def _check_variant(variant: str) -> None:
    if variant not in ADAM_VARIANTS:
        raise ValueError(f"variant must be one of {ADAM_VARIANTS}, got {variant!r}.")


def _closure_loss(closure: Callable[[], torch.Tensor] | None) -> torch.Tensor | None:
    if closure is None:
        return None
    with torch.enable_grad():
        return closure()


class GradientDescent(Optimizer):
    r"""Plain gradient descent: :math:`\theta_{t+1} = \theta_t - \alpha \nabla_\theta L(\theta_t)`.

    Identical, to the last bit, to ``torch.optim.SGD(params, lr)`` with no momentum.

    Parameters
    ----------
    params : iterable of tensors or of parameter-group dicts
        What to optimise, as for any PyTorch optimiser.
    lr : float
        Learning rate ``alpha`` (> 0), in parameter units per unit of gradient.

    Notes
    -----
    Taught in ``05_math_losses_optimizers``.
    """

    def __init__(self, params: Params, lr: float) -> None:
        if not lr > 0:
            raise ValueError(f"lr must be > 0, got {lr}.")
        super().__init__(params, {"lr": lr})

    @torch.no_grad()
    def step(self, closure: Callable[[], torch.Tensor] | None = None) -> torch.Tensor | None:
        """One update of every parameter that has a gradient; returns ``closure()`` if given."""
        loss = _closure_loss(closure)
        for group in self.param_groups:
            for param in group["params"]:
                if param.grad is not None:
                    param.add_(param.grad, alpha=-group["lr"])
        return loss


class Adam(Optimizer):
    r"""Adam (Kingma & Ba, 2015) from its update equations, plus the source's misprints.

    With gradient :math:`g_t = \nabla_\theta L(\theta_{t-1})` at step :math:`t = 1, 2, \dots`
    and :math:`m_0 = v_0 = 0`, ``variant="correct"`` computes (all operations elementwise)

    .. math::
        m_t &= \beta_1 m_{t-1} + (1 - \beta_1) g_t \\
        v_t &= \beta_2 v_{t-1} + (1 - \beta_2) g_t^2 \\
        \hat m_t &= m_t / (1 - \beta_1^t), \qquad \hat v_t = v_t / (1 - \beta_2^t) \\
        \theta_t &= \theta_{t-1} - \alpha\, \hat m_t / (\sqrt{\hat v_t} + \epsilon)

    ``m`` and ``v`` are exponential moving averages (EMAs) of the gradient and its square;
    dividing by ``1 - beta^t`` removes their bias towards the zero they start from. The
    arithmetic follows ``torch.optim.Adam`` operation by operation (``m`` is updated as
    ``m + (1 - b1)(g - m)``, the same number written differently), so in float64 the two
    agree to round-off.

    The source article's printed forms, for teaching (see the module docstring):

    * ``variant="printed_moment"``: :math:`m_t = \beta_1 m_{t-1} + (1-\beta_1)(g_t - m_{t-1})`
      and :math:`v_t = \beta_2 v_{t-1} + (1-\beta_2)(g_t^2 - v_{t-1})`, with the correct
      bias correction and step. For a constant gradient ``m_t -> g/2`` and ``v_t -> g^2/2``,
      so steps settle at ``alpha / sqrt(2)`` instead of ``alpha``. Needs ``b2 >= 1/2`` to
      keep ``v`` non-negative.
    * ``variant="printed_step"``: correct moments, but
      :math:`\theta_t = \theta_{t-1} - \frac{\alpha}{\sqrt{1-\beta_2^t}\,(1-\beta_1^t)}
      \frac{m_t}{\sqrt{v_t}+\epsilon}` -- :func:`step_factor` compares the two factors.

    Parameters
    ----------
    params : iterable of tensors or of parameter-group dicts
        What to optimise.
    lr : float
        Learning rate ``alpha`` (> 0): roughly the largest change of a parameter per step.
    betas : (float, float)
        Decay rates ``(beta1, beta2)`` of the two EMAs, each in ``[0, 1)``.
    eps : float
        ``epsilon`` (>= 0), added to the root-mean-square gradient to avoid division by 0.
    variant : {"correct", "printed_moment", "printed_step"}
        Which update equations to use.

    Notes
    -----
    State per parameter: ``step`` (int ``t``), ``exp_avg`` (``m``) and ``exp_avg_sq``
    (``v``), named as in ``torch.optim.Adam``. No weight decay, AMSGrad or sparse gradients.
    Taught in ``05_math_losses_optimizers``.
    """

    def __init__(
        self,
        params: Params,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        variant: str = "correct",
    ) -> None:
        _check_variant(variant)
        if not lr > 0:
            raise ValueError(f"lr must be > 0, got {lr}.")
        if not all(0.0 <= b < 1.0 for b in betas) or len(betas) != 2:
            raise ValueError(f"betas must be two numbers in [0, 1), got {betas}.")
        if not eps >= 0:
            raise ValueError(f"eps must be >= 0, got {eps}.")
        super().__init__(params, {"lr": lr, "betas": tuple(betas), "eps": eps, "variant": variant})

    @torch.no_grad()
    def step(self, closure: Callable[[], torch.Tensor] | None = None) -> torch.Tensor | None:
        """One Adam update of every parameter that has a gradient; returns ``closure()``."""
        loss = _closure_loss(closure)
        for group in self.param_groups:
            lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
            variant = group["variant"]
            _check_variant(variant)
            for param in group["params"]:
                if param.grad is None:
                    continue
                grad = param.grad
                if grad.is_sparse:
                    raise ValueError("this Adam does not support sparse gradients.")
                state = self.state[param]
                if not state:
                    state["step"] = 0
                    state["exp_avg"] = torch.zeros_like(param, memory_format=torch.preserve_format)
                    state["exp_avg_sq"] = torch.zeros_like(
                        param, memory_format=torch.preserve_format
                    )
                state["step"] += 1
                t, m, v = state["step"], state["exp_avg"], state["exp_avg_sq"]

                if variant == "printed_moment":
                    # (1), (2): b m_{t-1} + (1 - b)(g - m_{t-1}), with m_{t-1} on both sides
                    m_gap, v_gap = grad - m, grad * grad - v
                    m.mul_(beta1).add_(m_gap, alpha=1 - beta1)
                    v.mul_(beta2).add_(v_gap, alpha=1 - beta2)
                else:
                    m.lerp_(grad, 1 - beta1)  # b1 m + (1 - b1) g, as m + (1 - b1)(g - m)
                    v.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)

                bias_correction1 = 1 - beta1**t
                bias_correction2 = 1 - beta2**t
                if variant == "printed_step":
                    # (3): alpha / (sqrt(1 - b2^t)(1 - b1^t)) * m_t / (sqrt(v_t) + eps)
                    factor = lr / (bias_correction2**0.5 * bias_correction1)
                    param.addcdiv_(m, v.sqrt().add_(eps), value=-factor)
                else:
                    # alpha * m_hat / (sqrt(v_hat) + eps), in torch.optim.Adam's order
                    denom = (v.sqrt() / bias_correction2**0.5).add_(eps)
                    param.addcdiv_(m, denom, value=-lr / bias_correction1)
        return loss


def step_factor(
    t: int | np.ndarray, betas: tuple[float, float] = (0.9, 0.999), variant: str = "correct"
) -> float | np.ndarray:
    r"""The factor multiplying :math:`\alpha\, m_t / \sqrt{v_t}` in Adam's step ``t``.

    Ignoring ``eps``, Adam's step is :math:`\alpha \cdot f(t) \cdot m_t / \sqrt{v_t}` with

    * correct: :math:`f(t) = \sqrt{1 - \beta_2^t} / (1 - \beta_1^t)` (from
      :math:`\hat m_t / \sqrt{\hat v_t}`),
    * printed in the source: :math:`f(t) = 1 / (\sqrt{1 - \beta_2^t}\,(1 - \beta_1^t))`,

    so the printed step is too large by :math:`1 / (1 - \beta_2^t)`: 1000 at ``t = 1`` for
    ``beta2 = 0.999``, about 100 at ``t = 10``, 10.5 at ``t = 100``, 1.58 at ``t = 1000``.

    Parameters
    ----------
    t : int or np.ndarray of int
        Step number(s), starting at 1.
    betas : (float, float)
        ``(beta1, beta2)``.
    variant : {"correct", "printed_step"}
        Which factor. (``"printed_moment"`` uses the correct factor.)

    Returns
    -------
    float or np.ndarray
        ``f(t)``, dimensionless, of ``t``'s shape.

    Notes
    -----
    Taught in ``05_math_losses_optimizers``.
    """
    _check_variant(variant)
    steps = np.asarray(t, dtype=np.float64)
    if (steps < 1).any():
        raise ValueError("step numbers start at 1.")
    beta1, beta2 = betas
    bias_correction1, bias_correction2 = 1 - beta1**steps, 1 - beta2**steps
    if variant == "printed_step":
        factor = 1 / (np.sqrt(bias_correction2) * bias_correction1)
    else:
        factor = np.sqrt(bias_correction2) / bias_correction1
    return float(factor) if factor.ndim == 0 else factor


def rosenbrock(xy: torch.Tensor, a: float = 1.0, b: float = 100.0) -> torch.Tensor:
    r"""Rosenbrock's banana function :math:`f(x, y) = (a - x)^2 + b (y - x^2)^2`.

    A classic optimiser test: the minimum ``f = 0`` at ``(a, a^2)`` lies at the bottom of a
    long, curved, flat-bottomed valley. With ``b = 100`` the curvature across the valley is
    about 1000 times that along it, so gradient descent crawls (or, with too large a step,
    oscillates), while Adam's per-coordinate step sizes cope better.

    Parameters
    ----------
    xy : torch.Tensor, shape (..., 2)
        Points ``(x, y)``.
    a, b : float
        Location of the minimum and steepness of the valley walls.

    Returns
    -------
    torch.Tensor, shape (...)
        Function values (differentiable).

    Notes
    -----
    Taught in ``05_math_losses_optimizers``.
    """
    x, y = xy[..., 0], xy[..., 1]
    return (a - x) ** 2 + b * (y - x**2) ** 2


def trajectory(
    make_optimizer: Callable[[list[torch.Tensor]], Optimizer],
    loss_fn: Callable[[torch.Tensor], torch.Tensor],
    start: ArrayLike,
    n_steps: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Run an optimiser from ``start`` and record every point it visits.

    Parameters
    ----------
    make_optimizer : callable
        Builds the optimiser from a parameter list, e.g.
        ``lambda p: Adam(p, lr=0.05)`` or ``lambda p: torch.optim.SGD(p, lr=1e-3)``.
    loss_fn : callable
        Maps a point of shape ``(dim,)`` to a scalar tensor, e.g. :func:`rosenbrock`.
    start : sequence of float, length dim
        Starting point.
    n_steps : int
        Number of optimiser steps (>= 0).

    Returns
    -------
    points : np.ndarray, shape (n_steps + 1, dim)
        The starting point and the point after each step (float64).
    losses : np.ndarray, shape (n_steps + 1,)
        ``loss_fn`` at each of those points; non-finite values are kept, so a diverging
        run shows up as ``inf`` or ``nan`` rather than an error.

    Notes
    -----
    Taught in ``05_math_losses_optimizers``.
    """
    if n_steps < 0:
        raise ValueError(f"n_steps must be >= 0, got {n_steps}.")
    point = torch.tensor(np.asarray(start, dtype=np.float64), requires_grad=True)
    optimizer = make_optimizer([point])
    points, losses = [], []
    for _ in range(n_steps + 1):
        optimizer.zero_grad()
        loss = loss_fn(point)
        points.append(point.detach().clone().numpy())
        losses.append(loss.item())
        if len(points) <= n_steps:
            loss.backward()
            optimizer.step()
    return np.stack(points), np.array(losses)


_FUSED_DTYPES = (torch.float16, torch.bfloat16, torch.float32, torch.float64)


def adam(params: Iterable[torch.nn.Parameter], *, lr: float,
         betas: tuple[float, float] = (0.9, 0.999)) -> torch.optim.Optimizer:
    """``torch.optim.Adam``, with its fused kernel when every parameter allows it.

    Same update as the default ``torch.optim.Adam`` (equal to rounding), in one kernel per
    step instead of about ten small ones per tensor: on the small networks of the course,
    on 2 CPU cores, the optimiser step of the chapter 5 GAN falls from about 6.5 ms to about
    1 ms, which is a third of a training step. The default optimiser of :func:`train_gan`
    and :func:`train_vae`; the update itself is taught, from the equations, in
    ``05_math_losses_optimizers`` (:class:`Adam` above).
    """
    params = list(params)
    fused = all(p.device.type in ("cpu", "cuda") and p.dtype in _FUSED_DTYPES for p in params)
    return torch.optim.Adam(params, lr=lr, betas=betas, fused=fused or None)
