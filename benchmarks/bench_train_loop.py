"""Benchmark: ``aigc_kit.training.train_gan`` against a bare PyTorch loop doing the same steps.

Both train the chapter 5 MLP GAN (latent 100; G 256-512-1024-1024 with Tanh; D 1024-512-256-1,
LeakyReLU 0.2) on the same random data ``(2000, 1, 32, 32)`` in ``[-1, 1]`` with the same
batch size, losses and optimiser (:func:`aigc_kit.training.adam`, the fused ``torch.optim.Adam``
that ``train_gan`` uses by default). The bare loop is the textbook loop with nothing
around it: shuffled batches, a D step on ``G(z)`` made without a graph, a G step with D
frozen, no progress bar, no loss read-back, no NaN watch, no snapshots. The kit's loop adds
all of those (progress bar off). Runs alternate bare/kit so a busy machine slows both alike;
the median of the repeats counts.

    python benchmarks/bench_train_loop.py                        # 5 x 200 steps, 2 threads
    python benchmarks/bench_train_loop.py --steps 100 --repeats 3 --device cuda
    python benchmarks/bench_train_loop.py --clock cpu   # on a machine shared with other jobs

``--clock cpu`` times each run by the process's CPU time instead of the wall clock: other
processes competing for the cores then no longer count against whichever side was running.

The loop is taught in ``06_project_audio_gan``.
"""

from __future__ import annotations

import argparse
import copy
import statistics
import time

import torch
from torch import nn

from aigc_kit.runtime import get_device, seed_everything
from aigc_kit.training import (
    GANConfig,
    RunConfig,
    adam,
    discriminator_loss,
    generator_loss,
    train_gan,
)

LATENT = 100
SHAPE = (1, 32, 32)
LR, BETAS = 2e-4, (0.5, 0.999)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=200, help="training steps per run")
    parser.add_argument("--repeats", type=int, default=5, help="runs per side; the median counts")
    parser.add_argument("--threads", type=int, default=2, help="torch CPU threads")
    parser.add_argument("--batch", type=int, default=64, help="batch size")
    parser.add_argument("--examples", type=int, default=2000, help="size of the random data set")
    parser.add_argument("--device", default=None, help="cpu or cuda (default: get_device())")
    parser.add_argument("--clock", choices=["wall", "cpu"], default="wall",
                        help="time runs by the wall clock or by this process's CPU time")
    return parser.parse_args(argv)


def mlp_gan() -> tuple[nn.Module, nn.Module]:
    """The source's MLP GAN sizes, in PyTorch."""
    n_out = SHAPE[0] * SHAPE[1] * SHAPE[2]
    act = nn.LeakyReLU(0.2)
    generator = nn.Sequential(
        nn.Linear(LATENT, 256), act, nn.Linear(256, 512), act, nn.Linear(512, 1024), act,
        nn.Linear(1024, n_out), nn.Tanh(), nn.Unflatten(1, SHAPE),
    )
    discriminator = nn.Sequential(
        nn.Flatten(), nn.Linear(n_out, 1024), act, nn.Linear(1024, 512), act,
        nn.Linear(512, 256), act, nn.Linear(256, 1), nn.Flatten(0),
    )
    return generator, discriminator


def bare_loop(generator: nn.Module, discriminator: nn.Module, data: torch.Tensor, steps: int,
              batch_size: int, device: torch.device) -> None:
    """The same training steps as ``train_gan``, with nothing around them."""
    generator.to(device).train()
    discriminator.to(device).train()
    data = data.to(device)
    opt_g = adam(generator.parameters(), lr=LR, betas=BETAS)
    opt_d = adam(discriminator.parameters(), lr=LR, betas=BETAS)
    per_epoch = len(data) // batch_size
    for step in range(steps):
        if step % per_epoch == 0:
            perm = torch.randperm(len(data), device=device)
        real = data[perm[(step % per_epoch) * batch_size:][:batch_size]]
        with torch.no_grad():
            fake = generator(torch.randn(batch_size, LATENT, device=device))
        loss_d = discriminator_loss(discriminator(real), discriminator(fake))
        opt_d.zero_grad(set_to_none=True)
        loss_d.backward()
        opt_d.step()
        opt_d.zero_grad(set_to_none=True)
        discriminator.requires_grad_(False)
        loss_g = generator_loss(discriminator(generator(
            torch.randn(batch_size, LATENT, device=device))))
        opt_g.zero_grad(set_to_none=True)
        loss_g.backward()
        opt_g.step()
        opt_g.zero_grad(set_to_none=True)
        discriminator.requires_grad_(True)
    if device.type == "cuda":
        torch.cuda.synchronize()


def kit_loop(generator: nn.Module, discriminator: nn.Module, data: torch.Tensor, steps: int,
             batch_size: int, device: torch.device) -> None:
    result = train_gan(generator, discriminator, data,
                       GANConfig(latent_dim=LATENT, batch_size=batch_size, lr=LR, betas=BETAS),
                       run=RunConfig(steps=steps, seed=None, device=device, progress=False))
    if not result.ok:
        raise SystemExit(f"train_gan did not finish: {result.stopped}")
    if device.type == "cuda":
        torch.cuda.synchronize()


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    clock = time.perf_counter if args.clock == "wall" else time.process_time
    torch.set_num_threads(args.threads)
    device = torch.device(args.device) if args.device else get_device()
    seed_everything(0)
    data = torch.rand(args.examples, *SHAPE) * 2 - 1
    models = mlp_gan()
    n_params = [sum(p.numel() for p in m.parameters()) for m in models]
    print(f"device {device}, {args.threads} threads, batch {args.batch}, "
          f"G {n_params[0]:,} / D {n_params[1]:,} parameters, "
          f"{args.repeats} x {args.steps} steps per side, {args.clock} clock")

    loops = {"bare": bare_loop, "kit": kit_loop}
    for loop in loops.values():  # warm-up: allocator, kernels, lazy imports
        loop(*copy.deepcopy(models), data, 5, args.batch, device)
    rates: dict[str, list[float]] = {name: [] for name in loops}
    for rep in range(args.repeats):
        order = ["bare", "kit"] if rep % 2 == 0 else ["kit", "bare"]
        for name in order:
            g, d = copy.deepcopy(models)
            start = clock()
            loops[name](g, d, data, args.steps, args.batch, device)
            rates[name].append(args.steps / (clock() - start))
        print(f"  repeat {rep + 1}: bare {rates['bare'][-1]:.2f}, kit {rates['kit'][-1]:.2f} "
              f"steps/s (ratio {rates['kit'][-1] / rates['bare'][-1]:.3f})")
    kit, bare = statistics.median(rates["kit"]), statistics.median(rates["bare"])
    print(f"train_gan steps/s: kit {kit:.2f}, bare {bare:.2f}, ratio {kit / bare:.3f} "
          "(target >= 0.95)")
    # On a shared machine the medians carry the neighbours' load; the best run of each side
    # is the least disturbed estimate (as timeit's minimum).
    best_kit, best_bare = max(rates["kit"]), max(rates["bare"])
    paired = statistics.median(k / b for k, b in zip(rates["kit"], rates["bare"], strict=True))
    print(f"best of {args.repeats}: kit {best_kit:.2f}, bare {best_bare:.2f}, ratio "
          f"{best_kit / best_bare:.3f}; median of per-repeat ratios {paired:.3f}")


if __name__ == "__main__":
    main()
