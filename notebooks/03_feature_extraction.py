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
# # 3 · Feature extraction
#
# *Chapter 2.2 of the source article:* "in audio, features may include pitch, loudness and
# rhythm." Each of these is a measurement with a unit and an error, and this notebook
# treats them so: we compute them on notes whose true pitch we know and on real speech,
# check them, and end by asking how well features *separate* kinds of sound, which is what
# a generator and an evaluator need from them.
#
# | feature | unit | kit function |
# |---|---|---|
# | pitch (fundamental frequency) | Hz per frame, with a voiced flag | `pitch_pyin`, `clip_pitch` |
# | loudness | RMS level in dB per frame | `loudness_db` |
# | rhythm | onset times (s), tempo (BPM) | `onsets_tempo` |
# | timbre and spectrum | dB per mel band and frame; MFCC; spectral centroid (Hz) | `log_mel`, `mfcc`, `spectral_centroid` |
# | harmony | energy per pitch class (12 per frame) | `chroma` |

# %% tags=["parameters"]
sr = 16000  # sample rate of the generated notes (Hz)
seed = 0
n_speech = 600  # FSDD recordings in the separation study
tempo_bpm = 120.0  # tempo of the generated melody in the rhythm section

# %%
import librosa
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import display
from sklearn.decomposition import PCA
from sklearn.model_selection import cross_val_score
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from aigc_kit import seed_everything
from aigc_kit.data import fsdd, synth_note, synth_notes
from aigc_kit.features import (
    chroma,
    clip_pitch,
    hz_to_cents_error,
    log_mel,
    loudness_db,
    mfcc,
    onsets_tempo,
    pitch_pyin,
    spectral_centroid,
    summary_features,
)
from aigc_kit.interaction import audio, audio_table, plot_spectrogram

rng = seed_everything(seed)
notes = synth_notes(sr=sr, seed=seed)
speech = fsdd()

# %% [markdown]
# ## 1. Pitch
#
# **pYIN** (Mauch & Dixon 2014) estimates the fundamental frequency frame by frame from
# the signal's self-similarity and smooths it with a hidden Markov model that also decides
# whether a frame is voiced. On the generated notes we know the truth, so we can measure
# the error in **cents** (hundredths of a semitone; 50 cents is a quarter tone, the point
# where a note is heard as a different note).

#
# pYIN searches a range of pitches on a grid of tenths of a semitone counted from `fmin`.
# Telling it where to look pays twice: the notes here lie between C4 and B4, so a search
# from C3 to C6 (three octaves, instead of the default five from 65 to 2,093 Hz) takes
# less than half the time, and starting the grid on a C puts every grid point on an exact
# tuned pitch.

# %%
search = {"fmin": librosa.note_to_hz("C3"), "fmax": librosa.note_to_hz("C6")}  # Hz
estimated = clip_pitch(notes.to_array(), sr, **search)
cents = hz_to_cents_error(estimated, notes.labels.f0_hz.to_numpy())
notes.labels["pitch_error_cents"] = cents
within = np.mean(np.abs(cents) <= 50)
print(f"clips within 50 cents of the true pitch: {within:.1%} of {len(cents)}")
display(notes.labels.groupby("timbre").pitch_error_cents.agg(["median", "min", "max"]).round(1))

fig, axes = plt.subplots(1, 2, figsize=(12, 3))
for timbre, rows in notes.labels.groupby("timbre"):
    axes[0].scatter(rows.f0_hz, estimated[rows.index], s=12, label=timbre)
axes[0].set(xlabel="true f0 (Hz)", ylabel="estimated f0 (Hz)", title="pYIN on generated notes")
axes[0].legend()
axes[1].hist(np.clip(cents, -60, 60), bins=60)
axes[1].set(xlabel="error (cents, clipped at ±60)", ylabel="clips", title="pitch error")
plt.tight_layout()
plt.show()

# %% [markdown]
# Speech has no single pitch: it glides. Here is the f0 contour of one recording drawn over
# its spectrogram; unvoiced frames (consonants, silence) have no pitch.

