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
# # 5 · The math: energy models, GAN and VAE losses, optimisers
#
# *Chapter 4 of the source article.* It writes down four pieces of math: an energy model
# `P(X) = exp(-V(X)) / Z`, the two GAN losses, gradient descent, and Adam. This notebook
# makes each of them a function you can run and check, and corrects what the article gets
# wrong:
#
# | seed section | formula | kit function | checked against |
# |---|---|---|---|
# | 4.1–4.2 energy model | `P = exp(-V)/Z`, `Z = Σ exp(-V)` | `log_partition`, `energy_probability`, `sample_energy` | exact sums over all 65,536 melodies; sample frequencies |
# | 4.3 GAN losses | `L_G = -log D(G(z))`, `L_D = -[log D(x) + log(1 - D(G(z)))]` | `generator_loss`, `discriminator_loss` | the literal formulas; logits of ±100 |
# | (chapter 3) VAE loss | reconstruction + KL | `vae_loss`, `gaussian_kl` | a Monte-Carlo estimate |
# | 4.4 optimisation | gradient descent; Adam | `GradientDescent`, `Adam` | `torch.optim.SGD`, `torch.optim.Adam` |
#
# **Errata corrected here:** `V = -log P` holds only up to the constant `log Z`; Adam's
# moment updates and its bias-correction factor are misprinted (section 5 derives what the
# printed forms do, with numbers).

# %% tags=["parameters"]
seed = 0
scale_midi = [60, 62, 64, 67]  # a 4-note scale, C4 D4 E4 G4 (MIDI numbers); degree 0 is the tonic
n_notes = 8  # notes per melody: 4**8, i.e. 65,536 possible melodies
n_draws = 20_000  # melodies sampled from P
sr = 16000  # sample rate of the rendered melodies (Hz)
note_seconds = 0.25  # length of each note (s)
n_mc = 100_000  # Monte-Carlo samples for the KL check
n_steps = 2000  # optimiser steps on the Rosenbrock function
gd_lr = 1e-3  # gradient-descent learning rate
adam_lr = 0.05  # Adam learning rate

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import torch
from IPython.display import display
from torch.distributions import Normal, kl_divergence

from aigc_kit import seed_everything
from aigc_kit.data import midi_to_hz, midi_to_note, synth_note
from aigc_kit.interaction import audio_table
from aigc_kit.models import (
    all_sequences,
    energy_from_probability,
    energy_probability,
    log_partition,
    melody_energy,
    sample_energy,
)
from aigc_kit.training import (
    Adam,
    GradientDescent,
    discriminator_loss,
    gaussian_kl,
    generator_loss,
    rosenbrock,
    saturating_generator_loss,
    step_factor,
    trajectory,
    vae_loss,
)

rng = seed_everything(seed)
note_names = [midi_to_note(m) for m in scale_midi]

# %% [markdown]
# ## 1. The energy model: every melody, exactly
#
# The article's model gives every possible object `X` an **energy** `V(X)` and turns
# energies into probabilities:
#
# $$P(X) = \frac{e^{-V(X)}}{Z}, \qquad Z = \sum_X e^{-V(X)}.$$
#
# Low energy means likely. The hard part in practice is `Z`: a sum over every possible
# sound or image, far too many to add up. So we pick a space small enough to sum over:
# **all melodies of 8 notes on a 4-note scale**, 4⁸ = 65,536 of them, and a hand-made
# energy (`melody_energy`): a step to a neighbouring note costs 0.5, a repeated note 1.0,
# each extra scale degree of a leap 1.5 more, and ending on the tonic (C) earns 2.0 back.

# %%
melodies = all_sequences(n_notes, len(scale_midi))  # (65536, 8) scale degrees
V = melody_energy(melodies)
log_z = log_partition(V)
P = energy_probability(V)
order = np.argsort(V, kind="stable")  # most probable first
print(f"{len(melodies):,} melodies, energies from {V.min()} to {V.max()}")
print(f"log Z = {log_z:.4f}, Z = {np.exp(log_z):.2f}, sum of P = {P.sum():.12f}")
n_best = int(np.sum(V == V.min()))
print(f"{n_best} melodies tie for the lowest energy; each has P = {P[order[0]]:.5f} "
      f"({P[order[0]] * len(P):.0f}x the uniform 1/{len(P):,}), together {n_best * P[order[0]]:.1%}")
print(f"the least probable has P = {P[order[-1]]:.2e}: "
      f"{P[order[0]] / P[order[-1]]:.1e} times less likely than the best")
