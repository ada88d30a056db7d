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
# # 10 · Speech synthesis: a digit text-to-speech
#
# *Chapter 6.1 of the source article, "speech synthesis".* Real text-to-speech systems
# (Tacotron, FastSpeech, VITS) learn from tens of hours of speech. The same idea fits in a
# minute of CPU if the vocabulary is small: the ten spoken digits of FSDD, six speakers.
#
# The system has the two stages of a classic neural TTS:
#
# 1. an **acoustic model** from text to a log-mel spectrogram: here a *conditional VAE*
#    (`aigc_kit.models.ConditionalVAE`) told which digit and which speaker to produce;
# 2. a **vocoder** from spectrogram to waveform: here the kit's default, the mel bands
#    turned into a linear spectrum by non-negative least squares, then Griffin-Lim (the
#    comparison of vocoders is in chapter 6).
#
# `say("2026", speaker="theo")` strings generated words together with short pauses.
# How good is it? Like the WaveGAN paper's labelling test on spoken digits, a recogniser
# trained on *real* speech listens to the generated words and we count how often it hears
# the intended digit: the *intelligibility*. It listens to the **sound**: every generated
# word is vocoded first, and the recogniser hears the waveform through its own front end
# (MFCCs at 25 ms / 10 ms, not the generator's log-mel image), so an image that looks
# right but inverts to mush is counted as mush.

# %% tags=["parameters"]
train_steps = 1000  # training steps of the conditional VAE (about 30 s on 2 CPU cores)
temperature = 0.2  # scale of the latent codes when speaking (lower: clearer, less varied)
text = "2026"  # what to say
speaker = "theo"  # one of FSDD's six speakers
seed = 0

# %%
import matplotlib.pyplot as plt
import numpy as np
import torch
from IPython.display import display

from aigc_kit import get_device, seed_everything
from aigc_kit.apps.speech import intelligibility, say, say_words, train_digit_voice
from aigc_kit.evaluation import speech_listener
from aigc_kit.features import FSDD_SPEC, fsdd_waveforms, to_audio, to_db, to_images
from aigc_kit.interaction import audio_table
from aigc_kit.training import RunConfig

seed_everything(seed)
device = get_device()
test_audio, test_labels = fsdd_waveforms("test")
print(f"FSDD: {len(test_audio)} held-out words from {test_labels.speaker.nunique()} speakers "
      f"({', '.join(sorted(test_labels.speaker.unique()))}); device {device}; images of "
      f"{FSDD_SPEC.n_mels} mel bands x {FSDD_SPEC.n_frames} frames, hop "
      f"{1000 * FSDD_SPEC.hop_length / FSDD_SPEC.sr:.0f} ms")

# %% [markdown]
# ## The listener
# `speech_listener()` (from `aigc_kit.evaluation`) is a digit recogniser trained on the
# real FSDD training recordings only, never on anything generated. It hears a waveform
# through its own MFCC front end (25 ms windows, 10 ms hop, 40 bands) and a logistic
# regression. Its score on the real held-out recordings is the ceiling for the generated
# words; its score on the same recordings after a trip through the generator's image and
# the vocoder (`to_images`, then `to_audio`) says how much the representation itself
# loses, before any model.

# %%
listener = speech_listener()
digits = test_labels.digit.to_numpy()
real_heard = listener.accuracy(test_audio, digits, FSDD_SPEC.sr)
round_trip = to_audio(to_images(test_audio, FSDD_SPEC), FSDD_SPEC)
trip_heard = listener.accuracy(round_trip, digits, FSDD_SPEC.sr)
print(f"heard as spoken: real held-out words {real_heard:.1%}; the same words through the "
      f"{FSDD_SPEC.n_mels}x{FSDD_SPEC.n_frames} image and the vocoder {trip_heard:.1%}")