# %%
clip, row = speech[speech.labels.index[(speech.labels.speaker == "theo")][7]]
f0, voiced, times = pitch_pyin(clip, speech.sr, fmin=60.0, fmax=400.0, frame_length=512,
                               hop_length=64)
spec = np.abs(np.fft.rfft(np.lib.stride_tricks.sliding_window_view(
    np.pad(clip, 256), 512)[::64] * np.hanning(512), axis=-1)).T
fig, ax = plt.subplots(figsize=(8, 3))
ax.imshow(20 * np.log10(spec + 1e-6), origin="lower", aspect="auto", cmap="magma",
          extent=(0, len(clip) / speech.sr, 0, speech.sr / 2), vmin=-40)
ax.plot(times, np.where(voiced, f0, np.nan), color="cyan", lw=2, label="pYIN f0")
ax.set(ylim=(0, 1500), xlabel="time (s)", ylabel="frequency (Hz)",
       title=f"'{row['digit']}' spoken by {row['speaker']}")
ax.legend()
plt.show()
print(f"median f0 of this recording: {np.nanmedian(f0[voiced]):.0f} Hz")
display(audio(clip, speech.sr))

# %% [markdown]
# ## 2. Loudness
#
# `loudness_db` is the RMS level of each short frame in dB relative to full scale. It shows
# the three loudness levels of the dataset and the envelope of each instrument: the organ
# holds, the plucked string and the bell decay.

# %%
fig, axes = plt.subplots(1, 2, figsize=(12, 3))
hop = 256
c4 = notes.labels[notes.labels.note == "C4"]
for (timbre, loudness), rows in c4.groupby(["timbre", "loudness"]):
    if loudness == "medium":
        curve = loudness_db(notes.clips[rows.index[0]], frame_length=1024, hop_length=hop)
        axes[0].plot(np.arange(len(curve)) * hop / sr, curve, label=timbre)
axes[0].set(xlabel="time (s)", ylabel="RMS (dBFS)", ylim=(-70, 0), title="envelopes, C4")
axes[0].legend()
level = [loudness_db(c, frame_length=1024, hop_length=hop).max() for c in notes.clips]
notes.labels["peak_frame_db"] = level
for name, rows in notes.labels.groupby("loudness_db"):
    axes[1].hist(rows.peak_frame_db, bins=20, alpha=0.7, label=f"target RMS {name} dB")
axes[1].set(xlabel="loudest frame (dBFS)", ylabel="clips", title="loudness levels")
axes[1].legend(fontsize=8)
plt.tight_layout()
plt.show()

# %% [markdown]
# ## 3. Rhythm: onsets and tempo
#
# An **onset** is where a note starts: a sudden rise of energy in some band. Tempo comes
# from the regularity of onsets. We render a short melody at a known tempo with the
# plucked string and check what is recovered.

# %%
beat = 60.0 / tempo_bpm
scale = [60, 62, 64, 65, 67, 69, 71, 72]
pattern = [1, 1, 0.5, 0.5, 1, 1, 1, 0.5, 0.5, 1, 1, 2]  # durations in beats
melody = np.zeros(int(sum(pattern) * beat * sr) + sr, dtype=np.float32)
true_onsets = np.cumsum([0.0] + pattern[:-1]) * beat
for onset, length in zip(true_onsets, pattern, strict=True):
    midi = rng.choice(scale)
    tone = synth_note("pluck", 440.0 * 2 ** ((midi - 69) / 12), length * beat, sr, rng)
    start = int(onset * sr)
    melody[start:start + len(tone)] += 0.5 * tone
found, tempo = onsets_tempo(melody, sr)
errors = np.abs(found[:, None] - true_onsets[None, :]).min(axis=0)
print(f"tempo: true {tempo_bpm:.0f} BPM, estimated {tempo:.1f} BPM")
print(f"{len(found)} onsets found for {len(true_onsets)} notes; "
      f"median timing error {1000 * np.median(errors):.0f} ms")
