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
# # 4 · Deep learning models: supervised and unsupervised, GAN and VAE
#
# *Chapter 3.1–3.2 of the source article.* The article sorts deep models into two kinds and
# lists four training steps for each. Here each kind is a model that runs:
#
# | | learns from | the kit's model | used for |
# |---|---|---|---|
# | **supervised** | inputs *with labels* (which digit was spoken) | `MelClassifier`, a small CNN on log-mel images | recognising content; later, the *evaluation network* that scores generators |
# | **unsupervised** | inputs alone | `MLPGenerator` + `MLPDiscriminator` (a GAN); `MLPEncoder` + `MLPDecoder` (a VAE) | generating new content (chapter 6) |
#
# Every model works on the same input: a log-mel spectrogram cut to a fixed size and scaled
# to [−1, 1], a *mel image* (`aigc_kit.features`).

# %% tags=["parameters"]
classifier_epochs = 12  # passes over the 2,700 training images (about 30 s on 2 cores)
gan_demo_steps = 150  # adversarial steps shown in the GAN anatomy section
vae_demo_steps = 150  # steps shown in the VAE anatomy section
seed = 0

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import torch
from IPython.display import display

from aigc_kit import get_device, seed_everything
from aigc_kit.features import FSDD_SPEC, NOTES_SPEC, fsdd_images, notes_images, to_audio, to_db
from aigc_kit.generation import sample
from aigc_kit.interaction import audio_table, plot_spectrogram
from aigc_kit.models import (
    VAE,
    MelClassifier,
    MLPDecoder,
    MLPDiscriminator,
    MLPEncoder,
    MLPGenerator,
    count_parameters,
)
from aigc_kit.training import (
    GANConfig,
    RunConfig,
    evaluate_classifier,
    predict,
    train_classifier,
    train_gan,
    train_vae,
    vae_loss,
)

seed_everything(seed)
device = get_device()
print(f"device: {device}")


# %% [markdown]
# ## Supervised learning: the four steps of chapter 3.2.1
#
# ### Step 1 · Data preparation
# Labelled data: FSDD recordings, each trimmed of silence, centred, levelled and turned into
# a log-mel image of `FSDD_SPEC` (64 mel bands x 32 frames); the label is the spoken digit. Training and test sets are the
# customary split (takes 0–4 of every speaker are the test set), so the test set holds the
# same speakers saying the digits on other occasions.

# %%
x_train, train_labels = fsdd_images("train")
x_test, test_labels = fsdd_images("test")
y_train = torch.tensor(train_labels.digit.to_numpy())
y_test = torch.tensor(test_labels.digit.to_numpy())
print(f"train {tuple(x_train.shape)}, test {tuple(x_test.shape)}; "
      f"image = {FSDD_SPEC.n_mels} mel bands x {FSDD_SPEC.n_frames} frames "
      f"({FSDD_SPEC.duration_s:.2f} s at {FSDD_SPEC.sr} Hz)")
fig, axes = plt.subplots(1, 10, figsize=(16, 1.9))
for digit, ax in enumerate(axes):
    i = int(np.flatnonzero(train_labels.digit == digit)[0])
    ax.imshow(x_train[i, 0], origin="lower", aspect="auto", cmap="magma", vmin=-1, vmax=1)
    ax.set(title=f"'{digit}'", xticks=[], yticks=[])
plt.show()

# %% [markdown]
# ### Step 2 · Model building
# A convolutional network suits spectrograms: its filters look for local time-frequency
# patterns (formant glides, bursts) wherever they occur.

# %%
classifier = MelClassifier(n_classes=10, in_shape=FSDD_SPEC.shape)
print(classifier)
print(f"{count_parameters(classifier):,} parameters")

# %% [markdown]
# ### Step 3 · Training
# Back-propagation with Adam on the cross-entropy loss, with a *one-cycle* learning-rate
# schedule (warm up, then anneal towards zero), which settles the weights into a good
# minimum in few epochs. The loop has a progress bar, a live plot, a time budget and a
# guard against NaN losses.

# %%
result = train_classifier(classifier, x_train, y_train, epochs=classifier_epochs, batch_size=64,
                          lr=3e-3, x_val=x_test, y_val=y_test,
                          run=RunConfig(seed=seed, device=device, live_plot=True))
