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
# # 13 · Trends and challenges: compute, data, provenance
#
# *Chapter 8 of the source article* lists the field's challenges: generative models are
# hungry for compute and data, their output raises questions of copyright and trust, and
# their datasets carry biases. Each claim here becomes a measurement on this machine:
#
# 1. **compute**: how fast the course's models train on CPU (and GPU when there is one);
# 2. **data**: quality against the amount of training data (chapter 3.3's curve, again);
# 3. **bias**: who is in the speech data the course used;
# 4. **provenance**: an inaudible, keyed watermark in generated audio, detected again,
#    with its false-positive rate on real recordings and its robustness to common edits.

# %% tags=["parameters"]
throughput_steps = 15  # timed training steps per model and device
data_shares = [0.06, 0.25, 1.0]  # training-set shares for the data curve
data_seeds = [0, 1, 2]  # seeds per share: how much does the seed move the curve?
data_steps = 80  # VAE training steps per share and seed (a step budget: the same on any machine)
n_clips = 40  # clips per set in the watermark measurements
key = "course-2026"  # the watermark's secret key
seed = 0

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import torch
from IPython.display import display

from aigc_kit import get_device, seed_everything
from aigc_kit.apps.provenance import (
    detect_watermark,
    embed_watermark,
    robustness_table,
    watermark_to_signal_db,
)
from aigc_kit.data import fsdd, fsdd_speakers, synth_notes
from aigc_kit.evaluation import (
    IN_DOMAIN,
    OUTSIDE,
    plot_sweep,
    record_metrics,
    run_grid,
    speech_verdicts,
    summarize_sweep,
    vae_data_curve,
)
from aigc_kit.features import NOTES_SPEC, load_mel_dataset
from aigc_kit.interaction import audio_table
from aigc_kit.models import ConvGenerator, MelClassifier, MLPGenerator, count_parameters
from aigc_kit.runtime import training_throughput

seed_everything(seed)
devices = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
print(f"devices here: {devices}; CPU threads available to torch: {torch.get_num_threads()}")

# %% [markdown]
# ## 1 · Compute
# Training throughput (examples per second, forward + backward + Adam, batch 64) of three
# of the course's networks, on one CPU thread, on all threads, and on the GPU if present.

# %%
z = torch.randn(64, 100)
images = torch.rand(64, *NOTES_SPEC.shape) * 2 - 1
models = {"MLP generator (source)": (MLPGenerator(100, NOTES_SPEC.shape), z),
          "conv generator": (ConvGenerator(100, NOTES_SPEC.shape), z),
          "mel classifier": (MelClassifier(48, NOTES_SPEC.shape), images)}
rows = []
for name, (model, batch) in models.items():
    row = {"model": name, "parameters": count_parameters(model),
           "CPU, 1 thread": training_throughput(model, batch, "cpu", throughput_steps, threads=1),
           f"CPU, {torch.get_num_threads()} threads": training_throughput(
               model, batch, "cpu", throughput_steps)}
    if "cuda" in devices:
        row["GPU"] = training_throughput(model, batch, "cuda", throughput_steps)
    rows.append(row)
compute = pd.DataFrame(rows).set_index("model")
display(compute.style.format({c: "{:,.0f}" for c in compute.columns}))
compute.drop(columns="parameters").plot.barh(figsize=(9, 2.8), logx=True,
                                             xlabel="training examples per second")
plt.show()

# %% [markdown]
# The source's MLP generator has over ten times the parameters of the convolutional one
# and costs accordingly. A GPU multiplies throughput many times for the large models and
# hardly at all for tiny ones, whose time goes to overheads. Scale is the trend: the
# models behind today's audio generators have thousands of times these parameters.
#
# ## 2 · Data
# The MLP VAE trained for the same number of steps on growing shares of the generated-notes
# training set, scored by its reconstruction error on held-out notes (chapter 6 ran the
# same measurement on fewer points). One run per share says little until we know how
# much a different seed moves it, so this is a small **sweep**: every share with each
# of `data_seeds` (the seed draws the subset, the initialisation and the batches). The
# table has one row per point; the summary gives each share's mean, standard deviation
# and 95 % interval over the seeds, and the band in the plot is that interval. The same
# code summarises a sweep of whole notebooks run by `aigc-kit sweep` (e.g. this chapter
# over budgets: `aigc-kit sweep notebooks/13_trends_challenges.ipynb -g data_steps=80,320
# -g seed=0,1,2 --out build/sweeps/ch13`, then `aigc-kit sweep summarize build/sweeps/ch13`).