display(pd.DataFrame(
    {
        "melody": [" ".join(note_names[d] for d in melodies[i]) for i in (*order[:3], *order[-3:])],
        "V": V[np.r_[order[:3], order[-3:]]],
        "P": P[np.r_[order[:3], order[-3:]]],
    },
    index=["best 1", "best 2", "best 3", "worst 3", "worst 2", "worst 1"],
))

# %% [markdown]
# Now listen: the three most probable melodies (all tied, stepwise and ending on C) and,
# for contrast, the least probable one (nothing but the widest leap, ending away from C).

# %%
clips = {
    label: np.concatenate([
        synth_note("organ", midi_to_hz(scale_midi[d]), note_seconds, sr, rng) for d in melodies[i]
    ])
    for label, i in [("best 1", order[0]), ("best 2", order[1]), ("best 3", order[2]),
                     ("least probable", order[-1])]
}
display(audio_table(clips, sr))

# %% [markdown]
# ### Sampling, and checking the samples against P
#
# Because `Z` is exact, we can draw melodies from `P` (`sample_energy`, inverse-CDF
# sampling) and check that the sample frequencies match. Individual melodies are rare,
# so the left plot groups them by energy level (many melodies share an energy); the
# right plot compares the 30 most probable melodies one by one, with ±2 standard errors
# of a frequency estimated from `n_draws` samples.

# %%
draws = sample_energy(V, n_draws, rng)
freq = np.bincount(draws, minlength=len(V)) / n_draws
levels, level_of = np.unique(V, return_inverse=True)
level_p = np.bincount(level_of, weights=P)
level_freq = np.bincount(level_of, weights=freq)
top = order[:30]
stderr = np.sqrt(P[top] * (1 - P[top]) / n_draws)

fig, axes = plt.subplots(1, 2, figsize=(13, 3.4))
axes[0].bar(levels, level_p, width=0.35, label="exact P")
axes[0].plot(levels, level_freq, "o", ms=4, color="C1", label=f"{n_draws:,} samples")
axes[0].set(xlabel="energy V", ylabel="probability of the level", title="mass per energy level")
axes[0].legend()
axes[1].errorbar(np.arange(30), P[top], yerr=2 * stderr, fmt="_", color="C0", label="exact P ± 2 s.e.")
axes[1].plot(np.arange(30), freq[top], "o", ms=4, color="C1", label="sample frequency")
axes[1].set(xlabel="melody rank", ylabel="probability", title="the 30 most probable melodies")
axes[1].legend()
plt.tight_layout()
plt.show()
z_scores = (freq - P) / np.sqrt(P * (1 - P) / n_draws)
print(f"largest |frequency - P| over all melodies: {np.max(np.abs(freq - P)):.5f}; "
      f"{np.mean(np.abs(z_scores[top]) < 2):.0%} of the top 30 within 2 standard errors")

# %% [markdown]
# ### V = -log P holds only up to a constant
#
# Section 4.2 of the article states `V(X) = -log P(X)`. Take the log of `P = exp(-V)/Z`:
#
# $$-\log P(X) = V(X) + \log Z.$$
#
# The two agree only when `Z = 1`. Adding any constant to every energy leaves `P`
# unchanged (it cancels between numerator and `Z`), so an energy is defined *up to a
# constant*; that constant is why energy models can be trained without ever computing `Z`.
# `energy_from_probability` returns the energy with `Z = 1`. Below: `-log P` against `V`
# for every melody (exact), and the same quantity estimated from the samples alone: for
# each energy level sampled at least 10 times, `-log(frequency of the level / melodies in
# the level)`.

# %%
v_from_p = energy_from_probability(P)
offset = v_from_p - V
print(f"-log P - V: min {offset.min():.10f}, max {offset.max():.10f}   (log Z = {log_z:.10f})")
print(f"shifting V by +100 changes P by at most {np.abs(energy_probability(V + 100) - P).max():.1e}")
level_size = np.bincount(level_of)
often = level_freq * n_draws >= 10
plt.figure(figsize=(6, 3.4))
plt.plot(V, v_from_p, ".", ms=3, label="exact: -log P")
plt.plot(levels[often], -np.log(level_freq[often] / level_size[often]), "x", ms=6,
         label="from samples, per energy level")
plt.plot(levels, levels + log_z, "k--", lw=1, label="V + log Z")
plt.xlabel("energy V")
plt.ylabel("-log P")
plt.legend()
plt.tight_layout()
plt.show()