print(f"{result.steps} steps in {result.seconds:.1f} s, stopped by: {result.stopped}")

# %% [markdown]
# ### Step 4 · Evaluation
# Accuracy on the held-out takes, the confusion matrix (which digits are mistaken for
# which), and accuracy per speaker.

# %%
accuracy = evaluate_classifier(classifier, x_test, y_test, device=device)
predicted = predict(classifier, x_test, device=device).argmax(dim=1).cpu().numpy()
print(f"test accuracy: {accuracy:.1%} on {len(y_test)} recordings")
confusion = pd.crosstab(test_labels.digit, predicted, rownames=["spoken"], colnames=["heard"])
display(confusion)
per_speaker = (test_labels.assign(correct=predicted == test_labels.digit.to_numpy())
               .groupby("speaker").correct.mean())
display(per_speaker.to_frame("accuracy").style.format("{:.0%}"))

# %% [markdown]
# ## Unsupervised learning I: the GAN (chapter 3.1.2 and 3.2.2)
#
# A **generator** G turns random noise `z` into an example; a **discriminator** D scores an
# example with a logit (positive: "real"). They are trained against each other. These are
# the source article's sizes (chapter 5): latent 100, G with 256-512-1024 hidden units, D
# with 512-256. Data: the generated notes as mel images, no labels used.

# %%
notes_x, notes_labels = notes_images(seed=seed)
generator = MLPGenerator(latent_dim=100, out_shape=NOTES_SPEC.shape)
discriminator = MLPDiscriminator(in_shape=NOTES_SPEC.shape)
print(generator, f"{count_parameters(generator):,} parameters")
print(discriminator, f"{count_parameters(discriminator):,} parameters")
z = torch.randn(4, 100)
with torch.no_grad():
    fake = generator.eval()(z)
    logits = discriminator.eval()(fake)
print(f"z {tuple(z.shape)} -> G(z) {tuple(fake.shape)} in [{fake.min():.2f}, {fake.max():.2f}]"
      f" -> D(G(z)) logits {tuple(logits.shape)}")

# %% [markdown]
# The four GAN steps: (1) data: `notes_x`; (2) models and optimisers: above, Adam inside the
# loop; (3) adversarial training: each step first updates **D** on a real batch and a fake
# batch, then updates **G** through a *frozen* D so that D scores its fakes as real; (4)
# evaluation: look and listen here, measure in chapter 6. A short run:

# %%
gan_run = train_gan(generator, discriminator, notes_x, GANConfig(latent_dim=100),
                    run=RunConfig(steps=gan_demo_steps, seed=seed, device=device))
gan_run.plot()
plt.show()
print(gan_run.history.tail(3).round(3))

# %% [markdown]
# D's output on real notes (`d_real`) and on fakes (`d_fake`) is the tug of war: at the ideal
# equilibrium both would sit at 0.5. After so few steps the samples are still rough; chapter
# 6 trains properly and measures the result.

# %%
samples = sample(generator, 3, seed=seed, device=device)
fig, axes = plt.subplots(1, 3, figsize=(12, 2.5))
for ax, spec_db in zip(axes, to_db(samples).numpy(), strict=True):
    plot_spectrogram(spec_db, NOTES_SPEC.sr, NOTES_SPEC.hop_length, ax=ax,
                     title=f"G(z) after {gan_demo_steps} steps")
plt.tight_layout()
plt.show()

# %% [markdown]
# ## Unsupervised learning II: the VAE (chapter 3.1.3 and 3.2.3)
#
# An **encoder** maps an example to a Gaussian in a small latent space (a mean `mu` and a
# log-variance); a **decoder** maps a latent point back. Training samples `z` from that
# Gaussian (the *reparameterisation trick*, so gradients flow through the sampling) and
# minimises reconstruction error plus the KL divergence of the Gaussian from N(0, I), which
# keeps the latent space smooth enough to sample from. The source article builds an
# encoder and decoder and never trains them; here they train.

# %%
vae = VAE(MLPEncoder(in_shape=NOTES_SPEC.shape, latent_dim=16),
          MLPDecoder(latent_dim=16, out_shape=NOTES_SPEC.shape))
print(f"VAE: {count_parameters(vae):,} parameters")
with torch.no_grad():
    recon, mu, logvar = vae(notes_x[:8])
    total, reconstruction, kl = vae_loss(recon, notes_x[:8], mu, logvar)
