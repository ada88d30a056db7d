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
# # 7 · Evaluation: objective, subjective and comparison
#
# *Chapters 2.5 and 9 of the source article.* The article proposes MSE and SNR to judge
# generated music. They are the right tools for one job and the wrong ones for another:
#
# | question | needs | metrics here |
# |---|---|---|
# | did the model **reconstruct** this clip? | the clip itself, time-aligned | waveform MSE, SNR, SI-SNR; spectral LSD and spectral convergence |
# | does the model **generate** convincing, varied sound? | only a set of real recordings | Inception score (IS), Fréchet distance, class coverage, all *as heard*: vocoded, then judged by a listener trained on real recordings |
# | do **people** like it? | listeners | mean opinion score (MOS) with a confidence interval, A/B preference, "AI or real?" |
#
# The samples come from chapter 6's models: the GAN chapter 6 ends with (`HARMONIC_RECIPE`:
# a class-conditional generator of a note's harmonics and noise, rendered into the log-mel
# image, with a projection discriminator; sampled with every class equally often) and the
# MLP VAE.
# When chapter 6 has run with its default settings, these are the very models it trained
# and stored (the printout below says `trained by 06_project_audio_gan`); otherwise they
# are trained here the same way, with the same recipe, data, seed and budgets.
#
# **The kit's rule: a generated sound is judged as audio.** The generators make log-mel
# images; every score below that stands for what someone would hear is computed on the
# waveform: the image is vocoded (`to_audio`: NNLS mel inversion + Griffin-Lim) and the
# *notes listener* (`aigc_kit.evaluation.notes_listener`: MFCCs and a pitch profile, then
# logistic regression, trained on real recordings only) hears it. Chapter 6's image
# classifier, which looks at the log-mel images themselves, is shown only where it is
# labelled "on the images".

# %% tags=["parameters"]
gan_seconds = 20.0  # GAN training budget if the models are not cached yet (s; chapter 6's)
vae_seconds = 5.0  # VAE training budget if the models are not cached yet (s)
n_generated = 192  # samples per generator (same as the held-out real set)
n_judges = 6  # simulated listeners in the subjective tests
n_trials = 4  # MUSHRA trials (held-out notes as references)
mlp_gan_seconds = 6.0  # the source's MLP GAN (kit recipe), trained here for MUSHRA (s)
seed = 0

# %%
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import torch
from IPython.display import display

from aigc_kit import seed_everything
from aigc_kit.data import synth_notes
from aigc_kit.evaluation import (
    ab_preference,
    abx_summary,
    ai_or_real,
    class_coverage,
    heard_and_seen,
    judge_for,
    lsd,
    mos,
    mse,
    mushra_screen,
    mushra_summary,
    plot_mushra,
    si_snr,
    snr,
    spectral_convergence,
)
from aigc_kit.features import NOTES_SPEC, VOCODERS, griffin_lim_resynthesis, to_audio, to_images
from aigc_kit.generation import (
    KIT_RECIPE,
    reconstruct,
    sample,
    sample_model,
    train_recipe,
    trained_models,
)
from aigc_kit.interaction import (
    FeedbackLog,
    MushraListener,
    NaturalnessListener,
    abx_assignment,
    audio_table,
    merge_logs,
    mushra_test,
    mushra_trial,
    record_abx,
    record_mushra,
)
from aigc_kit.training import RunConfig

seed_everything(seed)
models = trained_models("notes", gan_seconds=gan_seconds, vae_seconds=vae_seconds, seed=seed)
data, spec = models.data, NOTES_SPEC
judge = judge_for("notes", spec)  # the vocoder and the notes listener
listener = judge.listener  # hears waveforms, trained on real ones
origin = models.meta.get("trained_by", "the model zoo") if models.meta["cached"] else "here"
print(f"models trained by {origin} ({models.meta['path'].rsplit('/', 1)[-1]}): GAN "
      f"{models.meta['gan_steps']} steps, VAE {models.meta['vae_steps']} steps")
print(f"notes listener: {listener.accuracy(data.audio_test, data.y_test, spec.sr):.1%} of the "
      f"{len(data.audio_test)} held-out real recordings heard as the right note; image "
      f"classifier (on the images): {models.meta['classifier_accuracy']:.1%} of their images")