# %% [markdown]
# ## 2. GAN losses: the formulas, their gradients, and numerical stability
#
# The discriminator outputs `D ∈ (0, 1)`, the probability it assigns to "real". In code
# `D = sigmoid(l)` for a **logit** `l`, and the kit's losses take logits:
#
# | article | kit (from logits) | stable form |
# |---|---|---|
# | `L_G = -log D(G(z))` | `generator_loss(fake_logits)` | `softplus(-l)` |
# | `L_D = -[log D(x) + log(1 - D(G(z)))]` | `discriminator_loss(real_logits, fake_logits)` | `softplus(-l_real) + softplus(l_fake)` |
# | original minimax `log(1 - D(G(z)))` | `saturating_generator_loss(fake_logits)` | `-softplus(l)` |
#
# Both generator losses push `D(G(z))` up, but they do so very differently. The left plot
# shows the losses against `D`; the right plot the gradient that reaches the generator
# through the logit, `∂L/∂l`.

# %%
d_out = torch.linspace(1e-3, 1 - 1e-3, 999, dtype=torch.float64)
logits = torch.logit(d_out).requires_grad_()
l_g = generator_loss(logits, reduction="none")
l_sat = saturating_generator_loss(logits, reduction="none")
(grad_g,) = torch.autograd.grad(l_g.sum(), logits)
(grad_sat,) = torch.autograd.grad(l_sat.sum(), logits)
print("kit vs literal formula, max difference: "
      f"L_G {(l_g + torch.log(d_out)).abs().max():.1e}, "
      f"saturating {(l_sat - torch.log(1 - d_out)).abs().max():.1e}")

fig, axes = plt.subplots(1, 2, figsize=(13, 3.6))
x = d_out.numpy()
axes[0].plot(x, -np.log(x), label="L_D real term: -log D(x)   (x-axis: D(x))")
axes[0].plot(x, -np.log(1 - x), label="L_D fake term: -log(1 - D(G(z)))")
axes[0].plot(x, l_g.detach(), "--", lw=2, label="L_G = -log D(G(z))  (non-saturating)")
axes[0].plot(x, l_sat.detach(), ":", lw=2, label="log(1 - D(G(z)))  (saturating)")
axes[0].set(xlabel="discriminator output D", ylabel="loss (nats)", ylim=(-7, 7))
axes[0].legend(fontsize=8)
axes[1].semilogy(x, grad_g.abs(), "--", lw=2, label="non-saturating: |∂L_G/∂l| = 1 - D")
axes[1].semilogy(x, grad_sat.abs(), ":", lw=2, label="saturating: |∂L/∂l| = D")
axes[1].axvspan(0, 0.05, color="C3", alpha=0.1, label="early training: D(G(z)) ≈ 0")
axes[1].set(xlabel="D(G(z))", ylabel="gradient magnitude at the logit")
axes[1].legend(fontsize=8)
plt.tight_layout()
plt.show()
for d in (1e-4, 1e-2, 0.5):
    print(f"D(G(z)) = {d:<6}: non-saturating gradient {1 - d:.4f}, saturating gradient {d:.4f}")

# %% [markdown]
# **Why the non-saturating form.** Early in training the generator is bad, the
# discriminator rejects its samples easily and `D(G(z)) ≈ 0`. There the saturating loss
# `log(1 - D)` is flat: its gradient at the logit is `D`, close to zero, so the generator
# gets almost no signal exactly when it needs it most. `-log D` has the same fixed points
# but gradient `1 - D ≈ 1` there. That is why the article's `L_G = -log D(G(z))` (the
# non-saturating loss of Goodfellow et al., 2014) is the one used in practice.
#
# ### Stability at extreme logits
#
# A confident discriminator produces logits of ±20, ±100 or more. Computing `sigmoid`
# first and `log` after, in float32, breaks: `sigmoid(-200)` underflows to 0 and
# `sigmoid(20)` rounds to exactly 1, so the logs become infinite and the gradients `inf`
# or `nan`, which then poison every weight of the network. The kit uses
# `-log sigmoid(l) = softplus(-l)` and `-log(1 - sigmoid(l)) = softplus(l)`, which
# PyTorch evaluates without overflow.