print(f"x {tuple(notes_x[:8].shape)} -> mu, logvar {tuple(mu.shape)} -> recon "
      f"{tuple(recon.shape)}; untrained loss {total:.1f} = {reconstruction:.1f} + KL {kl:.2f}")
vae_run = train_vae(vae, notes_x, run=RunConfig(steps=vae_demo_steps, seed=seed, device=device))
vae_run.plot()
plt.show()

# %%
vae.eval()
with torch.no_grad():
    recon, _, _ = vae(notes_x[:2].to(device))
pair = torch.stack([notes_x[0], recon.cpu()[0]])  # (2, 1, n_mels, n_frames)
fig, axes = plt.subplots(1, 2, figsize=(9, 2.5))
titles = [f"real: {notes_labels.class_name[0]}", f"VAE reconstruction, {vae_demo_steps} steps"]
for ax, spec_db, title in zip(axes, to_db(pair).numpy(), titles, strict=True):
    plot_spectrogram(spec_db, NOTES_SPEC.sr, NOTES_SPEC.hop_length, ax=ax, title=title)
plt.tight_layout()
plt.show()
display(audio_table(dict(zip(["real", "VAE reconstruction"], to_audio(pair, NOTES_SPEC),
                             strict=True)), NOTES_SPEC.sr))

# %% [markdown]
# ## Summary
#
# - Supervised learning needs labels and answers a question about its input; the digit
#   classifier reaches high accuracy on held-out takes in seconds of CPU training. It
#   looks at images, so it does not judge generated sound: from chapter 6 on, generated
#   images are vocoded and heard as audio by listeners trained on real recordings (and,
#   for speech, by a recogniser that never heard this data set); the image classifier's
#   view is only shown beside them, labelled.
# - Unsupervised generative models need no labels: a GAN learns by competition between G
#   and D, a VAE by reconstruction under a smooth latent prior.
# - Both follow the same four steps: data, model, training, evaluation. The training loops
#   of `aigc_kit.training` add what real work needs: progress, time budgets, NaN detection,
#   safe checkpoints.

# %% [markdown]
# ## Exercises
#
# Each exercise says what to put in `answer`; run the cell after it to check your answer
# (the check says right or not yet, with a hint; it never shows the solution).

# %%
from aigc_kit import check

# %% [markdown]
# ### Exercise 1 · Where the parameters are
#
# A fully connected layer from `a` inputs to `b` outputs holds an `a x b` weight matrix
# and `b` biases; activations (LeakyReLU, tanh) hold none. Write a function
# `n_mlp_params(sizes)` that returns the number of parameters (an `int`) of the chain of
# layers `sizes[0] -> sizes[1] -> ... -> sizes[-1]`, e.g. `n_mlp_params([3, 4, 2])` for
# a 3 -> 4 -> 2 network. Check it on the GAN's `generator` above: its sizes are
# `[100, 256, 512, 1024, n]` with `n` the number of values in one image
# (`int(np.prod(NOTES_SPEC.shape))`), and your count should equal
# `count_parameters(generator)`. Which layer holds the most parameters?
#
# Set `answer` to the function itself (`answer = n_mlp_params`); the check calls it on
# layer sizes of its own and on the generator's.

# %% tags=["solution"]
def n_mlp_params(sizes):
    """Weights and biases of the fully connected layers sizes[0] -> ... -> sizes[-1]."""
    return sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:], strict=True))


g_sizes = [100, 256, 512, 1024, int(np.prod(NOTES_SPEC.shape))]
print(f"{n_mlp_params(g_sizes):,} by hand, {count_parameters(generator):,} counted by torch")
print("per layer:", [n_mlp_params(pair) for pair in zip(g_sizes[:-1], g_sizes[1:], strict=True)])
answer = n_mlp_params

# %%
check.ch04_ex1(answer, generator)

# %% [markdown]
# ### Exercise 2 · Which digits are hard?
#
# Accuracy is one number; *recall* per class says which digits the classifier misses.
# The recall of digit `d` is the share of test recordings of `d` that the classifier
# predicted as `d`. From `y_test` (the true digits) and `predicted` (the classifier's
# predictions, computed in step 4), compute the recall of every digit: a NumPy array of
# 10 floats between 0 and 1, entry `d` for digit `d`. (It is also each row of `confusion`
# divided by the row's sum, but take care: a digit that is never predicted has no column.)
# Which digit has the lowest recall?