fig, ax = plt.subplots(figsize=(10, 2.4))
ax.plot(np.arange(len(melody)) / sr, melody, lw=0.4, color="0.5")
ax.vlines(true_onsets, -1, 1, color="C0", lw=2, alpha=0.4, label="true onsets")
ax.vlines(found, -1, 1, color="C3", ls="--", label="detected")
ax.set(xlabel="time (s)", ylim=(-1, 1))
ax.legend(loc="upper right")
plt.show()
display(audio(melody, sr))

# %% [markdown]
# ## 4. Spectral features: log-mel, MFCC, chroma, centroid
#
# The **log-mel spectrogram** (dB per mel band per frame) is the image most audio models
# see. **MFCCs** compress each frame's log-mel spectrum with a cosine transform; the first
# few describe the spectral envelope (timbre). The **spectral centroid** is the spectrum's
# centre of mass in Hz: "brightness". **Chroma** folds the spectrum onto the 12 pitch
# classes. `log_mel` is computed with torchaudio on whole batches at once (and on the GPU
# when there is one): `benchmarks/bench_features.py` measures its speed against librosa.

# %%
g4 = notes.labels[(notes.labels.note == "G4") & (notes.labels.loudness == "medium")]
fig, axes = plt.subplots(3, len(g4), figsize=(15, 7))
batch = np.stack([notes.clips[i] for i in g4.index])
mels = log_mel(batch, sr, n_mels=64).numpy()
coeffs = mfcc(batch, sr, n_mfcc=13)
chromas = chroma(batch, sr)
centroids = spectral_centroid(batch, sr)
for col, (_, row) in enumerate(g4.iterrows()):
    plot_spectrogram(mels[col], sr, 256, ax=axes[0, col], title=f"{row.timbre}: log-mel")
    axes[1, col].imshow(coeffs[col], origin="lower", aspect="auto", cmap="coolwarm")
    axes[1, col].set(title=f"MFCC, centroid {np.median(centroids[col]):.0f} Hz",
                     ylabel="coefficient")
    axes[2, col].imshow(chromas[col], origin="lower", aspect="auto", cmap="Blues")
    axes[2, col].set(yticks=range(12), ylabel="pitch class", title="chroma (G = 7)",
                     yticklabels=["C", "", "D", "", "E", "F", "", "G", "", "A", "", "B"])
plt.tight_layout()
plt.show()
display(audio_table({row.timbre: notes.clips[i] for i, row in g4.iterrows()}, sr))

# %% [markdown]
# ## 5. Do the features separate the classes?
#
# A generator is judged by whether its output *is the intended kind of sound*; that needs
# features in which kinds differ. `summary_features` condenses each clip into one vector
# (means and spreads of MFCCs, centroid and loudness, and the mean chroma). We measure
# separability with a 5-nearest-neighbour classifier, cross-validated, once on all the
# features and once on the **spectral-envelope** ones only (MFCC and centroid), then
# project to 2-D with PCA to look.

# %%
subset = speech.subset(np.isin(np.arange(len(speech)),
                               rng.choice(len(speech), n_speech, replace=False)))
feats_notes = summary_features(notes.clips, sr)
feats_speech = summary_features(subset.clips, subset.sr)
envelope = [c for c in feats_notes.columns if c.startswith(("mfcc", "centroid"))]
print(f"{feats_notes.shape[1]} summary features per clip, {len(envelope)} of them "
      "spectral-envelope features")

studies = [
    ("generated notes by timbre", feats_notes, notes.labels.timbre),
    ("FSDD by speaker", feats_speech, subset.labels.speaker),
    ("FSDD by digit", feats_speech, subset.labels.digit.astype(str)),
]
knn = make_pipeline(StandardScaler(), KNeighborsClassifier(5))
table = pd.DataFrame(
    {
        "all features": [cross_val_score(knn, f, y, cv=5).mean() for _, f, y in studies],
        "MFCC + centroid": [cross_val_score(knn, f[envelope], y, cv=5).mean()
                            for _, f, y in studies],
        "chance": [y.value_counts(normalize=True).max() for _, _, y in studies],
    },
    index=[title for title, _, _ in studies],
)
display(table.style.format("{:.0%}"))