# %% [markdown]
# ## 1 · Reconstruction: where MSE and SNR belong
# Real notes (fresh ones, synthesised with another seed) go through four "systems", each
# judged against the original waveform:
#
# - **gain −6 dB**: the same waveform, half as loud;
# - **phase invented**: the clip rebuilt from its own STFT magnitude by Griffin-Lim; only
#   the phase is new, and it sounds like the original;
# - **64-band log-mel and back**: what every generator of chapter 6 outputs, an image of
#   64 mel bands x 32 frames (`NOTES_SPEC`), turned into sound by the kit's vocoder
#   (`to_audio`: NNLS mel inversion + Griffin-Lim): coarser in frequency;
# - **VAE reconstruction**: the clip's image encoded and decoded by the VAE, then the same.
#
# Images carry no level, so the last two are brought to the original's RMS before scoring.

# %%
notes = synth_notes(pitches=[60, 64, 67, 71], loudness_db=(-20.0,), duration_s=spec.duration_s,
                    sr=spec.sr, seed=seed + 7)
originals = np.stack([np.resize(c, spec.n_samples) for c in notes.clips])
images = to_images(originals, spec)
vae_images = reconstruct(models.vae, images)  # posterior mean, on the CPU
vocoded = to_audio(torch.cat([images, vae_images]), spec)  # both systems in one batch


def level_matched(y: np.ndarray) -> np.ndarray:
    """``y`` scaled to the RMS of the originals, clip by clip."""
    y = y[:, : spec.n_samples]
    return y * np.sqrt((originals**2).mean(1, keepdims=True) / (y**2).mean(1, keepdims=True))


systems = {"gain -6 dB": originals * 0.5,
           "phase invented": griffin_lim_resynthesis(originals),
           f"{spec.n_mels}-band log-mel and back": level_matched(vocoded[: len(images)]),
           "VAE reconstruction": level_matched(vocoded[len(images) :])}
rows = []
for name, estimate in systems.items():
    rows.append({"system": name, "MSE": mse(estimate, originals).mean(),
                 "SNR (dB)": snr(estimate, originals).mean(),
                 "SI-SNR (dB)": si_snr(estimate, originals).mean(),
                 "LSD (dB)": lsd(estimate, originals, spec.sr).mean(),
                 "spectral convergence": spectral_convergence(estimate, originals).mean()})
reconstruction = pd.DataFrame(rows).set_index("system")
display(reconstruction.style.format("{:.3f}"))
display(audio_table({"original": originals[0], **{k: v[0] for k, v in systems.items()}},
                    spec.sr))

# %% [markdown]
# Listen: the phase-invented copy sounds like the original, yet its SNR is near or below
# 0 dB, because SNR compares sample values and the phase is new; its LSD (log-spectral
# distance) is small, because LSD compares magnitudes. The gain change leaves the timbre
# alone: SI-SNR forgives it, SNR and LSD count it. The 64-band and VAE versions lose
# detail you can hear, and the spectral metrics say so, while their SNR, like the
# phase-invented copy's, sits near or below 0 dB and cannot tell them apart. **Waveform metrics need an aligned reference with the same phase; for anything
# resynthesised, use spectral ones; for free generation there is no reference at all.**

# %% [markdown]
# ## 2 · Generation: distributions, not pairs
# A generated note has no "original". The notes listener, trained on real recordings only,
# stands in for the Inception network of the image literature. Every sample is **vocoded
# first** and the listener hears the waveform; the reference is the set of 192 real
# held-out *recordings* (`data.audio_test`), heard the same way:
#
# - **IS** `exp(E KL(p(y|x) || p(y)))`: high when each sample is recognised confidently
#   and the samples spread over the classes; read as a ratio to the real recordings' IS.
# - **Fréchet distance** between Gaussians fitted to the listener's features (its MFCC
#   and pitch-profile summary) of the generated audio and of the real recordings (FID's
#   formula): 0 for identical statistics.
# - **Coverage**: how many of the 48 classes are some sample's top prediction.
#
# Two baselines frame the numbers: real training notes sent through their image and the
# vocoder (as good as a generator of these images can get) and noise images, vocoded
# too (as bad as it gets). `heard_and_seen(x, judge, ...)` is `aigc_kit.evaluation.score_samples`
# with the audio judge (`judge_for`: vocoder + listener) as the ear: any pair of functions
# giving class probabilities and features can stand in for it. It also returns the image
# classifier's view of the images themselves under keys prefixed `image_`; the second table
# shows them, for comparison only: they say what the images look like, not what anyone
# hears. The GAN and the VAE are sampled the same way, from a private generator seeded
# with `seed`.

