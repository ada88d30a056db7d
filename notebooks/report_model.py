# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Model report
#
# One of chapter 6's generators, the **GAN** chapter 6 ends with (the harmonic GAN for notes)
# or the MLP **VAE**, trained (or loaded from the cache) and judged by every objective
# metric of `07_evaluation` that applies to it, plus, for notes, the pitch judge's share of
# clear notes (voiced, steady, in tune) against the real held-out notes'. As everywhere in the kit, a generated sound is judged as audio: the
# samples are vocoded and a listener trained on real recordings only (the notes listener,
# or the speech listener for `fsdd`) hears them next to the real held-out recordings; for
# `fsdd`, a general speech recogniser that never heard FSDD is asked first.
# The image classifier's view of the samples is reported too, labelled "on the images". Run it headless with different parameters, e.g.
#
# ```
# aigc-kit report -p model vae -p vae_seconds 60 --out build/reports/vae-60s
# ```
#
# which also exports this page to HTML beside `metrics.json`, the numbers for comparing
# runs. To compare many runs, sweep it (see the end of this page):
#
# ```
# aigc-kit sweep notebooks/report_model.ipynb -g model=gan,vae -g seed=0,1,2 --out build/sweeps/models
# aigc-kit sweep summarize build/sweeps/models
# ```
# The GAN is the one chapter 6 ends with (`zoo_recipe(dataset)`: the harmonic GAN for
# notes, the kit's MLP GAN for spoken digits); at the default budgets
# below, which are chapter 6's, the report loads the very models chapter 6 trained and
# stored (or, if chapter 6 has not run, trains them the same way). A GAN and a VAE report
# with the same settings share one cached training run.

# %% tags=["parameters"]
dataset = "notes"  # "notes" (synthesised notes, 48 classes) or "fsdd" (spoken digits)
model = "gan"  # "gan" or "vae": the generator to report on
gan_seconds = 20.0  # GAN training budget if not cached yet (s; chapter 6's default)
vae_seconds = 5.0  # VAE training budget if not cached yet (s; chapter 6's default)
classifier_epochs = 40  # epochs of the evaluation classifier
n_samples = 192  # samples drawn from the model
resample_seeds = 5  # resamples per size in the stability sweep below
seed = 0
output_dir = "../build/reports/default"  # where metrics.json goes (relative to notebooks/)

# %%
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import display

from aigc_kit import seed_everything
from aigc_kit.evaluation import (
    METRICS_FILE,
    check_settings,
    frechet_distance,
    judge_for,
    model_metrics,
    plot_sweep,
    record_metrics,
    run_grid,
    score_samples,
    speech_coverage,
    summarize_sweep,
)
from aigc_kit.features import to_db
from aigc_kit.generation import sample_model, trained_models
from aigc_kit.interaction import audio_table, plot_spectrogram

settings = check_settings(dataset, model, gan_seconds, vae_seconds, classifier_epochs,
                          n_samples, seed)
seed_everything(seed)
models = trained_models(settings["dataset"], gan_seconds=settings["gan_seconds"],
                        vae_seconds=settings["vae_seconds"],
                        classifier_epochs=settings["classifier_epochs"], seed=seed)
data, spec, meta = models.data, models.data.spec, models.meta
judge = judge_for(data.name, spec)  # the vocoder and the dataset's audio listener
listener = judge.listener
print(f"models {'loaded from the cache' if meta['cached'] else 'trained'}: GAN "
      f"({models.gan.recipe.name} recipe) {meta['gan_steps']} steps, VAE {meta['vae_steps']} "
      "steps")
print(f"listener (audio): {listener.accuracy(data.audio_test, data.y_test, spec.sr):.1%} of "
      f"the held-out real {dataset} recordings heard as their class; image classifier (on "
      f"the images): {meta['classifier_accuracy']:.1%} of their images")

# %% [markdown]
# ## Speech, by a judge that never heard FSDD
# With `dataset="fsdd"` the samples are spoken digits, and the first question is whether a
# stranger hears a word in them. The outside judge (`speech_judge()`: PocketSphinx's
# US-English recogniser restricted to the ten digit words, never trained on FSDD) says in
# how many vocoded samples it hears a digit word at all and how many of the ten digits
# it hears, next to the real held-out words; then how often the in-domain listener
# (trained on FSDD, used by the metrics below) hears the same digit. For notes this
# section prints nothing.

# %%
samples = sample_model(models, model, n_samples, seed)
if data.name == "fsdd":
    outside = speech_coverage({"real held-out words": data.audio_test,
                               f"{model.upper()} samples (vocoded)": judge.audio(samples)},
                              spec.sr, listener=listener)
    display(outside.style.format({c: "{:.3f}" for c in ("outside: a word heard", "agree")}))

# %% [markdown]
# ## Metrics
# **As heard** (the headline for notes; for speech, beside the outside judge above): every sample is vocoded (`to_audio`: NNLS mel inversion +
# Griffin-Lim) and the dataset's listener hears the waveform; the reference is the
# held-out real *recordings*.
#
# - **IS** (Inception score, with the listener as the Inception network) of the samples
#   and of the real recordings, and their ratio: 1 means as confident and as varied as
#   real sound.
# - **Fréchet distance** between the listener's features (its MFCC summary) of the
#   samples and of the real recordings: 0 for identical statistics.
# - **Coverage**: classes that are some sample's top prediction, and which classes the
#   samples are heard as.
#
# **On the images** (`image_*`, for comparison only): the same scores from the image
# classifier looking at the log-mel images and the held-out images; they describe the
# images, not what anyone hears.
#
# **On the log-mel images, as intended** (they compare the model's outputs with its
# training data, which are images):
#
# - **Memorisation check**: RMS distance (dB of log-mel) from each sample to its nearest
#   training example, next to the same distance for held-out real examples. Samples much
#   nearer to the training set than real unseen examples are (a ratio well below 1, or
#   many samples closer than any held-out one) are copies, not generations.
# - **Pitch judge** (notes only): the share of samples pYIN finds voiced, steady and in tune
#   (`pitch_clear_rate`) and its ratio to the real held-out notes' (`pitch_clear_ratio`).
# - **VAE only**: reconstruction of the held-out set, image MSE and log-mel SNR (dB).

