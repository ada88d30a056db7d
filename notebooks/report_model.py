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
# One of chapter 6's generators, the source's MLP **GAN** or the MLP **VAE**, trained (or
# loaded from the cache) and judged by every objective metric of `07_evaluation` that
# applies to it. As everywhere in the kit, a generated sound is judged as audio: the
# samples are vocoded and a listener trained on real recordings only (the notes listener,
# or the speech listener for `fsdd`) hears them next to the real held-out recordings.
# The image classifier's view of the samples is reported too, labelled "on the images". Run it headless with different parameters, e.g.
#
# ```
# aigc-kit report -p model vae -p vae_seconds 60 --out build/reports/vae-60s
# ```
#
# which also exports this page to HTML beside `metrics.json`, the numbers for comparing
# runs. The GAN is trained with chapter 6's recipe (`KIT_RECIPE`); at the default budgets
# below, which are chapter 6's, the report loads the very models chapter 6 trained and
# stored (or, if chapter 6 has not run, trains them the same way). A GAN and a VAE report
# with the same settings share one cached training run.

# %% tags=["parameters"]
dataset = "notes"  # "notes" (synthesised notes, 48 classes) or "fsdd" (spoken digits)
model = "gan"  # "gan" or "vae": the generator to report on
gan_seconds = 15.0  # GAN training budget if not cached yet (s; chapter 6's default)
vae_seconds = 5.0  # VAE training budget if not cached yet (s; chapter 6's default)
classifier_epochs = 40  # epochs of the evaluation classifier
n_samples = 192  # samples drawn from the model
seed = 0
output_dir = "../build/reports/default"  # where metrics.json goes (relative to notebooks/)

# %%
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import display

from aigc_kit import seed_everything
from aigc_kit.evaluation import check_settings, judge_for, model_metrics, write_metrics
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
      f"{meta['gan_steps']} steps, VAE {meta['vae_steps']} steps")
print(f"listener (audio): {listener.accuracy(data.audio_test, data.y_test, spec.sr):.1%} of "
      f"the held-out real {dataset} recordings heard as their class; image classifier (on "
      f"the images): {meta['classifier_accuracy']:.1%} of their images")

# %% [markdown]
# ## Metrics
# **As heard** (the headline): every sample is vocoded (`to_audio`: NNLS mel inversion +
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
# - **VAE only**: reconstruction of the held-out set, image MSE and log-mel SNR (dB).

# %%
samples = sample_model(models, model, n_samples, seed)
metrics = model_metrics(models, model, samples=samples, judge=judge)
scalars = {k: v for k, v in metrics.items() if k != "class_counts"}
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
# ## metrics.json

# %%
path = write_metrics(Path(output_dir) / "metrics.json", metrics,
                     {**settings, "output_dir": output_dir}, meta)
print(f"metrics written to {path.resolve()}")