# %%
gan_images = sample_model(models, "gan", n_generated, seed)
vae_samples = sample_model(models, "vae", n_generated, seed)
noise = torch.rand(n_generated, *spec.shape, generator=torch.Generator().manual_seed(seed))
real_subset = torch.randperm(len(data.x_train), generator=torch.Generator().manual_seed(seed))
candidates = {"real notes, via image + vocoder": data.x_train[real_subset[:n_generated]],
              "GAN": gan_images, "VAE": vae_samples, "noise image": noise * 2 - 1}
scores, heard_as = {}, {}
for name, x in candidates.items():
    scores[name] = heard_and_seen(x, judge, models.classifier, data)  # vocodes x once
    heard_as[name] = judge.probabilities(x)  # the same audio, heard again (no re-vocoding)
generation = pd.DataFrame(scores).T
formats = {"is_generated": "{:.2f}", "is_real": "{:.2f}", "is_ratio": "{:.2f}",
           "frechet": "{:.1f}", "coverage": "{:.0f}"}
display(generation[list(formats)].style.format(formats).set_caption(
    "as heard: vocoded audio, notes listener, against the real held-out recordings"))
image_formats = {f"image_{k}": v for k, v in formats.items()}
display(generation[list(image_formats)].style.format(image_formats).set_caption(
    "on the images (image classifier, for comparison only; not what is heard)"))
fig, ax = plt.subplots(figsize=(13, 2.6))
for name in ("GAN", "VAE"):
    counts = class_coverage(heard_as[name])
    ax.bar(np.arange(data.n_classes) + (0.2 if name == "VAE" else -0.2), counts, width=0.4,
           label=name)
ax.set(xticks=range(0, data.n_classes, 4), xticklabels=data.class_names[::4],
       ylabel="samples", title="which classes the samples are heard as (vocoded, notes listener)")
ax.legend()
plt.show()

# %% [markdown]
# Read the first row of each table first. Real notes sent through their image and the
# vocoder do not reach an IS ratio of 1 or a Fréchet distance of 0 as heard: that gap is
# what the 64-band image and the vocoder cost, and roughly the best any generator of
# these images can hope for. The image classifier never hears the vocoder, so on the images the same
# notes look perfect (a ratio near 1, a distance near 0): a score on the images flatters
# every model, because it ignores what is lost on the way out to sound. Noise images,
# vocoded, mark the other end.

# %% [markdown]
# ## 3 · Subjective tests: MOS, A/B and "AI or real?"
# In a classroom people rate the clips (notebook 8's widgets write their ratings to a
# feedback log, and the same functions below read it). Headless, `n_judges` simulated
# listeners judge *naturalness* instead: each one listens to the clip's audio, asks the
# notes listener how confidently it recognises the sound as one of the real notes, and
# adds its own noise (`aigc_kit.interaction.NaturalnessListener`). That is a stand-in, and
# says so; what matters here is the statistics, which are the same for people.
#
# Like people, the judges hear sound, never images: every clip is vocoded once and the
# judges rate the waveform. The real clips are the held-out *recordings* themselves; a
# fourth set, the same recordings sent through their 64-band image and the vocoder, shows
# what the representation alone costs. With `NOTES_SPEC` that round trip keeps nearly all
# of what the listener recognises, as the next cell prints.