# %%
extreme = torch.tensor([-200.0, -100.0, -20.0, 0.0, 20.0, 100.0])
naive_in = extreme.clone().requires_grad_()
kit_in = extreme.clone().requires_grad_()
naive_g = -torch.log(torch.sigmoid(naive_in))
naive_fake = -torch.log(1 - torch.sigmoid(naive_in))
kit_g = generator_loss(kit_in, reduction="none")
kit_fake = discriminator_loss(torch.full_like(kit_in, torch.inf), kit_in, reduction="none")
(naive_grad,) = torch.autograd.grad(naive_g.sum(), naive_in)
(kit_grad,) = torch.autograd.grad(kit_g.sum(), kit_in)
with pd.option_context("display.float_format", "{:.4g}".format):
    display(pd.DataFrame({
        "logit (float32)": extreme.numpy(),
        "naive -log D": naive_g.detach().numpy(),
        "kit L_G": kit_g.detach().numpy(),
        "naive ∂/∂l": naive_grad.numpy(),
        "kit ∂L_G/∂l": kit_grad.numpy(),
        "naive -log(1-D)": naive_fake.detach().numpy(),
        "kit L_D fake term": kit_fake.detach().numpy(),
    }))
total = discriminator_loss(kit_in, -kit_in) + generator_loss(kit_in)
print(f"kit losses on all six logits: L_D = {discriminator_loss(kit_in, -kit_in).item():.4f}, "
      f"L_G = {generator_loss(kit_in).item():.4f}, all finite: {bool(torch.isfinite(total))}")

# %% [markdown]
# (The real-sample logit of `+inf` above simply switches off `L_D`'s real term, leaving
# the fake term alone. At equilibrium, `D = 1/2` everywhere, `L_D = 2 log 2 ≈ 1.386`.)
#
# ## 3. The VAE loss: reconstruction plus a KL divergence
#
# The article's chapter 3 names the VAE (encoder, decoder) but never writes its loss.
# For an encoder that outputs a Gaussian `q(z|x) = N(μ, diag σ²)` and a standard normal
# prior, the loss `vae_loss` computes per example is
#
# $$\underbrace{\sum_k (\hat x_k - x_k)^2}_{\text{reconstruction}}
#   \;+\; \beta\,\underbrace{\tfrac12 \sum_j \bigl(\sigma_j^2 + \mu_j^2 - 1 - \log \sigma_j^2\bigr)}_{\mathrm{KL}(q(z|x)\,\|\,N(0, I))},$$
#
# averaged over the batch. The sum of squared errors is the negative log-likelihood of a
# Gaussian decoder up to constants (with variance `β/2`, see the docstring); the KL has
# the closed form above. A closed form is worth checking: the KL is by definition the
# expectation `E_q[log q(z) - log p(z)]`, which we can estimate by sampling `z ~ q`.

# %%
mu = torch.tensor([[0.0, 0.0, 0.0], [1.0, -0.5, 0.2], [2.0, 0.3, -1.5]], dtype=torch.float64)
logvar = torch.tensor([[0.0, 0.0, 0.0], [-1.0, 0.5, 0.0], [-3.0, 1.0, 0.4]], dtype=torch.float64)
q, prior = Normal(mu, (0.5 * logvar).exp()), Normal(0.0, 1.0)
z = q.sample((n_mc,))  # (n_mc, 3 examples, 3 latent dims)
log_ratio = (q.log_prob(z) - prior.log_prob(z)).sum(dim=-1)
display(pd.DataFrame({
    "closed form": gaussian_kl(mu, logvar).numpy(),
    "Monte Carlo": log_ratio.mean(dim=0).numpy(),
    "± 1 s.e.": (log_ratio.std(dim=0) / n_mc**0.5).numpy(),
    "torch.distributions": kl_divergence(q, Normal(0.0, 1.0)).sum(dim=-1).numpy(),
}, index=["q = prior", "example 1", "example 2"]).round(4))

x_batch = torch.randn(3, 16, dtype=torch.float64)
for beta in (1.0, 4.0):
    total_loss, reconstruction, kl = vae_loss(x_batch + 0.1 * torch.randn_like(x_batch), x_batch, mu, logvar, beta=beta)
    print(f"beta = {beta}: total {total_loss:.3f} = reconstruction {reconstruction:.3f} "
          f"+ {beta} x KL {kl:.3f}")

# %% [markdown]
# ## 4. Optimisers from their update equations
#
# **Gradient descent** (article, 4.4): `θ_{t+1} = θ_t − α ∇L(θ_t)`. **Adam** (correct form,
# Kingma & Ba 2015), with `g_t` the gradient at step `t`:
#
# $$m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t,\qquad v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2,$$
# $$\hat m_t = \frac{m_t}{1-\beta_1^t},\quad \hat v_t = \frac{v_t}{1-\beta_2^t},\qquad
#   \theta_t = \theta_{t-1} - \alpha \frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon}.$$
#
# `m` and `v` are running averages of the gradient and its square; Adam steps by about `α`
# in the direction of the averaged gradient, in every coordinate, whatever the gradient's
# scale. Both are `torch.optim.Optimizer` subclasses in `aigc_kit.training`. We race them on
# **Rosenbrock's function** `(1 − x)² + 100 (y − x²)²`, whose minimum at (1, 1) lies at the
# bottom of a long, curved valley that is ~1000 times steeper across than along.