# %% [markdown]
# ## The acoustic model
# Each training image comes with two labels, the digit and the speaker. The encoder sees
# image and labels and keeps, in a 4-D code, only what the labels do not say (timing,
# intonation, the take); the decoder rebuilds the image from code and labels. The loss is
# the VAE's (reconstruction + KL); the small code under the full KL weight leaves the
# digit and the voice to the labels.

# %%
voice = train_digit_voice(run=RunConfig(steps=train_steps, seed=seed, device=device,
                                        live_plot=True))
voice.temperature = temperature
print(f"{voice.result.steps} steps in {voice.result.seconds:.0f} s")

# %% [markdown]
# ## Every digit, every speaker
# One generated word per (digit, speaker): rows are speakers, columns digits.

# %%
grid = torch.cat([voice.images(list(range(10)), name, seed=seed) for name in voice.speakers])
fig, axes = plt.subplots(len(voice.speakers), 10, figsize=(16, 1.4 * len(voice.speakers)))
for ax, image in zip(axes.flat, to_db(grid).numpy(), strict=True):
    ax.imshow(image, origin="lower", aspect="auto", cmap="magma")
    ax.set(xticks=[], yticks=[])
for d in range(10):
    axes[0, d].set_title(f"'{d}'")
for s, name in enumerate(voice.speakers):
    axes[s, 0].set_ylabel(name, rotation=0, ha="right")
plt.show()

# %% [markdown]
# ## Say it
# Generated words, trimmed and levelled, joined with 0.12 s pauses. Next to them, the same
# digits spoken by the same speaker (held-out takes): as recorded, and after the round trip
# through the image and the vocoder, so you hear what the representation keeps and what
# the model adds. The listener then hears the generated sentence word by word.

# %%
spoken = say(voice, text, speaker, seed=seed)
pause = np.zeros(int(0.12 * FSDD_SPEC.sr), np.float32)
take = [int(np.flatnonzero((digits == int(c)) & (test_labels.speaker == speaker).to_numpy())[0])
        for c in text if c.isdigit()]


def joined(words: np.ndarray) -> np.ndarray:
    """Words ``(n, n_samples)`` joined with the pauses ``say`` uses."""
    return np.concatenate([part for word in words for part in (word, pause)])


display(audio_table({f'generated "{text}" ({speaker})': spoken,
                     "real words, same speaker": joined(test_audio[take]),
                     "real words through image + vocoder": joined(round_trip[take])},
                    FSDD_SPEC.sr))
words = say_words(voice, text, speaker, seed=seed)
heard_words = listener.predict(words, FSDD_SPEC.sr)
print(f'say("{text}") is heard as: {" ".join(str(d) for d in heard_words)}')
fig, ax = plt.subplots(figsize=(12, 2.5))
ax.plot(np.arange(len(spoken)) / FSDD_SPEC.sr, spoken, lw=0.5)
ax.set(xlabel="time (s)", title=f'say("{text}", speaker="{speaker}")')
plt.show()

# %% [markdown]
# ## Intelligibility
# Five generated words for every (digit, speaker) pair, 300 in all, vocoded and heard by
# the listener. The fair comparison is the listener's score on real held-out words, above.

# %%
heard = intelligibility(voice, listener, n_per_pair=5, seed=seed)
score = heard.correct.mean()
print(f"intelligibility (heard as audio): {score:.1%} of {len(heard)} generated words heard as "
      f"intended; real held-out words {real_heard:.1%} ({score / real_heard:.2f}x); chance 10%")
display(heard.pivot_table(index="speaker", columns="digit", values="correct", aggfunc="mean")
        .style.format("{:.0%}").background_gradient(cmap="RdYlGn", vmin=0, vmax=1))
by_temperature = {}
for t in (0.0, 0.5, 1.0):
    voice.temperature = t
    by_temperature[t] = intelligibility(voice, listener, n_per_pair=1, seed=seed + 1).correct.mean()
voice.temperature = temperature
print("intelligibility by temperature:", {t: f"{v:.0%}" for t, v in by_temperature.items()})