# %%
n_clips = 12
pick = np.arange(0, len(data.x_test), len(data.x_test) // n_clips)[:n_clips]
to_vocode = {"real, via image + vocoder": data.x_test[pick], "GAN": gan_images[:n_clips],
             "VAE": vae_samples[:n_clips]}
heard_once = judge.audio(torch.cat(list(to_vocode.values())))  # one batch, vocoded once
clips = {"real": data.audio_test[pick],  # the recordings themselves
         **{name: heard_once[i * n_clips : (i + 1) * n_clips] for i, name in enumerate(to_vocode)}}
print(f"notes listener on {n_clips} real notes: mean confidence, heard as the right note")
for name in ("real", "real, via image + vocoder"):
    p = listener.predict_proba(clips[name], spec.sr)
    print(f"  {name:<26} {p.max(1).mean():.2f}  "
          f"{np.mean(p.argmax(1) == data.y_test[pick].numpy()):.0%}")
display(audio_table({f"{name} {i}": y for name, batch in clips.items()
                     for i, y in enumerate(batch[:2])}, spec.sr))


judges = [NaturalnessListener(lambda clip, sr: float(listener.predict_proba(clip, sr).max()), noise_std=0.6, seed=seed + j, rater_id=f"judge{j}")
          for j in range(n_judges)]
ratings = pd.DataFrame([{"tag": system, "rater_id": judge.rater_id, "score": judge.rate(clip, spec.sr)}
                        for judge in judges for system, batch in clips.items()
                        for clip in batch])
table = mos(ratings)
display(table.style.format({"mos": "{:.2f}", "ci_low": "{:.2f}", "ci_high": "{:.2f}"}))
fig, ax = plt.subplots(figsize=(6.5, 2.8))
ax.errorbar(table.index, table.mos, yerr=[table.mos - table.ci_low, table.ci_high - table.mos],
            fmt="o", capsize=6)
ax.set(ylim=(1, 5), ylabel="MOS (95% CI)", title=f"{n_judges} simulated judges x {n_clips} clips")
plt.show()

# %%
ab = ab_preference([judge.prefer(a, b, spec.sr) for judge in judges
                    for a, b in zip(clips["GAN"], clips["VAE"], strict=True)], name="GAN|VAE")
row = ab.loc["GAN|VAE"]  # every summary is a table, one row per comparison
print(f"A/B, GAN (A) vs VAE (B): A preferred in {row.rate_a:.0%} of {row.n} decisions "
      f"(95% CI {row.ci_low:.0%}-{row.ci_high:.0%}; {row.ties} ties), "
      f"binomial test p = {row.p_value:.3g}")
truth, answers = [], []
for judge in judges:
    for label, batch in (("real", clips["real"]), ("ai", clips["GAN"])):
        for clip in batch:
            truth.append(label)
            answers.append(judge.guess_real(clip, spec.sr))
blind = ai_or_real(truth, answers, name="GAN|real").loc["GAN|real"]
print(f"AI or real? (real vs GAN): accuracy {blind.accuracy:.0%} over {blind.n} answers "
      f"(chance 50%, p = {blind.p_value:.3g}); AI detected {blind.ai_detected:.0%}, "
      f"real recognised {blind.real_recognised:.0%}")

# %% [markdown]
# Accuracy well above 50% means the judges can tell the GAN's notes from real recordings;
# a generator that passes would bring it down to chance. (Some of the difference is the
# vocoder's: compare the MOS of the real recordings with that of the same recordings
# through image and vocoder.) A p-value says whether a
# preference or an accuracy could be chance with this many answers; the confidence
# intervals say how precisely the panel pinned it down: more judges, narrower intervals.
#
# ## 4 · MUSHRA and ABX: listening tests to a standard
# A MUSHRA test (ITU-R BS.1534-3, the test webMUSHRA runs) shows a *known reference* and
# asks for a score 0-100 for each condition: the systems under test, a **hidden
# reference** (the reference itself, under a letter like the others) and two **low-pass
# anchors** (3.5 and 7 kHz for full-band audio; scaled here to the notes' 4 kHz
# bandwidth: 700 Hz and 1.4 kHz), in a random order per trial. The hidden reference checks
# the listener: BS.1534's post-screening drops anyone who scores it below 90 in more than
# 15 % of their trials. Here each trial is a real held-out note; the conditions are that
# note through the kit's vocoder (`NNLS+GL-32`) and through the first kit's (`GL-32`), the
# VAE's reconstruction of it, and a GAN note of the same class (chapter 6's GAN is told
# which note to make: it is asked for the reference's class). The GAN's note is a new one,
# not a copy of the reference, so it can only come near the reference's score by sounding
# like the same instrument playing the same pitch. Beside it, the source's MLP GAN (kit
# recipe, trained here for `mlp_gan_seconds`): it cannot be asked for a class, so its note
# is the one of 48 samples the notes listener hears most as the reference's class.
#
# In a class, each student rates in their own notebook into their own log (`rater_id` =
# their name), and the instructor pools the logs. Headless, `n_judges` simulated listeners
# (`aigc_kit.interaction.MushraListener`: the closer a clip's average spectrum to the
# reference's, the higher the score, with noise) play the students, plus one who answers
# at random. The widget below is the one a student sees; the simulated students write the
# same records through `record_mushra`, the function its "submit" button calls.

# %%
trial_pick = pick[:n_trials]
references = data.audio_test[trial_pick]  # the held-out recordings
vae_recon = reconstruct(models.vae, data.x_test[trial_pick])
gan_notes = sample_model(models, "gan", n_trials, seed, labels=data.y_test[trial_pick])
mlp_gan = train_recipe(KIT_RECIPE, data, RunConfig(steps=None, max_seconds=mlp_gan_seconds,
                                                   seed=seed, progress=False))
mlp_pool = to_audio(sample(mlp_gan, 48, seed=seed), spec)  # unconditional: pick by ear
heard_mlp = listener.predict_proba(mlp_pool, spec.sr)
heard_systems = {
    "NNLS+GL-32": clips["real, via image + vocoder"][:n_trials],
    "GL-32": VOCODERS["GL-32"](data.x_test[trial_pick], spec),
    "VAE": to_audio(vae_recon, spec),
    "GAN": to_audio(gan_notes, spec),
    "MLP GAN": mlp_pool[heard_mlp[:, data.y_test[trial_pick].numpy()].argmax(0)],
}
trials = [mushra_trial(f"note{i}", reference, {name: batch[i] for name, batch in
                                               heard_systems.items()}, spec.sr)
          for i, reference in enumerate(references)]
class_dir = Path(tempfile.mkdtemp(prefix="aigc-class-"))
display(mushra_test(trials[:1], spec.sr, FeedbackLog(class_dir / "you.jsonl"), "you", seed))
students = [MushraListener(rater_id=f"student{j}", seed=seed + j) for j in range(n_judges)]
students.append(MushraListener(rater_id="student-random", reliable=False, seed=seed))
for student in students:  # each into their own log, as in a class
    own_log = FeedbackLog(class_dir / f"{student.rater_id}.jsonl")
    for trial in trials:
        record_mushra(own_log, trial, student.scores(trial.reference, trial.conditions,
                                                     spec.sr), student.rater_id)
    x_is_a = abx_assignment(n_trials, seed)
    for i, (a, b) in enumerate(zip(references, heard_systems["NNLS+GL-32"], strict=True)):
        said = student.abx(a, b, a if x_is_a[i] else b, spec.sr)
        record_abx(own_log, "original|NNLS+GL-32", i, (said == "A") == x_is_a[i],
                   student.rater_id)
print(f"{len(students)} students' logs in {class_dir}: "
      f"{', '.join(sorted(p.name for p in class_dir.glob('student*.jsonl')))}")

# %% [markdown]
# **Pooling the class.** `aigc-kit ratings merge LOG... --out CLASS.jsonl` (or
# `merge_logs` in Python) merges the students' logs. Every record carries an id from the
# moment it was written, so a log handed in twice, or copied into another, counts once;
# cut-off lines and invalid records are listed, never dropped silently. Here one log is
# handed in twice on purpose.

# %%
handed_in = sorted(class_dir.glob("student*.jsonl"))
report = merge_logs([*handed_in, handed_in[0]], class_dir / "class.jsonl")
print(report)
pooled = FeedbackLog(class_dir / "class.jsonl")
mushra_ratings = pooled.to_frame(test="mushra")
excluded = mushra_screen(mushra_ratings)
print(f"post-screening (hidden reference < 90 in > 15 % of trials): excluded {excluded}")
mushra_table = mushra_summary(mushra_ratings)
display(mushra_table.round(1))
plot_mushra(mushra_table, title=f"MUSHRA, {n_trials} notes, "
            f"{len(students) - len(excluded)} listeners after screening")
plt.show()
abx = abx_summary(pooled.to_frame(test="abx").score.astype(bool),
                  name="original|NNLS+GL-32").iloc[0]
print(f"ABX, original vs NNLS+GL-32: {abx.correct} of {abx.n} right "
      f"(rate {abx.rate:.0%}, one-sided p = {abx.p_value:.3g}): "
      f"{'a difference is heard' if abx.hears_difference else 'no difference shown'}")

# %% [markdown]
# The hidden reference sits near 100: the listeners recognised it. The random student
# scored it below 90 in most trials and was screened out before averaging, as BS.1534
# asks. The anchors give the scale its meaning: a system scored below `anchor_low` sounds
# further from the original than the original cut off at 700 Hz. At 8 kHz the mid anchor
# (1.4 kHz) keeps most of a note's energy and scores high: that is the narrowband scaling,
# not a fault of the test. ABX asks the simplest question, whether the vocoder's round
# trip can be told from the original at all. With people instead of simulated students the
# same cells give the real answer.
#
# ## Summary
#
# - Waveform MSE/SNR/SI-SNR: reconstruction with an aligned, same-phase reference.
#   Spectral LSD and convergence: resynthesis and vocoders. IS, Fréchet distance and
#   coverage: free generation, against real recordings, judged as audio (vocoded, then
#   heard by one fixed listener trained on real recordings); an image classifier's
#   figures describe the images, not the sound, and are labelled as such.
# - Subjective tests need statistics: MOS with a confidence interval, A/B preference with
#   a binomial test, and the blind "AI or real?" test against chance.
# - MUSHRA rates systems against a known reference with a hidden reference and anchors,
#   and screens out unreliable listeners before averaging; ABX asks whether a difference
#   is audible at all. A class's logs pool into one table with every rating counted once.

# %% [markdown]
# ## Exercises
#
# Each exercise ends with `answer = ...`; the cell after it checks your answer (right, or
# a hint; never the solution). Every one works on the objects this notebook already made.

# %%
from aigc_kit import check

# %% [markdown]
# ### Exercise 1 · A delay that SNR hates and LSD forgives
# Take the first real note of part 1, `originals[0]` (its pitch in Hz is
# `notes.labels.f0_hz[0]`), and delay it by **half a period** of that pitch:
# `round(spec.sr / (2 * f0))` samples, zeros in front, the end cut so that the length
# stays the same. Score the delayed clip (the estimate) against `originals[0]` (the
# reference) with the kit's `snr` and `lsd` (at `spec.sr`).
#
# `answer`: a NumPy array `[snr_db, lsd_db]`. Which of the two numbers would tell you
# that the delayed note sounds the same?

# %% tags=["solution"]
x0 = originals[0]
half_period = round(spec.sr / (2 * notes.labels.f0_hz[0]))  # samples
delayed = np.concatenate([np.zeros(half_period), x0[:-half_period]])
answer = np.array([snr(delayed, x0), lsd(delayed, x0, spec.sr)])
print(f"delay {half_period} samples: SNR {answer[0]:.1f} dB, LSD {answer[1]:.2f} dB")

# %%
check.ch07_ex1(answer, originals[0], notes.labels.f0_hz[0], spec.sr)

# %% [markdown]
# ### Exercise 2 · SI-SNR from its equation
# Write `my_si_snr(estimate, reference)` for two 1-D NumPy arrays of the same length,
# returning SI-SNR in dB as a float. With both signals made zero-mean:
#
# $$\alpha = \frac{\langle \hat x, x\rangle}{\langle x, x\rangle},\quad s = \alpha x,\quad
# e = \hat x - s,\quad \text{SI-SNR} = 10\log_{10}\frac{\langle s, s\rangle}{\langle e, e\rangle}.$$
#
# `answer`: the function itself (`answer = my_si_snr`). The check calls it on its own
# signals (with gains, a sign flip and DC offsets) and compares with the kit's `si_snr`.
# Try it on `systems["phase invented"][0]` against `originals[0]`.

# %% tags=["solution"]
def my_si_snr(estimate: np.ndarray, reference: np.ndarray) -> float:
    """Scale-invariant SNR in dB of two 1-D signals."""
    est = estimate - estimate.mean()
    ref = reference - reference.mean()
    target = (est @ ref) / (ref @ ref) * ref
    noise = est - target
    return float(10 * np.log10((target @ target) / (noise @ noise)))


phase_invented = systems["phase invented"][0]
print(f"SI-SNR of the phase-invented copy: {my_si_snr(phase_invented, originals[0]):.1f} dB")
answer = my_si_snr

# %%
check.ch07_ex2(answer)

# %% [markdown]
# ### Exercise 3 · The Inception score by hand
# `heard_as["GAN"]` holds the notes listener's class probabilities `p(y|x)` of the GAN's
# vocoded samples, one row per sample. Compute their Inception score in one split:
# `p(y)` is the mean row, then `IS = exp(mean over samples of KL(p(y|x) || p(y)))`, the KL
# summed over the classes with natural logs (add `1e-12` inside each log, as the kit does).
#
# `answer`: a float. It should match the `is_generated` column of the GAN's row above.

# %% tags=["solution"]
p_gan = np.asarray(heard_as["GAN"], dtype=np.float64)
p_marginal = p_gan.mean(axis=0, keepdims=True)
kl = np.sum(p_gan * (np.log(p_gan + 1e-12) - np.log(p_marginal + 1e-12)), axis=1)
answer = float(np.exp(kl.mean()))
print(f"IS of the GAN's samples, as heard: {answer:.2f} (of at most {p_gan.shape[1]})")

# %%
check.ch07_ex3(answer, heard_as["GAN"])

# %% [markdown]
# ### Exercise 4 · A MOS and its confidence interval
# From `ratings` (one row per rating: `tag` is the system, `score` the rating), take the
# GAN's ratings and compute its mean opinion score and the **half-width** of its 95 %
# confidence interval, `t * s / sqrt(n)`, with `s` the sample standard deviation
# (`ddof=1`), `n` the number of ratings and `t = scipy.stats.t.ppf(0.975, df=n - 1)`.
#
# `answer`: a NumPy array `[mos, half_width]`. How many times more judges would it take to
# halve the half-width?

# %% tags=["solution"]
from scipy import stats

gan_scores = ratings.loc[ratings.tag == "GAN", "score"].to_numpy()
n_ratings = len(gan_scores)
half_width = stats.t.ppf(0.975, df=n_ratings - 1) * gan_scores.std(ddof=1) / np.sqrt(n_ratings)
answer = np.array([gan_scores.mean(), half_width])
print(f"GAN: MOS {answer[0]:.2f} +/- {answer[1]:.2f} from {n_ratings} ratings")

# %%
check.ch07_ex4(answer, ratings)

# %% [markdown]
# ## Further reading
#
# What this chapter draws on. Every reference of the course, and the source article's own reading list checked and corrected, is on the course site's [Further reading](further_reading.html) page and in the README.
#
# - Salimans et al. (2016). *Improved Techniques for Training GANs*. Advances in Neural Information Processing Systems 29 (NeurIPS 2016), 2234-2242. <https://arxiv.org/abs/1606.03498> Kit: `evaluation.inception_score`, `evaluation.score_samples`.
# - Heusel et al. (2017). *GANs Trained by a Two Time-Scale Update Rule Converge to a Local Nash Equilibrium*. Advances in Neural Information Processing Systems 30 (NeurIPS 2017), 6626-6637. <https://arxiv.org/abs/1706.08500> Kit: `evaluation.frechet_distance`.
# - Kilgour et al. (2019). *Fréchet Audio Distance: A Reference-Free Metric for Evaluating Music Enhancement Algorithms*. Interspeech 2019. <https://arxiv.org/abs/1812.08466> Kit: `evaluation.frechet_distance`.
# - Szegedy et al. (2016). *Rethinking the Inception Architecture for Computer Vision*. IEEE Conference on Computer Vision and Pattern Recognition (CVPR 2016), 2818-2826. <https://doi.org/10.1109/CVPR.2016.308> Kit: `evaluation.notes_listener`, `evaluation.speech_listener`.
# - Le Roux et al. (2019). *SDR – Half-baked or Well Done?*. IEEE ICASSP 2019. <https://arxiv.org/abs/1811.02508> Kit: `evaluation.si_snr`.
# - ITU-T (1996). *Recommendation P.800: Methods for subjective determination of transmission quality*. International Telecommunication Union. <https://www.itu.int/rec/T-REC-P.800> Kit: `evaluation.mos`.
# - ITU-R (2015). *Recommendation BS.1534-3: Method for the subjective assessment of intermediate quality level of audio systems (MUSHRA)*. International Telecommunication Union. <https://www.itu.int/rec/R-REC-BS.1534> Kit: `interaction.mushra_test`, `evaluation.mushra_screen`, `evaluation.mushra_summary`.
# - Schoeffler et al. (2018). *webMUSHRA — A Comprehensive Framework for Web-based Listening Tests*. Journal of Open Research Software 6(1), 8. <https://doi.org/10.5334/jors.187> Kit: `interaction.mushra_test`.
# - Clark (1982). *High-Resolution Subjective Testing Using a Double-Blind Comparator*. Journal of the Audio Engineering Society 30(5). <https://www.aes.org/e-lib/browse.cfm?elib=3839> Kit: `interaction.abx_test`, `evaluation.abx_summary`.
# - Wilson (1927). *Probable Inference, the Law of Succession, and Statistical Inference*. Journal of the American Statistical Association 22(158), 209-212. <https://www.jstor.org/stable/2276774> Kit: `evaluation.ab_preference`, `evaluation.ai_or_real`.