# %%
start = [-1.5, 2.0]
runs = {
    f"gradient descent, α = {gd_lr}": trajectory(lambda p: GradientDescent(p, lr=gd_lr), rosenbrock, start, n_steps),
    f"Adam, α = {adam_lr}": trajectory(lambda p: Adam(p, lr=adam_lr), rosenbrock, start, n_steps),
}
grid_x, grid_y = np.meshgrid(np.linspace(-2, 2, 300), np.linspace(-1, 3, 300))
surface = rosenbrock(torch.from_numpy(np.stack([grid_x, grid_y], axis=-1))).numpy()

fig, axes = plt.subplots(1, 2, figsize=(13, 4))
axes[0].contour(grid_x, grid_y, np.log10(surface + 1e-3), levels=20, cmap="Greys", linewidths=0.6)
for (name, (points, losses)), width in zip(runs.items(), (3.0, 1.0), strict=True):
    axes[0].plot(points[:, 0], points[:, 1], lw=width, label=name)
    axes[0].plot(*points[-1], "o", color=axes[0].lines[-1].get_color())
    axes[1].semilogy(losses, label=name)
    print(f"{name:<28s}: after {n_steps} steps at ({points[-1, 0]:.4f}, {points[-1, 1]:.4f}), "
          f"loss {losses[-1]:.2e}")
axes[0].plot(*start, "ks", label="start")
axes[0].plot(1, 1, "r*", ms=12, label="minimum (1, 1)")
axes[0].set(xlabel="x", ylabel="y", title="paths on Rosenbrock's function")
axes[0].legend(fontsize=8)
axes[1].set(xlabel="step", ylabel="loss", title="loss per step")
axes[1].legend(fontsize=8)
plt.tight_layout()
plt.show()

# %% [markdown]
# Both follow the valley floor (the dots mark where they stop), but gradient descent's
# step is limited by the steepest direction, across the valley, so along it it crawls.
# Try `gd_lr = 2e-3`: the first steps bounce across the valley (the loss jumps to about
# 500) before it settles; at 2.5e-3 the run diverges. Adam rescales each coordinate by its
# own gradient size and reaches the minimum.
#
# ### The kit's Adam against `torch.optim.Adam`
#
# Same problem, same settings, 1,000 steps, float64: on Rosenbrock and on a random
# least-squares problem with 40 parameters. The kit performs the same floating-point
# operations in the same order as PyTorch, so the two should agree to round-off.

# %%
design = torch.randn(200, 40, dtype=torch.float64)
target = torch.randn(200, dtype=torch.float64)
problems = {
    "Rosenbrock": (rosenbrock, start),
    "least squares (40 params)": (lambda w: ((design @ w - target) ** 2).mean(), np.zeros(40)),
}
for name, (loss_fn, x0) in problems.items():
    ours, ours_loss = trajectory(lambda p: Adam(p, lr=1e-2), loss_fn, x0, 1000)
    ref, ref_loss = trajectory(lambda p: torch.optim.Adam(p, lr=1e-2), loss_fn, x0, 1000)
    rel = np.max(np.abs(ours[-1] - ref[-1]) / np.abs(ref[-1]))
    print(f"{name:<26s}: loss {ref_loss[0]:.3f} -> {ref_loss[-1]:.4f}; max relative difference "
          f"of the parameters after 1000 steps: {rel:.1e}")
gd_path, _ = trajectory(lambda p: GradientDescent(p, lr=1e-2), problems["least squares (40 params)"][0], np.zeros(40), 200)
sgd_path, _ = trajectory(lambda p: torch.optim.SGD(p, lr=1e-2), problems["least squares (40 params)"][0], np.zeros(40), 200)
print(f"GradientDescent vs torch.optim.SGD after 200 steps: identical = {np.array_equal(gd_path, sgd_path)}")

