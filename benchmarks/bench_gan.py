"""Quality of the source's MLP GAN after a fixed wall-clock budget, as an Inception-score ratio.

The generator and discriminator of chapter 5 (latent 100, G 256-512-1024, D 512-256) train on
log-mel images (``NOTES_SPEC``, 64 bands x 32 frames) of the generated-notes dataset for
``--seconds`` of wall-clock time. The samples are judged **as audio**: vocoded with the kit's
``to_audio`` and heard by ``notes_listener()`` (an MFCC + pitch-profile listener trained on
other real notes only), next to the held-out real recordings (a fresh seed); the ratio
IS(generated) / IS(real) and the classes covered (of 48: 4 timbres x 12 pitches; a
mode-collapse check) are printed. Also printed, labelled: the same held-out notes after the
round trip through image and vocoder (the ceiling any generator in this representation can
reach through this listener), and the image classifier's figures on the images themselves
(the kit's ``MelClassifier`` trained on the training images), for comparison only. A sharper
listener (``notes_listener(c=1)``, less regularised) scores the round trip and the GAN again:
it moves the ceiling, not the GAN, so the gap is the generator's.
Target: audio IS ratio at least 0.85 (for scale: WaveGAN about 0.5 and SpecGAN about 0.65
of real on SC09 spoken digits).

Three training recipes, same network sizes:

- ``source``: exactly the printed networks (no batch norm, plain non-saturating losses);
- ``bn-r1``: batch norm in G and an R1 penalty on D (``r1_gamma=1``);
- ``kit`` (the default of ``06_project_audio_gan``): ``bn-r1`` plus a mixture latent prior
  (:class:`aigc_kit.models.MixturePrior`, 200 components, sd 0.1: DeLiGAN's remedy for
  samples that blend two modes), batch 32, and samples drawn from an exponential moving
  average of G's weights (decay 0.99, batch-norm statistics re-estimated at the end). Two
  settings make its steps cheaper, and within a fixed budget quality grows with steps: the
  R1 penalty on every 4th step, four times as heavy (``r1_every=4``), and one batch of
  fakes per step for both updates (``reuse_fakes=True``).

All recipes use ``train_gan``'s default optimiser, torch's fused Adam
(:func:`aigc_kit.training.adam`), and run their forward passes in bfloat16 autocast where the
machine multiplies bfloat16 natively (:func:`aigc_kit.runtime.fast_bfloat16`; AVX512-BF16
here: about 1.5x more steps in 60 s); ``--precision float32`` turns that off. The step
count depends on the machine's speed, which on a shared virtual machine varies by about
+-15 % from run to run; the ratio follows it.

Each recipe gets the full budget, so the default run (``kit`` and ``source``) takes about
twice ``--seconds`` plus 15 s.

    python benchmarks/bench_gan.py                  # 60 s each, 2 threads, MLP, kit + source
    python benchmarks/bench_gan.py --arch conv --seconds 30 --recipes kit
    python benchmarks/bench_gan.py --recipes kit --precision float32
"""

from __future__ import annotations

import argparse
import time

import torch

from aigc_kit import get_device, seed_everything
from aigc_kit.evaluation import generation_report, judge_for, notes_listener, score_samples
from aigc_kit.features import load_mel_dataset
from aigc_kit.generation import RECIPES, mixed_precision, sample, train_recipe
from aigc_kit.models import MelClassifier
from aigc_kit.training import RunConfig, evaluate_classifier, train_classifier


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="GAN training budget (s)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--arch", choices=("mlp", "conv"), default="mlp")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--classifier-epochs", type=int, default=40)
    parser.add_argument("--precision", choices=("auto", "float32", "bfloat16"), default="auto",
                        help="forward passes in float32 or bfloat16 autocast (train_gan's "
                             "mixed_precision); auto: bfloat16 where it runs natively")
    parser.add_argument("--recipes", nargs="+", choices=tuple(RECIPES), default=["kit", "source"])
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    seed_everything(args.seed)
    device = get_device()
    mixed = mixed_precision(args.precision, device)
    print(f"device {device}, {args.threads} threads, forward passes in "
          f"{'bfloat16 autocast' if mixed else 'float32'}")

    data = load_mel_dataset("notes", seed=args.seed, n_variants=8)
    classifier = MelClassifier(n_classes=data.n_classes, in_shape=data.spec.shape)
    train_classifier(classifier, data.x_train, data.y_train, epochs=args.classifier_epochs,
                     lr=3e-3, run=RunConfig(seed=args.seed, device=device, progress=False))
    accuracy = evaluate_classifier(classifier, data.x_test, data.y_test, device=device)
    print(f"classifier: accuracy {accuracy:.1%} on {len(data.y_test)} held-out real notes")

    real_probabilities = classifier.predict_proba(data.x_test).cpu().numpy()
    judge = judge_for("notes", data.spec, seed=args.seed)
    sharp = notes_listener(c=1.0)

    def sharp_ratio(images: torch.Tensor) -> float:
        """IS ratio by the sharper listener, of the audio ``judge`` just vocoded (reused)."""
        return score_samples(judge.audio(images), data.audio_test, probabilities=lambda a:
                             sharp.predict_proba(a, data.spec.sr))["is_ratio"]

    trip = judge.scores(data.x_test, data.audio_test)
    print(f"held-out real notes through image + vocoder, as heard: IS ratio "
          f"{trip['is_ratio']:.3f}, {trip['coverage']} classes (the representation's ceiling); "
          f"by a sharper listener (c=1): "
          f"{sharp_ratio(data.x_test):.3f}")
    run = RunConfig(steps=None, max_seconds=args.seconds, seed=args.seed, device=device,
                    progress=False)
    for name in args.recipes:
        start = time.perf_counter()
        gan = train_recipe(RECIPES[name], data.x_train, run, arch=args.arch,
                           precision=args.precision)
        print(f"GAN ({args.arch}, {name} recipe): {gan.result.steps} steps in "
              f"{time.perf_counter() - start:.1f} s, stopped by {gan.result.stopped}")
        fake = sample(gan, len(data.x_test), seed=args.seed + 1, device=device)
        heard = judge.scores(fake.cpu(), data.audio_test)
        heard_sharp = sharp_ratio(fake.cpu())
        seen = generation_report(classifier.predict_proba(fake).cpu().numpy(),
                                 real_probabilities)
        print(f"  as heard (vocoded, notes_listener): IS generated {heard['is_generated']:.2f}, "
              f"held-out real {heard['is_real']:.2f}, ratio {heard['is_ratio']:.3f} (target >= "
              f"0.85); {heard['coverage']} of {heard['n_classes']} classes covered; by the "
              f"sharper listener: ratio {heard_sharp:.3f}")
        print(f"  on the images (MelClassifier): IS ratio {seen['is_ratio']:.3f}, "
              f"{seen['coverage']} classes covered ({args.arch} GAN, {name} recipe, "
              f"{args.seconds:.0f} s, {args.threads} threads)")


if __name__ == "__main__":
    main()
