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
train_seconds = 35.0  # training budget of the conditional VAE (s)
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
# image and labels and keeps, in an 8-D code, only what the labels do not say (timing,
# intonation, the take); the decoder rebuilds the image from code and labels. The loss is
# the VAE's (reconstruction + KL); the small code under the full KL weight leaves the
# digit and the voice to the labels.

# %%
voice, run = train_digit_voice(run=RunConfig(steps=None, max_seconds=train_seconds, seed=seed,
                                             device=device, live_plot=True))
voice.temperature = temperature
print(f"{run.steps} steps in {run.seconds:.0f} s")

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
#
# ## Exercises
#
# 1. Listen to `say("0123456789", s)` for every speaker. Which voices does the model get
#    right, and which labels does the listener confuse (`heard` has the answers)?
# 2. Train with `train_seconds = 120`. How do intelligibility and sound change?
# 3. Replace Griffin-Lim's 32 iterations by 4 and by 100 (`to_audio(..., n_iter=)`), and
#    the least-squares inverse by the plain one (`nnls_iter=0`): what do you hear, and
#    what does the listener hear (`listener.accuracy(audio, digits, 8000)`)?
