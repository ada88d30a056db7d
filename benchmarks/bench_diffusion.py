"""GAN, VAE and diffusion on the same notes and budget, judged the same way, as audio.

Each generator trains on the notes' log-mel images (``NOTES_SPEC``) for ``--seconds`` of
wall-clock time on ``--threads`` CPU threads: the source's MLP GAN (kit recipe), the harmonic
GAN chapter 6 ends with, the MLP VAE, and the class-conditional diffusion model of chapter
6b (``DIFFUSION_RECIPE``: cosine schedule over ``--diffusion-steps`` steps, the MLP
denoiser predicting the clean image, DDIM 25 steps, classifier-free guidance), the last with
every seed of ``--seeds``, and once predicting the noise instead (Ho et al.'s choice). 192
samples of each (a conditional model: every class four times) are vocoded with
``to_audio`` and judged:

- the **pitch judge** (``PitchJudge``): share of clear notes, and its ratio to the real
  held-out notes';
- the heard **IS ratio**, **coverage** and **Fréchet distance** by ``notes_listener()``
  against the real held-out recordings;
- **sampling time per second of audio** (images, not vocoding) and **training seconds**.

Then, for the first seed's diffusion model: guidance scales (``--guidance``) and sampling
steps (DDIM ``--sampling-steps``, and DDPM over every step), with their sampling time.

With ``--speech-seconds S`` (> 0), the same recipe also trains for S seconds on spoken digits
(FSDD's training split, ``FSDD_SPEC``, the digit as class) and says the 300 held-out words'
digits; the outside judge (PocketSphinx, which never heard FSDD) hears real words, their
round trip and the diffusion voice's, the in-domain listener beside it
(:func:`aigc_kit.evaluation.speech_verdicts`). Chapter 10's conditional VAE voice is
measured the same way by ``bench_tts.py``.

    python benchmarks/bench_diffusion.py                       # 60 s each, seeds 0 1 2
    python benchmarks/bench_diffusion.py --seconds 30 --seeds 0
    python benchmarks/bench_diffusion.py --seconds 30 --seeds 0 --speech-seconds 60
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch

from aigc_kit import get_device, seed_everything
from aigc_kit.evaluation import PitchJudge, judge_for, speech_verdicts
from aigc_kit.features import load_mel_dataset, to_audio
from aigc_kit.generation import (
    DIFFUSION_RECIPE,
    HARMONIC_RECIPE,
    KIT_RECIPE,
    DiffusionRecipe,
    sample,
    train_recipe,
)
from aigc_kit.models import VAE, DiffusionModel, MLPDecoder, MLPEncoder
from aigc_kit.training import RunConfig, train_vae


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="training budget (s)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--diffusion-steps", type=int, default=200)
    parser.add_argument("--schedule", choices=("cosine", "linear"), default="cosine")
    parser.add_argument("--guidance", type=float, nargs="+", default=[0.0, 1.0, 2.0, 4.0])
    parser.add_argument("--sampling-steps", type=int, nargs="+", default=[10, 25, 50, 100])
    parser.add_argument("--speech-seconds", type=float, default=0.0,
                        help="also train a diffusion voice on FSDD for this long (s)")
    return parser.parse_args()


class Judge:
    """The judges, the real references, and one printed row per sample set."""

    def __init__(self, data) -> None:
        self.data, self.spec = data, data.spec
        self.judge = judge_for("notes", data.spec)
        self.pitch = PitchJudge()
        self.real_clear = self.pitch.rate(data.audio_test, data.spec.sr)["clear_rate"]
        print(f"{'model':<38} {'seed':>4} {'steps':>6} {'train s':>7} {'pitch':>6} {'/real':>6} "
              f"{'IS':>6} {'cov':>4} {'FD':>7} {'s/s audio':>9}")

    def row(self, name: str, images: torch.Tensor, sample_s: float, *, seed: object = "-",
            steps: object = "-", train_s: float = np.nan) -> None:
        heard = self.judge.scores(images.cpu(), self.data.audio_test)
        clear = self.pitch.rate(self.judge.audio(images.cpu()), self.spec.sr)["clear_rate"]
        per_audio = sample_s / (len(images) * self.spec.duration_s)
        print(f"{name:<38} {seed!s:>4} {steps!s:>6} {train_s:7.1f} {clear:6.3f} "
              f"{clear / self.real_clear:6.2f} {heard['is_ratio']:6.3f} {heard['coverage']:>4} "
              f"{heard['frechet']:7.1f} {per_audio:9.4f}", flush=True)


def timed_sample(model, n: int, seed: int, **kwargs) -> tuple[torch.Tensor, float]:
    start = time.perf_counter()
    if isinstance(model, DiffusionModel):
        with torch.no_grad():
            images = model.eval().sample(n, generator=torch.Generator().manual_seed(seed),
                                         **kwargs)
    else:
        images = sample(model, n, seed=seed)
    return images, time.perf_counter() - start


def train_diffusion_model(data, recipe: DiffusionRecipe, seconds: float, seed: int,
                          device) -> tuple:
    return recipe.train(data, RunConfig(steps=None, max_seconds=seconds, seed=seed,
                                        device=device, progress=False))


def speech(recipe: DiffusionRecipe, seconds: float, seed: int, device) -> None:
    """A diffusion voice on FSDD: the held-out words' digits said, heard by both judges."""
    data = load_mel_dataset("fsdd", seed=seed)
    model, result = train_diffusion_model(data, recipe, seconds, seed, device)
    words, sample_s = timed_sample(model, len(data.y_test), seed + 1, labels=data.y_test)
    print(f"\ndiffusion voice (FSDD, {data.spec.shape}): {result.steps} steps in "
          f"{result.seconds:.1f} s; sampling {sample_s:.2f} s for {len(words)} words")
    sets = {"real held-out words": data.audio_test,
            "round trip (image + vocoder)": to_audio(data.x_test, data.spec),
            "diffusion voice": to_audio(words, data.spec)}
    print(speech_verdicts(sets, data.y_test.numpy(), data.spec.sr).round(3).to_string())