# %%
metrics = model_metrics(models, model, samples=samples, judge=judge)
scalars = {k: v for k, v in metrics.items() if k not in ("class_counts", "gan_recipe")}
groups = {"as heard: vocoded audio, listener, against real held-out recordings":
          lambda k: not k.startswith(("image_", "nn_", "recon_")),
          "on the images: image classifier (comparison only, not what is heard)":
          lambda k: k.startswith("image_"),
          "memorisation check (log-mel images)": lambda k: k.startswith("nn_"),
          "VAE reconstruction of the held-out images": lambda k: k.startswith("recon_")}
for caption, belongs in groups.items():
    part = {k: v for k, v in scalars.items() if belongs(k)}
    if part:
        display(pd.Series(part, name=model, dtype=object).to_frame().style
                .format(lambda v: f"{v:d}" if isinstance(v, int) else f"{v:.3f}")
                .set_caption(caption))

counts = metrics["class_counts"]
fig, ax = plt.subplots(figsize=(13, 2.6))
ax.bar(np.arange(len(counts)), list(counts.values()))
step = max(1, len(counts) // 8)
ax.set(xticks=range(0, len(counts), step), xticklabels=list(counts)[::step], ylabel="samples",
       title=f"{model.upper()}: which classes the {len(samples)} vocoded samples are heard "
             f"as ({metrics['coverage']} of {metrics['n_classes']} covered)")
plt.show()

# %% [markdown]
# ## Samples
# A few log-mel spectrograms, then three of them as sound: the audio the listener heard
# (the kit's vocoder, NNLS mel inversion + Griffin-Lim).

# %%
fig, axes = plt.subplots(1, 4, figsize=(15, 2.8))
for i, ax in enumerate(axes):
    plot_spectrogram(to_db(samples[i : i + 1], spec.top_db)[0].numpy(), spec.sr,
                     spec.hop_length, ax=ax, title=f"{model} sample {i}")
fig.tight_layout()
plt.show()
heard = judge.audio(samples)  # the waveforms scored above (vocoded once, remembered)
display(audio_table({f"{model} sample {i}": y for i, y in enumerate(heard[:3])}, spec.sr))

# %% [markdown]
# ## How stable are these figures? A small sweep
# Every figure above comes from one draw of `n_samples` samples. How much would another
# draw move it, and how many samples does a steady figure need? The listener heard each
# sample once; here the samples are drawn again with replacement (bootstrap resamples)
# at three sample sizes, `resample_seeds` times each, and the scores recomputed from what
# the listener heard. The grid runs in this process (`run_grid`); its table has the
# shape of an `aigc-kit sweep` results table, and the summary (mean, standard deviation,
# 95 % interval over the seeds) and the plot are made by the same code as
# `aigc-kit sweep summarize`. For the spread over *training* seeds, sweep the whole
# report: `aigc-kit sweep notebooks/report_model.ipynb -g seed=0,1,2 --out DIR`.

# %%
probabilities, features = judge.hear(heard)  # remembered: heard once above
real_probabilities, real_features = judge.hear(data.audio_test)


def resampled(size, seed):
    pick = np.random.default_rng(seed).integers(0, len(heard), size)
    scores = score_samples(probabilities[pick], real_probabilities,
                           probabilities=lambda p: p)  # rows are already what was heard
    return {"is_ratio": scores["is_ratio"], "coverage": scores["coverage"],
            "frechet": frechet_distance(features[pick], real_features)}


sizes = sorted({max(2, n_samples // 4), max(2, n_samples // 2), n_samples})
grid = run_grid(resampled, {"size": sizes, "seed": list(range(resample_seeds))},
                progress=False)
stability = summarize_sweep(grid, ["size", "seed"])
display(stability.style.format(precision=3).hide(axis="index")
        .set_caption(f"{model.upper()}, as heard: bootstrap resamples of the samples"))
fig, axes = plt.subplots(1, 2, figsize=(12, 3.2))
for ax, metric in zip(axes, ["is_ratio", "frechet"], strict=True):
    plot_sweep(stability, metric, "size", ax=ax)
fig.tight_layout()
plt.show()

# %% [markdown]
# Fréchet distance usually falls as the resamples grow: with few samples the Gaussian fitted to
# them is poor, so the distance is biased upwards, and figures from sets of different
# sizes are not comparable. Compare models at one sample size, and read the interval
# before calling a difference real.
#
# ## metrics.json
# `record_metrics` writes `metrics.json` to `output_dir` and leaves the figures in this
# page's output, where `aigc-kit sweep` collects them.

# %%
spread = stability[stability["size"] == n_samples].set_index("metric")["sd"]
metrics["is_ratio_resample_sd"] = float(spread["is_ratio"])
metrics["frechet_resample_sd"] = float(spread["frechet"])
document = record_metrics(metrics, {**settings, "resample_seeds": resample_seeds,
                                    "output_dir": output_dir},
                          Path(output_dir) / METRICS_FILE, meta)
print(f"metrics written to {(Path(output_dir) / METRICS_FILE).resolve()}")
