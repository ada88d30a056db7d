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
# # 6b · Beyond the source: a diffusion model beside the GAN and the VAE
#
# The source article teaches GANs and VAEs, and its chapter 8 says the field will move to
# better algorithms. It has: today's audio generators (DiffWave, AudioLDM, Stable Audio and
# their kin) are *diffusion* models. This chapter builds a small one over the very log-mel
# images of notes chapter 6 used, from its equations, each piece shown and checked, and
# then puts it beside chapter 6's GANs and VAE, judged the same way: as audio, first by
# the pitch judge (pYIN, a pitch tracker that never saw these data: the outside judge),
# then by `notes_listener()`, trained on other real notes of the same synthesiser. The
# listener's figures (IS ratio, coverage, Fréchet distance on its features) are labelled
# "in-domain": a listener that knows the data's own sound can flatter a generator that
# imitates it, so they stand beside the outside figure, never alone.
#
# A diffusion model learns to *undo noise*. The forward process adds Gaussian noise to an
# image over `T` steps until nothing of it is left; a network learns to guess the clean
# image back from any noisy one; sampling starts from pure noise and walks back, step by
# step. Three pieces, three sections: the forward process, the training objective, the
# sampler. Then classifier-free guidance, the comparison, and what you hear.

# %% tags=["parameters"]
train_steps = 600  # training steps (batches of 64) of the diffusion model (the zoo's default)
n_steps = 200  # diffusion steps T of the forward process
schedule_kind = "cosine"  # "cosine" or "linear" noise schedule
target = "x0"  # what the denoiser predicts: "x0" (the clean image) or "eps" (the noise)
guidance = 1.0  # classifier-free guidance scale w of the model handed on
sampling_steps = 25  # DDIM steps of the model handed on
score_every = 200  # training steps between scores of the quality-vs-compute curve
n_generated = 96  # samples per model in the comparison (two per class)
source_gan_seconds = 6.0  # the source's MLP GAN, trained here for the comparison (s)
seed = 0

# %%
import importlib.util
import time

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import torch
from IPython.display import display

from aigc_kit import get_device, seed_everything
from aigc_kit.evaluation import PitchJudge, judge_for
from aigc_kit.features import load_mel_dataset, to_audio, to_db
from aigc_kit.generation import (
    DIFFUSION_RECIPE,
    KIT_RECIPE,
    TrainedDiffusion,
    diffusion_settings,
    remember_diffusion,
    sample,
    train_recipe,
    trained_models,
)
from aigc_kit.interaction import audio_table, plot_spectrogram
from aigc_kit.models import NoiseSchedule, count_parameters, ddim_step
from aigc_kit.models.diffusion import noise_from_x0
from aigc_kit.training import RunConfig

seed_everything(seed)
device = get_device()
data = load_mel_dataset("notes", seed=seed)
spec = data.spec
judge, pitch_judge = judge_for("notes", spec), PitchJudge()
real_clear = pitch_judge.rate(data.audio_test, spec.sr)["clear_rate"]
print(f"notes: {len(data.x_train)} training and {len(data.x_test)} held-out images "
      f"{tuple(spec.shape)}, {data.n_classes} classes; device {device}; the pitch judge finds "
      f"{real_clear:.3f} of the real held-out notes clear")

# %% [markdown]
# ## 1 · The forward process: noise, in one line
# Each step mixes a little noise into the image: `x_t = sqrt(1 - beta_t) x_{t-1} +
# sqrt(beta_t) eps`. Gaussians compose, so any step is reached from the clean image `x_0`
# in one line, with `alpha_bar_t = prod_{s <= t} (1 - beta_s)` the share of the signal's
# variance left:
#
# `x_t = sqrt(alpha_bar_t) x_0 + sqrt(1 - alpha_bar_t) eps`,   `eps ~ N(0, I)`.
#
# Ho et al. (2020) let `beta_t` grow linearly from 1e-4 to 0.02; Nichol and Dhariwal (2021)
# chose `alpha_bar_t` itself, a squared cosine, so the image fades evenly over the steps
# instead of being mostly gone a third of the way in (the plot). With few steps that
# matters. `NoiseSchedule` holds both.