fig, axes = plt.subplots(1, 3, figsize=(16, 4))
for ax, (title, feats, labels) in zip(axes, studies, strict=True):
    xy = PCA(2, random_state=seed).fit_transform(StandardScaler().fit_transform(feats[envelope]))
    for label in sorted(labels.unique()):
        mask = (labels == label).to_numpy()
        ax.scatter(xy[mask, 0], xy[mask, 1], s=10, label=label)
    ax.set(title=f"{title} (MFCC + centroid)", xlabel="PC 1", ylabel="PC 2")
    ax.legend(fontsize=7, ncol=2)
plt.tight_layout()
plt.show()

# %% [markdown]
# More features are not always better: for timbre, the chroma (which follows *pitch*) and
# the loudness statistics are noise, and dropping them lifts the accuracy. Timbre and
# speaker identity live in the spectral envelope; the *digit* lives in how the spectrum
# changes over time, which averaging throws away, so digits separate least. Chapter 4's
# classifier works on whole log-mel spectrograms for that reason.
#
# ## Summary
#
# - Every feature is a measurement with units: pitch in Hz (error in cents), loudness in
#   dB, onsets in seconds, tempo in BPM, centroid in Hz, mel energies in dB.
# - On notes with known pitch, pYIN is within a quarter tone almost always; we checked
#   rather than assumed (the test suite checks it too).
# - Averaged spectral-envelope features separate timbres and speakers well; features that
#   follow something else (pitch, level) only add noise; the content of speech needs the
#   time axis.

# %% [markdown]
# ## Exercises
#
# Each exercise ends with a cell that checks your `answer` and says "right" or gives a hint.

# %%
from aigc_kit import check

# %% [markdown]
# ### Exercise 1 · Which note is that voice?
#
# Music models count pitch in MIDI note numbers, $m = 69 + 12 \log_2(f / 440\ \text{Hz})$
# (A4 = 440 Hz = 69, one step per semitone). Take the speech recording analysed in section 1
# (its contour `f0` in Hz and the flags `voiced` from `pitch_pyin`), compute the median f0
# over the **voiced frames only** (unvoiced frames are NaN), and convert it to the nearest
# MIDI note number. How far from that note is the exact value?
#
# Put the MIDI note number (an int) in `answer`.

# %% tags=["solution"]
median_f0 = np.median(f0[voiced])
exact_midi = 69 + 12 * np.log2(median_f0 / 440.0)
answer = int(np.round(exact_midi))
print(f"median f0 {median_f0:.1f} Hz = MIDI {exact_midi:.2f}; nearest note {answer}")

# %%
check.ch03_ex1(answer, f0, voiced)

# %% [markdown]
# ### Exercise 2 · Tempo from onsets
#
# A first tempo estimate: the most typical interval between consecutive onsets is one beat.
# Write a function `tempo_from_onsets(onsets)` that takes sorted onset times in seconds
# (a 1-D array) and returns the tempo in BPM, `60 / median(intervals)` with
# `intervals = np.diff(onsets)`. Why the median and not the mean? (Think of one missed
# onset.) Apply it to `found` and to `true_onsets` and compare with `tempo` from
# `onsets_tempo` and the true `tempo_bpm`.
#
# Put the function itself in `answer` (`answer = tempo_from_onsets`); the check calls it on
# its own onsets.

# %% tags=["solution"]
def tempo_from_onsets(onsets):
    """Tempo in BPM from sorted onset times in seconds: 60 / median inter-onset interval."""
    return 60.0 / np.median(np.diff(onsets))


print(f"from the detected onsets {tempo_from_onsets(found):.1f} BPM, from the true onsets "
      f"{tempo_from_onsets(true_onsets):.1f} BPM; onsets_tempo {tempo:.1f} BPM; "
      f"true {tempo_bpm:.0f} BPM")