# %% [markdown]
# ## 5. Errata: the source's Adam, and what it actually does
#
# The article prints
#
# $$m_t = \beta_1 m_{t-1} + (1-\beta_1)\,[g_t - m_{t-1}] \tag{1}$$
# $$v_t = \beta_2 v_{t-1} + (1-\beta_2)\,[g_t^2 - v_{t-1}] \tag{2}$$
# $$\theta_{t+1} = \theta_t - \frac{\alpha}{\sqrt{1-\beta_2^t}\,(1-\beta_1^t)} \cdot \frac{m_t}{\sqrt{v_t}+\epsilon} \tag{3}$$
#
# **(1) and (2) are not moving averages of the gradient.** Expanding (1):
# `m_t = (2β₁ − 1) m_{t−1} + (1 − β₁) g_t`, i.e. `0.8 m + 0.1 g` for β₁ = 0.9. The weights
# add up to β₁ = 0.9, not 1. For a constant gradient `g` the fixed point is
# `m = 0.1 g / 0.2 = g/2`, and likewise `v → g²/2`: the moments are halved, their memory is
# shortened (decay 0.8 instead of 0.9, about 5 steps instead of 10; 0.998 instead of
# 0.999 for `v`), and the bias correction `1/(1 − β^t)`, derived for the true average,
# no longer removes the start-up bias. The step dips to about `α/2` while `m̂ ≈ g/2` but
# `v̂` is still near `g²`, and only in the long run settles at
# `α (g/2)/(|g|/√2) = α/√2 ≈ 0.71 α`.
# The misprint most likely mixes two correct ways of writing the same average:
# `β₁ m + (1 − β₁) g` and `m + (1 − β₁)(g − m)` (the second is how PyTorch computes it).
#
# **(3) puts the square root in the wrong place.** From the correct equations,
#
# $$\frac{\hat m_t}{\sqrt{\hat v_t}} = \frac{m_t/(1-\beta_1^t)}{\sqrt{v_t}/\sqrt{1-\beta_2^t}}
#   = \frac{\sqrt{1-\beta_2^t}}{1-\beta_1^t}\cdot\frac{m_t}{\sqrt{v_t}},$$
#
# so the factor has `√(1 − β₂ᵗ)` in the **numerator**. The printed factor divides by it
# instead, which makes every step larger by `1/(1 − β₂ᵗ)`: **1000×** at the first step with
# β₂ = 0.999 (not the ~32× = `1/√(1 − β₂)` one might guess: the square root is not merely
# missing, it is inverted, so the error is squared), still 100× at step 10, and it only
# falls below 2× after about 700 steps. `Adam(..., variant="printed_moment")` and
# `variant="printed_step"` reproduce each error on its own.

# %%
t = np.array([1, 2, 10, 100, 693, 1000, 5000])
display(pd.DataFrame({
    "correct √(1-β₂ᵗ)/(1-β₁ᵗ)": step_factor(t),
    "printed 1/(√(1-β₂ᵗ)(1-β₁ᵗ))": step_factor(t, variant="printed_step"),
    "printed / correct = 1/(1-β₂ᵗ)": step_factor(t, variant="printed_step") / step_factor(t),
}, index=pd.Index(t, name="step t")).round(3))

# %% [markdown]
# Now measured on the kit's optimisers. A constant gradient (`L = θ`, `g = 1` at every
# step) isolates the update rules: correct Adam moves exactly `α` per step; the printed
# moment update's `m_t` climbs to `g/2` instead of `g`; the printed step starts 1000× too
# large. Then all three variants on Rosenbrock, from the same start, with `α = adam_lr`.

# %%
variants = ("correct", "printed_moment", "printed_step")
n_const = 3000
const_lr = 1e-3
moments, step_sizes = {}, {}
for variant in variants:
    theta = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    opt = Adam([theta], lr=const_lr, variant=variant)
    m_hist, previous, sizes = [], 0.0, []
    for _ in range(n_const):
        opt.zero_grad()
        theta.sum().backward()
        opt.step()
        m_hist.append(opt.state[theta]["exp_avg"].item())
        sizes.append(abs(theta.item() - previous) / const_lr)
        previous = theta.item()
    moments[variant], step_sizes[variant] = np.array(m_hist), np.array(sizes)

steps_axis = np.arange(1, n_const + 1)
fig, axes = plt.subplots(1, 3, figsize=(15, 3.8))
for variant in variants:
    axes[0].plot(steps_axis[:60], moments[variant][:60], label=variant)
    axes[1].loglog(steps_axis, step_sizes[variant], label=variant)