# %%
schedule = NoiseSchedule(n_steps, schedule_kind)
note = data.x_test[16:17]  # one held-out note, pluck E4
shown = [0, n_steps // 8, n_steps // 4, n_steps // 2, 3 * n_steps // 4, n_steps - 1]
noise = torch.randn(note.shape, generator=torch.Generator().manual_seed(seed))
fig, axes = plt.subplots(1, len(shown) + 1, figsize=(17, 2.8))
for kind in ("cosine", "linear"):
    axes[0].plot(NoiseSchedule(n_steps, kind).alpha_bars(), label=kind)
axes[0].set(xlabel="step t", ylabel="alpha_bar_t (signal left)", title="schedules")
axes[0].legend()
for ax, t in zip(axes[1:], shown, strict=True):
    x_t = schedule.add_noise(note, noise, torch.tensor([t]))
    plot_spectrogram(to_db(x_t.clamp(-1, 1))[0].numpy(), spec.sr, spec.hop_length, ax=ax,
                     title=f"t = {t}")
plt.tight_layout()
plt.show()

# %% [markdown]
# Checked two ways. First against the definition: run the one-step noising `t` times on
# 1,000 copies of the note and compare the mean and spread of the result with the one-line
# formula's. Then against a well-kept implementation, `diffusers`' `DDPMScheduler` (a
# test-only dependency of the kit: `tests/models/test_diffusion.py` checks the schedules,
# the noising, and the samplers' steps against it to float tolerance).

# %%
t_check = n_steps // 4
copies = note.expand(1000, -1, -1, -1).clone()
betas, abar = schedule.betas(), schedule.alpha_bars()[t_check]
gen = torch.Generator().manual_seed(seed)
for beta in betas[: t_check + 1]:
    copies = (1 - beta).sqrt() * copies + beta.sqrt() * torch.randn(copies.shape, generator=gen)
mean_error = float((copies.mean(0) - abar.sqrt() * note[0]).abs().max())
std_error = float((copies.std(0) - (1 - abar).sqrt()).abs().max())
print(f"t = {t_check}: alpha_bar_t = {abar:.4f}; stepping {t_check + 1} times vs one line: "
      f"largest gap in the mean {mean_error:.3f}, in the spread {std_error:.3f} (sampling "
      f"noise of 1,000 draws: three standard errors are {3 / np.sqrt(1000):.3f})")
if importlib.util.find_spec("diffusers") is not None:
    from diffusers import DDPMScheduler

    name = {"cosine": "squaredcos_cap_v2", "linear": "linear"}[schedule_kind]
    theirs = DDPMScheduler(num_train_timesteps=n_steps, beta_schedule=name)
    print(f"diffusers' {name} schedule: largest gap in alpha_bar "
          f"{float((theirs.alphas_cumprod - schedule.alpha_bars()).abs().max()):.1e}")
else:
    print("diffusers is not installed (pip install diffusers) to compare with; the kit's "
          "tests compare it")

# %% [markdown]
# ## 2 · The training objective: guess the clean image back
# Training is one line too. Take a batch of real notes, a random step `t` for each, noise
# them with the formula above, and ask the network for what was lost. Ho et al. ask for the
# *noise* `eps` and minimise `|eps - eps_hat(x_t, t)|^2`. Here the network is the source's
# MLP (the image flattened, 1,024 hidden units twice), with the step and the class added as
# learnt embeddings. An MLP that squeezes 2,048 pixels through 1,024 units cannot pass
# 2,048 pixels of random noise to its output: asked for the noise its loss stays near 1 and
# its samples are static (`benchmarks/bench_diffusion.py` measures it; try `target="eps"`).
# Asked instead for the clean image `x_0`, which is a note and has structure to learn, it
# learns in seconds. Both are the same model: the noise a guessed `x_0` implies is
# `eps = (x_t - sqrt(alpha_bar_t) x_0) / sqrt(1 - alpha_bar_t)`, and the sampler takes it.
#
# Each step also drops the class label one time in ten (replacing it with "no class"), so
# the same network predicts with and without the class: classifier-free guidance (section
# 4) needs both. The recipe, in one line, then the kit's one training loop, with a live plot
# and the pitch judge listening along the way (scoring time not counted):

# %%
recipe = DIFFUSION_RECIPE.replace(n_steps=n_steps, schedule=schedule_kind, target=target,
                                  guidance=guidance, sampling_steps=sampling_steps)
model = recipe.build(data, seed=seed)
curve = []  # (step, seconds, pitch clear / real, IS ratio) along the way


def score_along_the_way(step: int, seconds: float) -> None:
    """Score one sample per class, as heard and by the pitch judge (called by the loop)."""
    images = sample(model, data.n_classes, seed=seed)
    clear = pitch_judge.rate(judge.audio(images), spec.sr)["clear_rate"]
    curve.append((step, seconds, clear / real_clear,
                  judge.scores(images, data.audio_test)["is_ratio"]))


model, result = recipe.train(data, RunConfig(
    steps=train_steps, seed=seed, device=device, live_plot=True, callback=score_along_the_way,
    callback_every=score_every), model)
trained = TrainedDiffusion(model, recipe, {"seconds": result.seconds})
print(f"model card: {recipe.description}; {count_parameters(model):,} parameters; "
      f"{result.steps} steps in {result.seconds:.1f} s; T = {n_steps}, {schedule_kind} "
      f"schedule; samples by DDIM in {sampling_steps} steps, guidance w = {guidance:g}")
print(pd.DataFrame(curve, columns=["step", "seconds", "pitch clear / real", "IS ratio"])
      .round(3).to_string(index=False))

# %% [markdown]
# ## 3 · The sampler: from noise back to a note
# Start from pure noise `x_T` and walk back. At each visited step the network guesses the
# clean image, clipped to the images' range [-1, 1]; the step then lands at an earlier
# step `t'`:
#
# - **DDPM** (Ho et al. 2020, *ancestral*): visits every one of the `T` steps, moving to the
#   mean of `q(x_{t-1} | x_t, x_0)` and adding fresh noise of variance
#   `(1 - alpha_bar_{t-1}) / (1 - alpha_bar_t) beta_t`;
# - **DDIM** (Song et al. 2021) with `eta = 0`: `x_{t'} = sqrt(alpha_bar_{t'}) x_0 +
#   sqrt(1 - alpha_bar_{t'}) eps`, no fresh noise, so it can skip: 25 steps instead of 200.
#
# One DDIM step, written out and compared with the kit's `ddim_step`:

# %%
x_t = torch.randn(4, *spec.shape, generator=torch.Generator().manual_seed(seed))
t, t_prev = n_steps - 1, n_steps - 1 - n_steps // sampling_steps
labels = torch.tensor([0, 16, 31, 47])
abars = schedule.alpha_bars()
with torch.no_grad():
    x0_hat = model.denoiser(x_t, torch.full((4,), t), labels)
eps_hat = noise_from_x0(abars[t], x_t, x0_hat)
by_hand = abars[t_prev].sqrt() * x0_hat.clamp(-1, 1) + (1 - abars[t_prev]).sqrt() * eps_hat
print(f"step {t} -> {t_prev}: by hand vs ddim_step, largest gap "
      f"{float((by_hand - ddim_step(schedule, eps_hat, t, t_prev, x_t)).abs().max()):.1e}")

# %% [markdown]
# Fewer steps are cheaper; what do they cost in quality? One sample per class, each way,
# judged as audio (sampling time per second of audio, on this machine):

# %%
def judged(images: torch.Tensor, seconds: float) -> dict:
    """The pitch judge's and the listener's verdicts on ``images``, and the time per second."""
    clear = pitch_judge.rate(judge.audio(images), spec.sr)["clear_rate"]
    heard = judge.scores(images, data.audio_test)
    return {"pitch clear / real": clear / real_clear, "IS ratio (in-domain)": heard["is_ratio"],
            "coverage (in-domain)": heard["coverage"], "Fréchet (in-domain)": heard["frechet"],
            "s per s of audio": seconds / (len(images) * spec.duration_s)}


def timed(**settings) -> tuple[torch.Tensor, float]:
    """One sample per class from the trained model with ``settings``, and the seconds taken."""
    start = time.perf_counter()
    with torch.no_grad():
        images = model.sample(data.n_classes, generator=torch.Generator().manual_seed(seed),
                              **settings).cpu()
    return images, time.perf_counter() - start


sampler_rows = {}
for name, settings in [("DDIM 10", {"steps": 10}), ("DDIM 25", {"steps": 25}),
                       (f"DDPM {n_steps}", {"sampler": "ddpm", "steps": n_steps})]:
    sampler_rows[name] = judged(*timed(**settings))
sampler_table = pd.DataFrame(sampler_rows).T
display(sampler_table.round(3))

# %% [markdown]
# ## 4 · Classifier-free guidance
# The network predicts with the class and without it ("no class"). Guidance mixes the two,
# `pred = pred_none + w (pred_class - pred_none)` (Ho and Salimans 2022): `w = 0` ignores
# the class, `w = 1` is the conditional prediction alone, `w > 1` pushes each sample
# further towards what sets its class apart. Image models use `w` of 3 to 8; on these
# notes, measured:

# %%
guidance_rows = {w: judged(*timed(guidance=w)) for w in (0.0, 1.0, 2.0, 4.0)}
guidance_table = pd.DataFrame(guidance_rows).T.rename_axis("guidance w")
display(guidance_table.round(3))

# %% [markdown]
# ## 5 · GAN, VAE and diffusion on the same notes, judged the same way
# The comparison the course has been building to. Chapter 6's harmonic GAN and MLP VAE come
# from the model zoo (trained there and cached; trained now if the cache is cold), the
# source's MLP GAN (kit recipe, unconditional) is trained here for `source_gan_seconds`.
# Each makes `n_generated` notes (a conditional model: every class equally often), vocoded
# the same way and judged by the same judges against the same real held-out notes.
# Training seconds are each model's own budget on this machine; sampling time is per second
# of audio made (images only, the vocoder is the same for all).

# %%
zoo = trained_models("notes", seed=seed, device=device)
source_gan = train_recipe(KIT_RECIPE, data, RunConfig(
    steps=None, max_seconds=source_gan_seconds, seed=seed, device=device, progress=False))
contenders = [
    ("source's MLP GAN (kit recipe)", source_gan, source_gan.result.seconds,
     source_gan.result.steps, source_gan.parts.generator),
    ("harmonic GAN (chapter 6)", zoo.gan, zoo.meta["gan_seconds"], zoo.meta["gan_steps"],
     zoo.gan.parts.generator),
    ("MLP VAE (chapter 6)", zoo.vae, zoo.meta["vae_seconds"], zoo.meta["vae_steps"],
     zoo.vae.decoder),
    ("diffusion (this chapter)", model, result.seconds, result.steps, model)]
rows, made = {"real notes, image + vocoder round trip": judged(data.x_test, np.nan)}, {}
for name, generator, train_s, steps, network in contenders:
    start = time.perf_counter()
    made[name] = sample(generator, n_generated, seed=seed + 1)
    rows[name] = {"training s": train_s, "steps": steps,
                  "parameters": count_parameters(network),
                  **judged(made[name], time.perf_counter() - start)}
comparison = pd.DataFrame(rows).T[["training s", "steps", "parameters", "pitch clear / real",
                                   "IS ratio (in-domain)", "coverage (in-domain)", "Fréchet (in-domain)",
                                   "s per s of audio"]]
display(comparison.style.format({"training s": "{:.1f}", "steps": "{:.0f}",
                                 "parameters": "{:,.0f}", "pitch clear / real": "{:.2f}",
                                 "IS ratio (in-domain)": "{:.2f}", "coverage (in-domain)": "{:.0f}",
                                 "Fréchet (in-domain)": "{:.0f}", "s per s of audio": "{:.4f}"},
                                na_rep="–"))

# %% [markdown]
# Quality against compute: the diffusion model's curve (scored as it trained), and each
# other model at the budget it was trained for.

# %%
steps_done, seconds_done, clear_curve, is_curve = np.array(curve).T
fig, axes = plt.subplots(1, 2, figsize=(12, 3.4))
for ax, column, ys in [(axes[0], "pitch clear / real", clear_curve),
                       (axes[1], "IS ratio (in-domain)", is_curve)]:
    ax.plot(seconds_done, ys, "o-", label="diffusion, along training")
    for (name, *_), marker in zip(contenders[:3], "s^v", strict=True):
        ax.plot(rows[name]["training s"], rows[name][column], marker, markersize=9, label=name)
    ax.axhline(rows["real notes, image + vocoder round trip"][column], color="grey", ls="--",
               label="real notes' round trip")
    ax.set(xlabel="training time (s, this machine)", ylabel=column, ylim=(0, None))
axes[0].set(title="clear notes vs compute")
axes[1].set(title="heard quality vs compute")
axes[1].legend(fontsize=8, loc="lower right")
plt.tight_layout()
plt.show()

# %% [markdown]
# ## 6 · Listen
# The same four classes asked of the two conditional models (the harmonic GAN and the
# diffusion model), next to real notes; the VAE and the source's GAN are not told the class,
# so theirs are their first four notes. Every clip with the pitch judge's verdict.

# %%
asked = torch.tensor([0, 16, 31, 47])  # organ C4, pluck E4, bell G4, bowed B4
real_of = [int(torch.nonzero(data.y_test == c)[0, 0]) for c in asked.tolist()]
clips = {"real": data.audio_test[real_of],
         "harmonic GAN": to_audio(sample(zoo.gan, 4, seed=seed + 2, labels=asked), spec),
         "diffusion": to_audio(sample(model, 4, seed=seed + 2, labels=asked), spec),
         "MLP VAE": to_audio(made["MLP VAE (chapter 6)"][:4], spec),
         "source's MLP GAN": to_audio(made["source's MLP GAN (kit recipe)"][:4], spec)}
verdicts = pd.concat({name: pitch_judge.verdicts(audio, spec.sr) for name, audio in clips.items()})
verdicts["asked for"] = [data.class_names[c] for c in asked.tolist()] * 3 + ["-"] * 8
display(verdicts[["asked for", "pitch_hz", "offset_cents", "iqr_cents", "reason"]].round(1))
for name, audio in clips.items():
    display(audio_table({f"{name} {i}": y for i, y in enumerate(audio)}, spec.sr))

# %% [markdown]
# The model is handed on to the zoo (`trained_diffusion` loads it back with the same
# settings; a file of another recipe or spec is refused, naming both):

# %%
path = remember_diffusion(trained, diffusion_settings(data, train_steps, seed, recipe))
print(f"cached at {path.name}")

# %% [markdown]
# ## Summary
#
# - A diffusion model is three short equations: the forward noising in one line, a
#   regression loss, and a sampler that walks noise back to data. Each was checked here
#   against its definition, and in the tests against `diffusers`.
# - What the network predicts matters as much as its size: the source's MLP cannot pass
#   the noise through its 1,024 units, but it can say what the clean note was.
# - DDIM skips steps without fresh noise: the table shows how many steps these notes need
#   and what each costs. Guidance trades variety for how strongly a sample shows its class;
#   the pitch judge says where that stops helping.
# - On the same notes and judges, the table and the plot place the diffusion model beside
#   the GANs and the VAE, for what compute. `benchmarks/bench_diffusion.py` runs the same
#   comparison with longer budgets and three seeds.
# - Spoken digits: the same recipe trained on FSDD's words (64 x 64 images, the digit as
#   class) makes a digit voice, judged by the outside recogniser (PocketSphinx, which never
#   heard FSDD) beside chapter 10's conditional VAE voice:
#   `python benchmarks/bench_diffusion.py --speech-seconds 60`. It needs about a minute of
#   training on 2 cores, more than this chapter's budget, so it is measured there.

# %% [markdown]
# ## Exercises
#
# Each exercise says what to put in `answer`; run the cell after it to check your answer
# (the check says right or not yet, with a hint; it never shows the solution). They reuse
# what the notebook already computed: no training.

# %%
from aigc_kit import check

# %% [markdown]
# ### Exercise 1 · The forward process by hand
#
# Noise the held-out `note` to step `t = 50` with the noise `noise`, using only
# `schedule.alpha_bars()` and the one-line formula of section 1 (no `add_noise`).
# `answer`: the noisy image, a tensor shaped like `note`.

# %% tags=["solution"]
abar_50 = schedule.alpha_bars()[50]
answer = abar_50.sqrt() * note + (1 - abar_50).sqrt() * noise

# %%
check.ch06b_ex1(answer, note, noise, 50, schedule)

# %% [markdown]
# ### Exercise 2 · One DDIM step
#
# From `x_t` at step `t` and the network's clean-image guess `x0_hat` (section 3), take one
# DDIM step to `t_prev` yourself: the noise the guess implies, then the step. Clip the
# guess to [-1, 1] where the step uses it. `answer`: `x_{t_prev}`, shaped like `x_t`.

# %% tags=["solution"]
eps = (x_t - abars[t].sqrt() * x0_hat) / (1 - abars[t]).sqrt()
answer = abars[t_prev].sqrt() * x0_hat.clamp(-1, 1) + (1 - abars[t_prev]).sqrt() * eps

# %%
check.ch06b_ex2(answer, x_t, x0_hat, t, t_prev, schedule)

# %% [markdown]
# ### Exercise 3 · How much guidance?
#
# In `guidance_table`, which guidance scale gives the clearest notes by the pitch judge
# (column `"pitch clear / real"`)? `answer`: that scale, a float.

# %% tags=["solution"]
answer = float(guidance_table["pitch clear / real"].idxmax())

# %%
check.ch06b_ex3(answer, guidance_table)

# %% [markdown]
# ## Further reading
#
# What this chapter draws on. Every reference of the course, and the source article's own reading list checked and corrected, is on the course site's [Further reading](further_reading.html) page and in the README.
#
# - Ho, Jain and Abbeel (2020). *Denoising Diffusion Probabilistic Models*. Advances in Neural Information Processing Systems 33 (NeurIPS 2020). <https://arxiv.org/abs/2006.11239> Kit: `models.DiffusionModel`, `models.ddpm_step`, `training.train_diffusion`.
# - Nichol and Dhariwal (2021). *Improved Denoising Diffusion Probabilistic Models*. International Conference on Machine Learning (ICML 2021), PMLR 139. <https://arxiv.org/abs/2102.09672> Kit: `models.NoiseSchedule`.
# - Song, Meng and Ermon (2021). *Denoising Diffusion Implicit Models*. International Conference on Learning Representations (ICLR 2021). <https://arxiv.org/abs/2010.02502> Kit: `models.ddim_step`.
# - Ho and Salimans (2022). *Classifier-Free Diffusion Guidance*. NeurIPS 2021 Workshop on Deep Generative Models and Downstream Applications; arXiv:2207.12598. <https://arxiv.org/abs/2207.12598> Kit: `models.DiffusionModel`, `generation.DIFFUSION_RECIPE`.
# - Kong et al. (2021). *DiffWave: A Versatile Diffusion Model for Audio Synthesis*. International Conference on Learning Representations (ICLR 2021). <https://arxiv.org/abs/2009.09761> Kit: background, not used directly.
# - Heusel et al. (2017). *GANs Trained by a Two Time-Scale Update Rule Converge to a Local Nash Equilibrium*. Advances in Neural Information Processing Systems 30 (NeurIPS 2017), 6626-6637. <https://arxiv.org/abs/1706.08500> Kit: `evaluation.frechet_distance`.
# - Mauch and Dixon (2014). *pYIN: A fundamental frequency estimator using probabilistic threshold distributions*. IEEE ICASSP 2014, 659-663. <https://doi.org/10.1109/ICASSP.2014.6853678> Kit: `features.pitch_pyin`, `features.clip_pitch`, `evaluation.pitch_kept`, `evaluation.PitchJudge`.