answer = tempo_from_onsets

# %%
check.ch03_ex2(answer)

# %% [markdown]
# ### Exercise 3 · The spectral centroid of one frame
#
# Write a function `centroid_of_frame(frame, sr)` for one 1-D frame of samples at `sr` Hz:
# with `X = np.fft.rfft(frame)` and the bin frequencies
# `f = np.fft.rfftfreq(len(frame), 1 / sr)` in Hz,
#
# $$\text{centroid} = \frac{\sum_k f_k\, |X_k|}{\sum_k |X_k|}\ \text{Hz}$$
#
# (each bin weighted by its magnitude). Then reproduce one value of `centroids` with it:
# `spectral_centroid` takes frames of 1024 samples centred every 256 samples (frame `k` is
# `batch[i, 256 * k - 512 : 256 * k + 512]` for `k >= 2`), each multiplied by the periodic
# Hann window `0.5 - 0.5 * np.cos(2 * np.pi * np.arange(1024) / 1024)`.
#
# Put the function itself in `answer` (`answer = centroid_of_frame`); the check calls it on
# its own frames.

# %% tags=["solution"]
def centroid_of_frame(frame, sr):
    """Spectral centroid in Hz of one frame: the magnitude-weighted mean bin frequency."""
    magnitude = np.abs(np.fft.rfft(frame))
    freqs = np.fft.rfftfreq(len(frame), 1 / sr)
    return np.sum(freqs * magnitude) / np.sum(magnitude)


window = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(1024) / 1024)
k = 20
for i, timbre in enumerate(g4.timbre):
    mine = centroid_of_frame(batch[i, 256 * k - 512 : 256 * k + 512] * window, sr)
    print(f"{timbre:<6s} frame {k}: mine {mine:7.1f} Hz, spectral_centroid "
          f"{centroids[i, k]:7.1f} Hz")
answer = centroid_of_frame

# %%
check.ch03_ex3(answer)

# %% [markdown]
# ### Exercise 4 · The brightest timbre
#
# Which timbre is brightest at G4, that is, has the highest median spectral centroid over
# its frames? `centroids` holds one row per row of `g4`, in the same order. Does the
# ranking match what you see in the log-mel plots and hear in section 4?
#
# Put its name (a str, one of the values of `g4.timbre`, e.g. `"organ"`) in `answer`.

# %% tags=["solution"]
median_centroid = pd.Series(np.median(centroids, axis=1), index=g4.timbre.to_numpy())
print(median_centroid.round(0).sort_values())
answer = median_centroid.idxmax()

# %%
check.ch03_ex4(answer, centroids, g4)

# %% [markdown]
# ## Further reading
#
# What this chapter draws on. Every reference of the course, and the source article's own reading list checked and corrected, is on the course site's [Further reading](further_reading.html) page and in the README.
#
# - Mauch and Dixon (2014). *pYIN: A fundamental frequency estimator using probabilistic threshold distributions*. IEEE ICASSP 2014, 659-663. <https://doi.org/10.1109/ICASSP.2014.6853678> Kit: `features.pitch_pyin`, `features.clip_pitch`, `evaluation.pitch_kept`, `evaluation.PitchJudge`.
# - Davis and Mermelstein (1980). *Comparison of parametric representations for monosyllabic word recognition in continuously spoken sentences*. IEEE Transactions on Acoustics, Speech, and Signal Processing 28(4), 357-366. <https://doi.org/10.1109/TASSP.1980.1163420> Kit: `features.mfcc`, `evaluation.speech_listener`.
# - McFee et al. (2015). *librosa: Audio and Music Signal Analysis in Python*. Proceedings of the 14th Python in Science Conference (SciPy 2015), 18-25. <https://doi.org/10.25080/Majora-7b98e3ed-003> Kit: `features.onsets_tempo`, `features.chroma`, `features.pitch_pyin`.