# %% [markdown]
# Lower temperatures draw codes nearer the centre of the latent space: more typical,
# clearer words, less variety between repetitions. That trade-off between fidelity and
# diversity runs through all generative models (it is BigGAN's "truncation trick").
#
# ## Summary
#
# - A text-to-speech system is an acoustic model (text -> spectrogram) plus a vocoder
#   (spectrogram -> waveform). A conditional VAE and Griffin-Lim are the smallest honest
#   versions of both.
# - Conditioning turns a generator into a controllable one: the same code with another
#   label gives the other digit or the other voice.
# - Intelligibility can be measured without people: a recogniser trained on real speech
#   labels the generated words, as in the WaveGAN paper. It must hear the *sound*
#   (vocoded, through its own front end): a classifier of the generator's own images
#   would praise images that invert to mush.

# %% [markdown]
# ## Exercises
#
# Each exercise ends with `answer = ...`; the cell after it checks your answer (right, or
# a hint; never the solution). They use what this notebook already made: the table
# `heard` (one row per generated word: `digit`, `speaker`, `heard`, `correct`), the real
# held-out words and their round trip. Nothing is trained again.

# %%
from aigc_kit import check

# %% [markdown]
# ### Exercise 1 · The hardest voice
# Which speaker's generated words does the listener hear as intended least often? Use
# `heard`: the share of `correct` per `speaker`.
#
# `answer`: the speaker's name, a string (e.g. `"theo"`). Listen to
# `say(voice, "0123456789", answer)`: what goes wrong?

# %% tags=["solution"]
share_by_speaker = heard.groupby("speaker")["correct"].mean()
print(share_by_speaker.round(2).to_dict())
answer = share_by_speaker.idxmin()

# %%
check.ch10_ex1(answer, heard)

# %% [markdown]
# ### Exercise 2 · What is heard instead: the confusion matrix
# Count, from `heard`, how many generated words of each intended digit were heard as each
# digit: rows are the intended digit (`digit`), columns the digit heard (`heard`), all ten
# digits on both axes, counts (not shares).
#
# `answer`: an integer NumPy array of shape `(10, 10)`. Its diagonal over its total is the
# intelligibility above; which off-diagonal pair is the largest?

# %% tags=["solution"]
confusion = np.zeros((10, 10), dtype=int)
np.add.at(confusion, (heard.digit.to_numpy(), heard.heard.to_numpy()), 1)
off_diagonal = confusion - np.diag(np.diag(confusion))
worst_pair = np.unravel_index(off_diagonal.argmax(), off_diagonal.shape)
print(f"diagonal share {np.trace(confusion) / confusion.sum():.1%}; most frequent confusion: "
      f"{worst_pair[0]} heard as {worst_pair[1]} ({off_diagonal.max()} words)")
answer = confusion

# %%
check.ch10_ex2(answer, heard)

# %% [markdown]
# ### Exercise 3 · How sure is the intelligibility?
# The intelligibility is a share of `n = len(heard)` words, `k` of them heard as intended.
# Compute its 95 % **Wilson** interval (the one chapter 7's listening tests use): with
# `p = k / n` and `z = scipy.stats.norm.ppf(0.975)`,
#
# $$\text{centre} = \frac{p + z^2/(2n)}{1 + z^2/n},\qquad
# \text{half-width} = \frac{z}{1 + z^2/n}\sqrt{\frac{p(1-p)}{n} + \frac{z^2}{4n^2}}.$$
#
# `answer`: a NumPy array `[low, high]` of shares (between 0 and 1). Does it overlap the
# listener's score on real words, `real_heard`?

# %% tags=["solution"]
from scipy import stats

k_heard, n_words = int(heard.correct.sum()), len(heard)
p_heard, z = k_heard / n_words, stats.norm.ppf(0.975)
centre = (p_heard + z**2 / (2 * n_words)) / (1 + z**2 / n_words)
half = z / (1 + z**2 / n_words) * np.sqrt(p_heard * (1 - p_heard) / n_words
                                          + z**2 / (4 * n_words**2))