def main() -> None:
    args = parse_args()
    torch.set_num_threads(args.threads)
    seed_everything(args.seeds[0])
    device = get_device()
    data = load_mel_dataset("notes", seed=args.seeds[0])
    judge = Judge(data)
    n, seed = len(data.x_test), args.seeds[0]
    judge.row("real, image + vocoder round trip", data.x_test, 0.0)
    run = RunConfig(steps=None, max_seconds=args.seconds, seed=seed, device=device,
                    progress=False)
    for name, recipe in [("MLP GAN (kit recipe)", KIT_RECIPE), ("harmonic GAN", HARMONIC_RECIPE)]:
        gan = train_recipe(recipe, data, run)
        images, sample_s = timed_sample(gan, n, seed + 1)
        judge.row(name, images, sample_s, seed=seed, steps=gan.result.steps,
                  train_s=gan.result.seconds)
    vae = VAE(MLPEncoder(data.spec.shape, 16), MLPDecoder(16, data.spec.shape))
    vae_run = train_vae(vae, data.x_train, run=run)
    images, sample_s = timed_sample(vae, n, seed + 1)
    judge.row("MLP VAE", images, sample_s, seed=seed, steps=vae_run.steps,
              train_s=vae_run.seconds)
    recipe = DIFFUSION_RECIPE.replace(n_steps=args.diffusion_steps, schedule=args.schedule)
    first = None
    for s in args.seeds:
        model, result = train_diffusion_model(data, recipe, args.seconds, s, device)
        first = first or model
        images, sample_s = timed_sample(model, n, s + 1)
        judge.row(f"diffusion (DDIM {model.sampling_steps}, w {model.guidance:g})", images,
                  sample_s, seed=s, steps=result.steps, train_s=result.seconds)
    eps, result = train_diffusion_model(data, recipe.replace(target="eps"), args.seconds, seed,
                                        device)
    images, sample_s = timed_sample(eps, n, seed + 1)
    judge.row("diffusion predicting the noise", images, sample_s, seed=seed,
              steps=result.steps, train_s=result.seconds)
    for w in args.guidance:
        images, sample_s = timed_sample(first, n, seed + 1, guidance=w)
        judge.row(f"  guidance w = {w:g} (DDIM {first.sampling_steps})", images, sample_s,
                  seed=seed)
    for k in args.sampling_steps:
        images, sample_s = timed_sample(first, n, seed + 1, steps=k)
        judge.row(f"  DDIM {k} steps", images, sample_s, seed=seed)
    images, sample_s = timed_sample(first, n, seed + 1, sampler="ddpm")
    judge.row(f"  DDPM {first.schedule.n_steps} steps (ancestral)", images, sample_s, seed=seed)
    if args.speech_seconds > 0:
        speech(recipe, args.speech_seconds, seed, device)


if __name__ == "__main__":
    main()