# %% tags=["solution"]
spoken = y_test.numpy()
recall = np.array([np.mean(predicted[spoken == d] == d) for d in range(10)])
print("recall per digit:", recall.round(3), "; hardest digit:", int(recall.argmin()))
answer = recall

# %%
check.ch04_ex2(answer, y_test, predicted)

# %% [markdown]
# ### Exercise 3 · The training loss, by hand
#
# The classifier was trained to minimise the *cross-entropy*: for a recording with logits
# `l` (one per digit) and true digit `y`, the loss is `-log softmax(l)[y]`, where
# `log softmax(l)[k] = l[k] - log(sum_j exp(l[j]))`. Get the logits of every test
# recording with `predict(classifier, x_test)` (shape `(n_test, 10)`), compute the loss
# of each recording with `torch.logsumexp` (not `torch.nn.functional.cross_entropy`), and
# set `answer` to the mean over the test set, a float in nats. Compare it with the
# accuracy: why can a model's loss get worse while its accuracy stays the same?

# %% tags=["solution"]
test_logits = predict(classifier, x_test).double()
log_probs = test_logits - torch.logsumexp(test_logits, dim=1, keepdim=True)
per_recording = -log_probs[torch.arange(len(y_test)), y_test]
print(f"test cross-entropy {per_recording.mean():.4f} nats; worst recording "
      f"{per_recording.max():.2f} nats (its true digit got p = {(-per_recording.max()).exp():.3f})")
answer = per_recording.mean().item()

# %%
check.ch04_ex3(answer, classifier, x_test, y_test)

# %% [markdown]
# ### Exercise 4 · The VAE's KL term
#
# The untrained VAE above encoded the first 8 notes into `mu` and `logvar`, each of shape
# `(8, 16)` (8 examples, 16 latent dimensions). The KL divergence of the posterior
# `N(mu, diag exp(logvar))` from the prior `N(0, I)` has the closed form
# `KL = 0.5 * sum_j (exp(logvar_j) + mu_j^2 - 1 - logvar_j)`, summed over the latent
# dimensions `j`. Compute it for each of the 8 examples: `answer` is a tensor or array of
# shape `(8,)`, in nats. (The `kl` printed above is the mean of these 8 values.)

# %% tags=["solution"]
kl_each = 0.5 * (logvar.exp() + mu**2 - 1 - logvar).sum(dim=1)
print(f"KL per example: {kl_each.numpy().round(4)}; mean {kl_each.mean():.4f}")
answer = kl_each

# %%
check.ch04_ex4(answer, mu, logvar)

# %% [markdown]
# ## Further reading
#
# What this chapter draws on. Every reference of the course, and the source article's own reading list checked and corrected, is on the course site's [Further reading](further_reading.html) page and in the README.
#
# - Goodfellow et al. (2014). *Generative Adversarial Nets*. Advances in Neural Information Processing Systems 27 (NeurIPS 2014). <https://arxiv.org/abs/1406.2661> Kit: `models.MLPGenerator`, `models.MLPDiscriminator`, `training.train_gan`, `training.generator_loss`, `training.discriminator_loss`.
# - Kingma and Welling (2014). *Auto-Encoding Variational Bayes*. International Conference on Learning Representations (ICLR 2014). <https://arxiv.org/abs/1312.6114> Kit: `models.VAE`, `training.vae_loss`, `training.gaussian_kl`, `training.train_vae`.
# - Krizhevsky, Sutskever and Hinton (2012). *ImageNet Classification with Deep Convolutional Neural Networks*. Advances in Neural Information Processing Systems 25 (NeurIPS 2012), 1097-1105. <https://proceedings.neurips.cc/paper/4824-imagenet-classification-with-deep-convolutional-neural-networks> Kit: `models.MelClassifier`.
# - Smith and Topin (2017). *Super-Convergence: Very Fast Training of Neural Networks Using Large Learning Rates*. arXiv:1708.07120. <https://arxiv.org/abs/1708.07120> Kit: `training.train_classifier`.
# - Goodfellow, Bengio and Courville (2016). *Deep Learning*. MIT Press. <https://www.deeplearningbook.org/> Kit: background, not used directly.