# %%
notes = load_mel_dataset("notes", seed=seed)
curve = run_grid(
    lambda share, seed: {"heldout_mse": vae_data_curve(notes, [share], steps=data_steps,
                                                       seed=seed, device=get_device())[0]},
    {"share": data_shares, "seed": data_seeds}, progress=False)
data_summary = summarize_sweep(curve, ["share", "seed"])
display(data_summary.assign(examples=(data_summary.share * len(notes.x_train)).astype(int))
        .style.format(precision=4).hide(axis="index"))
ax = plot_sweep(data_summary, "heldout_mse", "share")
ax.set(xscale="log", xlabel=f"share of the {len(notes.x_train)} training examples",
       ylabel="held-out MSE", title=f"VAE, {data_steps} steps per run, seeds {data_seeds}")
plt.show()
errors = data_summary["mean"].tolist()  # the curve: mean over the seeds, one per share
print({int(share * len(notes.x_train)): round(e, 4)
       for share, e in zip(data_shares, errors, strict=True)})

# %% [markdown]
# Where the band is wide, the seed matters as much as the data; where the curve falls by
# more than the band, the data made the difference.
#
# %% [markdown]
# ## 3 · Bias: who is speaking?
# The spoken-digit data behind chapters 4, 6 and 10 comes with speaker metadata.

# %%
speakers = pd.DataFrame(fsdd_speakers()).T
display(speakers)
print(speakers.gender.value_counts().to_dict(), speakers.accent.value_counts().to_dict())

# %% [markdown]
# Six men, three accents: every speech model of this course learnt from male voices
# only, and its classifier has never heard a child or a woman say a digit. Nothing in the
# accuracy figures reveals this; only the metadata does. Real systems face the same
# question at a larger scale: whose voices, whose music, with whose consent.
#
# ## 4 · Provenance: a watermark in generated audio
# `aigc_kit.apps.provenance` hides a keyed, noise-like pattern in the 1-3.5 kHz band, about
# 18 dB below the audio in each frame, and detects it by correlating phases with the
# key's pattern; the score is a z-score, so the threshold for a false-positive rate of
# 1 in 10,000 is 3.72 whatever the audio is. First one generated note, marked and
# checked:

