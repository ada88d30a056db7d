"""Chapter 6's GANs after the same wall-clock budget, judged as audio: pitch, IS, coverage.

Every recipe of :data:`aigc_kit.generation.RECIPES` named with ``--recipes`` trains on the
log-mel images (``NOTES_SPEC``, 64 bands x 32 frames) of the generated-notes dataset for
``--seconds`` of wall-clock time, then 192 samples (a conditional GAN: every class four
times, like the held-out set) are vocoded with the kit's ``to_audio`` and judged:

- **pitch judge** (:class:`aigc_kit.evaluation.PitchJudge`: pYIN, voiced in >= 30 % of
  frames, interquartile range <= 50 cents, median within 25 cents of a semitone C4..B4):
  the share of clear notes and its ratio to the real held-out notes' (target >= 0.85x);
- **heard IS ratio and coverage** by ``notes_listener()`` (trained on other real notes
  only) against the real held-out recordings (target IS ratio >= 0.85, coverage >= 46/48),
  and the IS ratio by a sharper listener (``notes_listener(c=1)``);
- labelled **images**: the image classifier's IS ratio on the images themselves.

The real held-out notes after the round trip through image and vocoder are printed first:
the ceiling of any generator in this representation through the same listeners. The
chosen recipe (``--chosen``, the harmonic GAN chapter 6 ends with) is trained with every
seed of ``--seeds``; the others with the first. The MLP VAE of chapter 6 (``--vae-seconds``)
gets the same figures.

    python benchmarks/bench_gan.py                      # 30 s each, 2 threads
    python benchmarks/bench_gan.py --seconds 60 --recipes kit harmonic --seeds 0 1 2
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch

from aigc_kit import get_device, seed_everything
from aigc_kit.evaluation import (
    PitchJudge,
    generation_report,
    judge_for,
    notes_listener,
    score_samples,
)
from aigc_kit.features import load_mel_dataset
from aigc_kit.generation import RECIPES, mixed_precision, sample, train_recipe
from aigc_kit.models import VAE, MelClassifier, MLPDecoder, MLPEncoder
from aigc_kit.training import RunConfig, evaluate_classifier, train_classifier, train_vae


def main() -> None:
    args = parse_args()
    torch.set_num_threads(args.threads)
    seed_everything(args.seeds[0])
    device = get_device()
    print(f"device {device}, {args.threads} threads, forward passes in "
          f"{'bfloat16 autocast' if mixed_precision(args.precision, device) else 'float32'}")
    data = load_mel_dataset("notes", seed=args.seeds[0], n_variants=8)
    bench = Bench(data, args, device)
    print(f"{'model':<34} {'seed':>4} {'steps':>6} {'s':>6} {'pitch':>6} {'/real':>6} "
          f"{'IS':>6} {'sharp':>6} {'cov':>4} {'IS img':>7}")
    bench.row("real held-out notes", data.x_test, seed="-", audio=data.audio_test)
    bench.row("real, image + vocoder round trip", data.x_test, seed="-")
    for name in args.recipes:
        for seed in args.seeds if name == args.chosen else args.seeds[:1]:
            run = RunConfig(steps=None, max_seconds=args.seconds, seed=seed, device=device,
                            progress=False)
            start = time.perf_counter()
            gan = train_recipe(RECIPES[name], data, run, precision=args.precision)
            bench.row(f"GAN {name}", sample(gan, len(data.x_test), seed=seed + 1),
                      seed=seed, steps=gan.result.steps, seconds=time.perf_counter() - start)
    vae = VAE(MLPEncoder(data.spec.shape, 16), MLPDecoder(16, data.spec.shape))
    start = time.perf_counter()
    result = train_vae(vae, data.x_train, run=RunConfig(
        steps=None, max_seconds=args.vae_seconds, seed=args.seeds[0], device=device,
        progress=False))
    bench.row("MLP VAE", sample(vae, len(data.x_test), seed=args.seeds[0] + 1),
              seed=args.seeds[0], steps=result.steps, seconds=time.perf_counter() - start)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=30.0, help="GAN training budget (s)")
    parser.add_argument("--vae-seconds", type=float, default=5.0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--classifier-epochs", type=int, default=40)
    parser.add_argument("--precision", choices=("auto", "float32", "bfloat16"), default="auto",
                        help="forward passes in float32 or bfloat16 autocast (train_gan's "
                             "mixed_precision); auto: bfloat16 where it runs natively")
    parser.add_argument("--recipes", nargs="+", choices=tuple(RECIPES),
                        default=["source", "kit", "conditional", "harmonic"])
    parser.add_argument("--chosen", choices=tuple(RECIPES), default="harmonic",
                        help="the recipe trained with every seed")
    return parser.parse_args()


class Bench:
    """The judges, the real references and one printed row per generator."""

    def __init__(self, data, args: argparse.Namespace, device: torch.device) -> None:
        self.data, self.spec = data, data.spec
        self.classifier = MelClassifier(n_classes=data.n_classes, in_shape=data.spec.shape)
        train_classifier(self.classifier, data.x_train, data.y_train,
                         epochs=args.classifier_epochs, lr=3e-3,
                         run=RunConfig(seed=args.seeds[0], device=device, progress=False))
        accuracy = evaluate_classifier(self.classifier, data.x_test, data.y_test, device=device)
        print(f"image classifier: accuracy {accuracy:.1%} on {len(data.y_test)} held-out notes")
        self.judge = judge_for("notes", data.spec, seed=args.seeds[0])
        self.sharp = notes_listener(c=1.0)
        self.pitch = PitchJudge()
        self.real_clear = self.pitch.rate(data.audio_test, data.spec.sr)["clear_rate"]
        self.real_seen = self.classifier.predict_proba(data.x_test).cpu().numpy()

    def row(self, name: str, images: torch.Tensor, *, seed: object, steps: int | None = None,
            seconds: float = np.nan, audio: np.ndarray | None = None) -> None:
        """Print one generator's (or reference's) figures."""
        images = images.cpu()
        audio = self.judge.audio(images) if audio is None else audio
        data = self.data
        heard = score_samples(audio, data.audio_test,
                              probabilities=lambda a: self.judge.hear(a)[0],
                              features=lambda a: self.judge.hear(a)[1])
        sharp = score_samples(audio, data.audio_test, probabilities=lambda a:
                              self.sharp.predict_proba(a, self.spec.sr))["is_ratio"]
        clear = self.pitch.rate(audio, self.spec.sr)["clear_rate"]
        seen = generation_report(self.classifier.predict_proba(images).cpu().numpy(),
                                 self.real_seen)
        print(f"{name:<34} {seed!s:>4} {steps if steps is not None else '-':>6} "
              f"{seconds:6.1f} {clear:6.3f} {clear / self.real_clear:6.2f} "
              f"{heard['is_ratio']:6.3f} {sharp:6.3f} {heard['coverage']:>4} "
              f"{seen['is_ratio']:7.3f}", flush=True)


if __name__ == "__main__":
    main()