axes[0].plot(steps_axis[:60], 1 - 0.9 ** steps_axis[:60], "k:", lw=1, label="1 − 0.9ᵗ")
axes[0].plot(steps_axis[:60], 0.5 * (1 - 0.8 ** steps_axis[:60]), "k--", lw=1, label="(1 − 0.8ᵗ)/2")
axes[0].set(xlabel="step t", ylabel="m_t", title="first moment, constant gradient g = 1")
axes[0].legend(fontsize=8)
axes[1].loglog(steps_axis, 1 / (1 - 0.999**steps_axis), "k:", lw=1, label="1/(1 − 0.999ᵗ)")
axes[1].set(xlabel="step t", ylabel="|step| / α", title="step size, constant gradient")
axes[1].legend(fontsize=8)
for variant in variants:
    _, losses = trajectory(lambda p, v=variant: Adam(p, lr=adam_lr, variant=v), rosenbrock, start, n_steps)
    axes[2].semilogy(losses, label=variant)
    print(f"{variant:<15s}: first step {step_sizes[variant][0]:7.1f} α, step 3000 "
          f"{step_sizes[variant][-1]:.3f} α; Rosenbrock loss after 1 step {losses[1]:.3g}, "
          f"after {n_steps} steps {losses[-1]:.3g}")
axes[2].set(xlabel="step", ylabel="loss", title=f"Rosenbrock, α = {adam_lr}")
axes[2].legend(fontsize=8)
plt.tight_layout()
plt.show()

# %% [markdown]
# The printed step is not a harmless constant: at `α = 0.05` its first step is 50 units
# long, which throws the point far up the valley wall (loss of order 10⁸), and it does not
# find its way back in 2,000 steps. The printed moments still head for the minimum, but
# more slowly and less steadily: they behave like an Adam with shorter memory and a
# smaller, drifting learning rate (0.5–0.71 α). Neither is Adam, and neither would
# reproduce a result obtained with it.
#
# ## Summary
#
# - An energy model turns any score `V` into a distribution `exp(−V)/Z`. On a small space
#   (65,536 melodies) `Z` is an exact sum, samples match `P` within their standard errors,
#   and `−log P = V + log Z`: energies are defined only up to a constant.
# - GAN losses are best computed from logits: `−log D = softplus(−l)` and
#   `−log(1 − D) = softplus(l)` stay finite at logits of ±100 where the naive float32
#   formula gives `inf`/`nan`. The non-saturating `L_G = −log D(G(z))` keeps a gradient of
#   about 1 when the discriminator wins; the saturating `log(1 − D)` does not.
# - The VAE loss is a reconstruction error plus `β` × a KL divergence whose closed form
#   agrees with a Monte-Carlo estimate.
# - Gradient descent and Adam written from their equations match PyTorch's to round-off.
#   The article's Adam is wrong twice: its moment updates converge to half the gradient,
#   and its bias-correction factor makes the first step 1000× too large.

# %% [markdown]
# ## Exercises
#
# Each exercise says what to put in `answer`; run the cell after it to check your answer
# (the check says right or not yet, with a hint; it never shows the solution).

# %%
from aigc_kit import check

# %% [markdown]
# ### Exercise 1 · What the energy model prefers
#
# `melodies` holds all 65,536 melodies (one row each, scale degrees, degree 0 the tonic)
# and `P` their exact probabilities under the energy model. What is the probability that
# a melody drawn from `P` *ends on the tonic*? Compute it exactly from `P` (not from the
# samples `draws` or `freq`), and compare it with the share of melodies that end on the
# tonic, which is what a uniform distribution would give. `answer`: a float in [0, 1].

# %% tags=["solution"]
ends_on_tonic = melodies[:, -1] == 0
answer = float(P[ends_on_tonic].sum())
print(f"P(last note is the tonic) = {answer:.4f}, against {ends_on_tonic.mean():.2f} "
      f"of all melodies; estimated from the {n_draws:,} samples: {freq[ends_on_tonic].sum():.4f}")

# %%
check.ch05_ex1(answer, melodies, P)

# %% [markdown]
# ### Exercise 2 · Adam from its equations
#
# Write Adam for a single scalar parameter in plain Python or NumPy, from the correct
# equations of section 4 (not with the kit's or torch's optimiser): a function
# `adam_path(grads, lr)` that starts at `theta = 0` with `m = v = 0`, applies one update
# per gradient in `grads` (a 1-D array, the gradient `g_t` of step `t = 1, 2, ...`), with
# `betas = (0.9, 0.999)` and `eps = 1e-8`, and returns the parameter after each step, a
# NumPy array of `len(grads)` floats. Try it on a constant gradient: how far does each
# step move? Set `answer = adam_path` (the function); the check runs it on gradient
# sequences of its own.