# %%
generated = synth_notes(pitches=range(60, 72, 3), loudness_db=(-20.0,), duration_s=1.0,
                        sr=16000, n_variants=max(1, n_clips // 16), seed=seed)
note, sr = generated.clips[0], generated.sr
marked = embed_watermark(note, sr, key)
print(f"watermark-to-signal ratio {watermark_to_signal_db(note, marked):.1f} dB")
for label, clip, k in (("marked, right key", marked, key), ("marked, wrong key", marked,
                                                            "not-the-key"),
                       ("original", note, key)):
    print(f"{label:>18}: {detect_watermark(clip, sr, k)}")
display(audio_table({"generated note": note, "watermarked": marked}, sr))

# %% [markdown]
# Then many clips: generated notes, and real FSDD recordings (which must *not* be flagged),
# each attacked in the ways audio gets edited: resampling, added noise at 20 dB SNR, gain
# changes, a low-pass filter, 8-bit quantisation, and a 1 ms delay.

# %%
speech = fsdd(split="test")
long_enough = [c for c in speech.clips if len(c) >= 0.3 * speech.sr][:n_clips]
tables = {"generated notes (16 kHz)": robustness_table(generated.clips[:n_clips], sr, key,
                                                        seed=seed),
          "real speech, FSDD (8 kHz)": robustness_table(long_enough, speech.sr, key,
                                                         seed=seed)}
robustness = pd.concat(tables, names=["clips"])
display(robustness.style.format("{:.2f}", subset=robustness.select_dtypes("number").columns))
notes_clean, speech_clean = (table.loc["none"] for table in tables.values())
headline = record_metrics(
    {"mse_smallest_share": errors[0], "mse_full_data": errors[-1],
     "mse_seed_sd_full_data": float(data_summary["sd"].iloc[-1]),
     "mlp_examples_per_s_1_thread": float(compute.iloc[0]["CPU, 1 thread"]),
     "watermark_detection_notes": float(notes_clean["detection_rate"]),
     "watermark_detection_speech": float(speech_clean["detection_rate"]),
     "watermark_fpr_speech": float(speech_clean["fpr_unmarked"])},
    {"data_shares": data_shares, "data_seeds": data_seeds, "data_steps": data_steps,
     "n_clips": n_clips, "seed": seed})

# %% [markdown]
# The last lines record the chapter's headline figures (`record_metrics`): shown here, and
# collected by `aigc-kit sweep` into one row per run when the chapter is swept.
#
# Read the table by columns: detection rate of marked clips (high is good), false-positive
# rate on unmarked clips and with a wrong key (should be 0). The mark survives resampling,
# gain and mild noise; it does not survive a delay, because detection assumes the clip
# starts where it did when marked: a documented limit, as is the weaker detection of
# short, quiet speech. A watermark is a provenance *signal*, not proof: anyone with the
# key can remove or forge it.
#
# Does the mark cost the words? Speech is heard first by a judge that never heard FSDD
# (`speech_judge()`, PocketSphinx's US-English recogniser restricted to the ten digit
# words), with the in-domain listener (trained on FSDD) beside it.

# %%
keep = [i for i, c in enumerate(speech.clips) if len(c) >= 0.3 * speech.sr][:n_clips]
clean_words = [speech.clips[i] for i in keep]
display(speech_verdicts({"real speech": clean_words,
                         "watermarked": [embed_watermark(c, speech.sr, key)
                                         for c in clean_words]},
                        speech.labels.digit.to_numpy()[keep], speech.sr)
        .style.format("{:.3f}", subset=[OUTSIDE, "x real", IN_DOMAIN, "in-domain x real"]))

# %% [markdown]
# ## Summary
#
# - Compute and data are measurable costs: throughput grows with hardware, quality with
#   data, and the curves say how much each buys.
# - Datasets carry their makers' choices; the speech data here is six male voices.
# - Watermarking makes provenance checkable: a keyed mark far below the audio, detected
#   with a known false-positive rate, robust to common edits, fragile to others.

# %% [markdown]
# ## Exercises
# Each exercise ends with a self-check cell: it says whether `answer` is right and, if not,
# gives a hint (never the solution).

# %%
from aigc_kit import check

# %% [markdown]
# ### Exercise 1 · How loud is the mark in its own band?
# `watermark_to_signal_db(note, marked)` compares the mark's energy with the note's over
# all frequencies. The mark, however, is scaled to the audio *inside its band*
# (1,000–3,500 Hz). Measure that in-band ratio: with `mark = marked − note`, compute for
# the mark and for the note the energy `Σ |X(f)|²` of the FFT of the whole clip
# (`np.fft.rfft`, frequencies from `np.fft.rfftfreq(len(x), 1 / sr)`) over the bins with
# 1000 ≤ f ≤ 3500 Hz, and put `10 log10(mark energy / note energy)` in `answer` (a float,
# dB). Compare it with the embedding's `strength_db` (−18 dB by default) and with the
# whole-clip ratio printed above.

# %% tags=["solution"]
def band_energy(x, sr, lo=1000.0, hi=3500.0):
    spectrum = np.fft.rfft(np.asarray(x, dtype=np.float64))
    freqs = np.fft.rfftfreq(len(x), 1 / sr)
    return float(np.sum(np.abs(spectrum[(freqs >= lo) & (freqs <= hi)]) ** 2))


answer = 10 * np.log10(band_energy(marked - note, sr) / band_energy(note, sr))
print(f"in band: {answer:.1f} dB; whole clip: {watermark_to_signal_db(note, marked):.1f} dB")

# %%
check.ch13_ex1(answer, note, marked, sr)

# %% [markdown]
# ### Exercise 2 · A new attack: cut the start
# An attack in `default_attacks(sr)` is a function `attack(audio, sr, rng)` that returns
# the pair `(edited audio, its sample rate)` (`rng` is a NumPy random generator, for attacks
# that need one). Write `cut_start(audio, sr, rng)`, which removes the first 10 ms of the
# clip (`sr // 100` samples) and keeps the rest unchanged. Try it on `marked` with
# `detect_watermark`: is the mark still found? Put the function itself in `answer`
# (`answer = cut_start`); the check calls it on clips of its own.

# %% tags=["solution"]
def cut_start(audio, sr, rng):
    return np.asarray(audio)[sr // 100:], sr


print("after cutting 10 ms:", detect_watermark(cut_start(marked, sr, None)[0], sr, key))
answer = cut_start

# %%
check.ch13_ex2(answer)

# %% [markdown]
# ### Exercise 3 · What an epoch costs
# The `compute` table gives training throughput in examples per second. How many seconds
# would 10 epochs over the generated-notes training set (`len(notes.x_train)` examples per
# epoch) take for the source's MLP generator (row `"MLP generator (source)"`) on one CPU
# thread (column `"CPU, 1 thread"`)? Put the float (seconds) in `answer`, and compare with
# the other columns.

# %% tags=["solution"]
epoch_examples = len(notes.x_train)
answer = 10 * epoch_examples / compute.loc["MLP generator (source)", "CPU, 1 thread"]
print(f"{answer:.1f} s for 10 epochs of {epoch_examples} examples")

# %%
check.ch13_ex3(answer, compute, len(notes.x_train))

# %% [markdown]
# ### Exercise 4 · A power law for data
# Scaling studies describe the data curve as a power law, `error ≈ a · nᵇ` with `n` the
# number of training examples: a straight line of slope `b` on log-log axes. Fit it to the
# curve of section 2: with `n = share × len(notes.x_train)` for each share in
# `data_shares` and the held-out errors `errors`, take the slope of the least-squares line
# through `(log n, log error)` (e.g. `np.polyfit`). Put `b` in `answer` (a float). What
# would doubling the data buy, if the law held?

# %% tags=["solution"]
examples = np.array(data_shares) * len(notes.x_train)
answer = float(np.polyfit(np.log(examples), np.log(errors), 1)[0])
print(f"b = {answer:.3f}: doubling the data multiplies the error by {2 ** answer:.3f}")

# %%
check.ch13_ex4(answer, data_shares, errors, len(notes.x_train))

# %% [markdown]
# ## Further reading
#
# What this chapter draws on. Every reference of the course, and the source article's own reading list checked and corrected, is on the course site's [Further reading](further_reading.html) page and in the README.
#
# - Cox et al. (1997). *Secure Spread Spectrum Watermarking for Multimedia*. IEEE Transactions on Image Processing 6(12), 1673-1687. <https://doi.org/10.1109/83.650120> Kit: `apps.provenance.embed_watermark`, `apps.provenance.detect_watermark`.
# - Gebru et al. (2021). *Datasheets for Datasets*. Communications of the ACM 64(12); arXiv:1803.09010. <https://arxiv.org/abs/1803.09010> Kit: `data.fsdd_speakers`.
# - Jackson et al. (2016). *Free Spoken Digit Dataset (FSDD)*. GitHub release v1.0.10, CC BY-SA 4.0. <https://github.com/Jakobovski/free-spoken-digit-dataset> Kit: `data.fsdd`, `data.fsdd_speakers`.