answer = np.array([centre - half, centre + half])
print(f"intelligibility {p_heard:.1%}, 95% Wilson interval {answer[0]:.1%}-{answer[1]:.1%}; "
      f"real words {real_heard:.1%}")

# %%
check.ch10_ex3(answer, heard)

# %% [markdown]
# ### Exercise 4 · What the representation costs, in dB
# Before any model, the image and the vocoder already lose something. Take the real words
# of the sentence, `test_audio[take]`, and their round trip, `round_trip[take]` (arrays of
# shape `(n_words, n_samples)`). The vocoder's output has its own level, so first scale
# each round-trip word to the RMS of its real word; then compute the kit's `lsd`
# (`from aigc_kit.evaluation import lsd`, estimate first, at `FSDD_SPEC.sr`) of each word
# against its real word.
#
# `answer`: the mean LSD over the words, a float in dB.

# %% tags=["solution"]
from aigc_kit.evaluation import lsd

real_words, trip_words = test_audio[take], round_trip[take]
rms_ratio = np.sqrt((real_words**2).mean(1, keepdims=True) / (trip_words**2).mean(1, keepdims=True))
per_word = lsd(trip_words * rms_ratio, real_words, FSDD_SPEC.sr)
answer = float(per_word.mean())
print("LSD per word (dB):", np.round(per_word, 2), f"mean {answer:.2f}")

# %%
check.ch10_ex4(answer, test_audio[take], round_trip[take], FSDD_SPEC.sr)

# %% [markdown]
# ## Further reading
#
# What this chapter draws on. Every reference of the course, and the source article's own reading list checked and corrected, is on the course site's [Further reading](further_reading.html) page and in the README.
#
# - Wang et al. (2017). *Tacotron: Towards End-to-End Speech Synthesis*. Interspeech 2017. <https://arxiv.org/abs/1703.10135> Kit: `models.SpectralInverter`, `training.TrainedVocoder`.
# - Ren et al. (2019). *FastSpeech: Fast, Robust and Controllable Text to Speech*. Advances in Neural Information Processing Systems 32 (NeurIPS 2019). <https://arxiv.org/abs/1905.09263> Kit: background, not used directly.
# - Kim, Kong and Son (2021). *Conditional Variational Autoencoder with Adversarial Learning for End-to-End Text-to-Speech*. International Conference on Machine Learning (ICML 2021). <https://arxiv.org/abs/2106.06103> Kit: background, not used directly.
# - Sohn, Lee and Yan (2015). *Learning Structured Output Representation using Deep Conditional Generative Models*. Advances in Neural Information Processing Systems 28 (NeurIPS 2015). <https://papers.nips.cc/paper/5775-learning-structured-output-representation-using-deep-conditional-generative-models> Kit: `models.ConditionalVAE`, `apps.speech.train_digit_voice`.
# - Donahue, McAuley and Puckette (2019). *Adversarial Audio Synthesis*. International Conference on Learning Representations (ICLR 2019). <https://arxiv.org/abs/1802.04208> Kit: `apps.speech.intelligibility`.
# - Brock, Donahue and Simonyan (2018). *Large Scale GAN Training for High Fidelity Natural Image Synthesis*. arXiv:1809.11096 (ICLR 2019). <https://arxiv.org/abs/1809.11096> Kit: `apps.speech.say`.
# - Davis and Mermelstein (1980). *Comparison of parametric representations for monosyllabic word recognition in continuously spoken sentences*. IEEE Transactions on Acoustics, Speech, and Signal Processing 28(4), 357-366. <https://doi.org/10.1109/TASSP.1980.1163420> Kit: `features.mfcc`, `evaluation.speech_listener`.
# - Wilson (1927). *Probable Inference, the Law of Succession, and Statistical Inference*. Journal of the American Statistical Association 22(158), 209-212. <https://www.jstor.org/stable/2276774> Kit: `evaluation.ab_preference`, `evaluation.ai_or_real`.