# %% tags=["solution"]
def adam_path(grads, lr, betas=(0.9, 0.999), eps=1e-8):
    """Adam on one scalar from 0: the parameter after each gradient of ``grads``."""
    beta1, beta2 = betas
    theta, m, v, path = 0.0, 0.0, 0.0, []
    for step, g in enumerate(grads, start=1):
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g**2
        m_hat, v_hat = m / (1 - beta1**step), v / (1 - beta2**step)
        theta = theta - lr * m_hat / (np.sqrt(v_hat) + eps)
        path.append(theta)
    return np.array(path)


print("constant gradient 1, lr 0.1:", adam_path(np.ones(4), 0.1).round(6))
print("constant gradient 1000, lr 0.1:", adam_path(np.full(4, 1000.0), 0.1).round(6))
answer = adam_path

# %%
check.ch05_ex2(answer)

# %% [markdown]
# ### Exercise 3 · A discriminator loss that never overflows
#
# Write the discriminator loss of section 2, `L_D = -[log D(x) + log(1 - D(G(z)))]` with
# `D = sigmoid(logit)`, as a function `d_loss(real_logits, fake_logits)` of two float32
# tensors of the same shape that returns the loss of each pair (a tensor of that shape,
# no mean). It must stay finite at logits of ±200 in float32: use
# `-log(sigmoid(l)) = softplus(-l)` and `-log(1 - sigmoid(l)) = softplus(l)`
# (`torch.nn.functional.softplus`), not `torch.log(torch.sigmoid(...))`. Set
# `answer = d_loss`; the check compares it with the formula on ordinary and on extreme
# logits.

# %% tags=["solution"]
def d_loss(real_logits, fake_logits):
    """-[log D(x) + log(1 - D(G(z)))] per pair, from logits, without overflow."""
    softplus = torch.nn.functional.softplus
    return softplus(-real_logits) + softplus(fake_logits)


print(d_loss(torch.tensor([0.0, 200.0, -200.0]), torch.tensor([0.0, -200.0, 200.0])))
answer = d_loss

# %%
check.ch05_ex3(answer)

# %% [markdown]
# ### Exercise 4 · When does the printed step stop being too large?
#
# Section 5 showed that the article's step factor is too large by `1/(1 - β₂ᵗ)`, and that
# with `β₂ = 0.999` this excess falls below 2× only after about 700 steps. Redo it for
# `betas = (0.9, 0.99)`: what is the first step `t` (counting from 1) at which
# `step_factor(t, betas, variant="printed_step") / step_factor(t, betas)` is below 2?
# Work it out from `β₂ᵗ < 1/2` first, then confirm with `step_factor`. `answer`: an int.

# %% tags=["solution"]
betas_short = (0.9, 0.99)
t_all = np.arange(1, 2001)
excess = step_factor(t_all, betas_short, variant="printed_step") / step_factor(t_all, betas_short)
answer = int(t_all[np.argmax(excess < 2)])
print(f"by hand: t > log(1/2) / log(0.99) = {np.log(0.5) / np.log(0.99):.2f}; "
      f"with step_factor: t = {answer}; excess at step 1: {excess[0]:.0f}x")

# %%
check.ch05_ex4(answer)

# %% [markdown]
# ## Further reading
#
# What this chapter draws on. Every reference of the course, and the source article's own reading list checked and corrected, is on the course site's [Further reading](further_reading.html) page and in the README.
#
# - LeCun et al. (2006). *A Tutorial on Energy-Based Learning*. In: Bakir et al. (eds.), Predicting Structured Data, MIT Press. <http://yann.lecun.com/exdb/publis/pdf/lecun-06.pdf> Kit: `models.energy_probability`, `models.log_partition`, `models.sample_energy`.
# - Goodfellow et al. (2014). *Generative Adversarial Nets*. Advances in Neural Information Processing Systems 27 (NeurIPS 2014). <https://arxiv.org/abs/1406.2661> Kit: `models.MLPGenerator`, `models.MLPDiscriminator`, `training.train_gan`, `training.generator_loss`, `training.discriminator_loss`.
# - Kingma and Welling (2014). *Auto-Encoding Variational Bayes*. International Conference on Learning Representations (ICLR 2014). <https://arxiv.org/abs/1312.6114> Kit: `models.VAE`, `training.vae_loss`, `training.gaussian_kl`, `training.train_vae`.
# - Kingma and Ba (2015). *Adam: A Method for Stochastic Optimization*. International Conference on Learning Representations (ICLR 2015). <https://arxiv.org/abs/1412.6980> Kit: `training.Adam`, `training.step_factor`.
