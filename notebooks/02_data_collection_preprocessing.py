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
# # 2 · Data collection and preprocessing
#
# *Chapter 2.1 of the source article:* "data sources can be public datasets, social media
# or user content; preprocessing unifies formats and handles noise and outliers." That
# sentence hides most of the work of a real project. This notebook does it:
#
# 1. two datasets the rest of the course uses: **generated notes** (made by code from a
#    seed, so they need no download and carry exact labels) and **FSDD** (real speech);
# 2. loading *user content*: a folder of files in assorted formats, some of them broken,
#    loaded without stopping, with a report of what was skipped and why;
# 3. every preprocessing step, each shown before and after, and heard;
# 4. outliers found and reported, never silently dropped.

# %% tags=["parameters"]
sr = 16000  # working sample rate of this notebook (Hz)
note_seconds = 1.0  # duration of each generated note (s)
seed = 0
n_outlier_clips = 120  # FSDD clips in the outlier study

# %%
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import soundfile as sf
from IPython.display import display

from aigc_kit import seed_everything
from aigc_kit.data import (
    AudioLoadError,
    detect_outliers,
    fix_length,
    fsdd,
    load_audio,
    load_folder,
    normalize_loudness,
    normalize_peak,
    remove_dc,
    resample,
    rms_db,
    synth_notes,
    to_mono,
    trim_silence,
)
from aigc_kit.features import log_mel
from aigc_kit.interaction import audio_table, plot_spectrogram, plot_waveform

rng = seed_everything(seed)

# %% [markdown]
# ## 1. Dataset one: generated notes
#
# `synth_notes` plays every combination of pitch, timbre and loudness on four small
# synthesizers: an additive **organ**, a Karplus-Strong **plucked** string, an FM **bell**,
# and a **bowed** saw wave with vibrato. Each note gets small random variations (detune,
# envelope, brightness) drawn from the seed, so the same seed gives the same dataset, bit
# for bit. Because the labels are exact, this dataset is where we can *check* the tools of
# the next chapters (does the pitch tracker find the right pitch?).

# %%
notes = synth_notes(duration_s=note_seconds, sr=sr, seed=seed)
print(notes)
display(notes.labels.head())
print(notes.labels.groupby(["timbre", "loudness"]).size().unstack())

# %%
first_c = notes.labels[(notes.labels.note == "C4") & (notes.labels.loudness == "medium")]
examples = {row.timbre: notes.clips[i] for i, row in first_c.iterrows()}
display(audio_table(examples, sr))
fig, axes = plt.subplots(1, len(examples), figsize=(15, 2.8))
for ax, (timbre, clip) in zip(axes, examples.items(), strict=True):
    plot_spectrogram(log_mel(clip, sr, n_mels=64).numpy(), sr, 256, ax=ax, title=f"{timbre}, C4")
plt.tight_layout()
plt.show()

# %% [markdown]
# ## 2. Dataset two: the Free Spoken Digit Dataset
#
# 3,000 recordings of the digits 0–9 by six speakers, 50 takes each, recorded at 8 kHz
# (CC BY-SA 4.0). The kit downloads the public release once and checks every file against
# a SHA-256 manifest; classrooms without internet point `AIGC_KIT_DATA_MIRROR` at a copy.
# The customary split keeps takes 0–4 of every speaker and digit for testing.

# %%
speech = fsdd()
print(speech)
display(speech.labels.pivot_table(index="speaker", columns="split", values="digit",
                                  aggfunc="count"))
fig, ax = plt.subplots(figsize=(7, 2.5))
for speaker, rows in speech.labels.groupby("speaker"):
    ax.hist(speech.durations()[rows.index], bins=40, range=(0, 1.5), histtype="step",
            label=speaker)
ax.set(xlabel="duration (s)", ylabel="recordings", title="FSDD durations by speaker")
ax.legend(fontsize=8)
plt.show()
one_each = speech.labels[(speech.labels.digit == 3) & (speech.labels["take"] == 0)]
display(audio_table({row.speaker: speech.clips[i] for i, row in one_each.iterrows()},
                    speech.sr))

# %% [markdown]
# ## 3. User content: a folder of assorted, partly broken files
#
# Real folders hold WAVs at 8 to 32 bits, FLAC, Ogg Vorbis, stereo and mono, at every
# sample rate, and some files that are not what their name says. We build such a folder
# and load it in one call. `load_folder` never stops at a bad file: it converts the good
# ones to mono at our working rate and reports every skipped file with its reason.

# %%
user_dir = Path(tempfile.mkdtemp(prefix="aigc_user_"))
(user_dir / "phone").mkdir()
organ = notes.clips[0]
stereo = np.stack([notes.clips[1], notes.clips[50]], axis=1)  # two notes, left and right
sf.write(user_dir / "organ_44k_16bit.wav", resample(organ, sr, 44100), 44100, subtype="PCM_16")
sf.write(user_dir / "duet_48k_24bit.flac", resample(stereo.T, sr, 48000).T, 48000,
         subtype="PCM_24")
sf.write(user_dir / "bell_22k.ogg", resample(notes.clips[80], sr, 22050), 22050)
sf.write(user_dir / "phone" / "digit_8k_u8.wav", speech.clips[0], 8000, subtype="PCM_U8")
sf.write(user_dir / "pluck_float64.wav", notes.clips[40].astype(np.float64), sr,
         subtype="DOUBLE")
# ... and the broken ones
(user_dir / "empty.wav").write_bytes(b"")
(user_dir / "notes.wav").write_text("shopping list: strings, rosin\n")
good_bytes = (user_dir / "organ_44k_16bit.wav").read_bytes()
(user_dir / "phone" / "cut_off.wav").write_bytes(good_bytes[:30])
sf.write(user_dir / "nan.wav", np.array([0.1, np.nan, 0.2] * 100, dtype=np.float32), sr,
         subtype="FLOAT")
sf.write(user_dir / "no_frames.flac", np.zeros(0, dtype=np.float32), sr)

folder = load_folder(user_dir, sr=sr)
print(f"{len(folder)} clips loaded, {len(folder.skipped)} files skipped")
display(folder.labels)
display(folder.skip_report())

# %% [markdown]
# The same errors reach you when you load a single file: `AudioLoadError` (a `ValueError`)
# names the file, what is wrong with it, and what to do about it.

# %%
try:
    load_audio(user_dir / "notes.wav")
except AudioLoadError as err:
    print(err)

# %% [markdown]
# ## 4. Preprocessing, one step at a time
#
# ### Mono mix and resampling
# The stereo FLAC holds a different note in each channel; `to_mono` averages the channels.
# `resample` converts the sample rate with a band-limited (anti-aliasing) filter: going
# from 48 kHz down to 16 kHz removes everything above the new Nyquist frequency, 8 kHz.

# %%
duet, duet_sr = load_audio(user_dir / "duet_48k_24bit.flac", mono=False)
mono = to_mono(duet)
down = resample(mono, duet_sr, sr)
print(f"stereo {duet.shape} at {duet_sr} Hz -> mono {mono.shape} -> {down.shape} at {sr} Hz")
display(audio_table({"left": resample(duet[0], duet_sr, sr),
                     "right": resample(duet[1], duet_sr, sr),
                     "mono mix": down}, sr))
fig, ax = plt.subplots(figsize=(7, 2.5))
for y, rate, label in ((mono, duet_sr, f"{duet_sr} Hz"), (down, sr, f"{sr} Hz")):
    spectrum = 20 * np.log10(np.abs(np.fft.rfft(y)) + 1e-9)
    ax.plot(np.fft.rfftfreq(len(y), 1 / rate), spectrum, lw=0.5, label=label)
ax.axvline(sr / 2, color="k", ls="--", lw=0.8)
ax.set(xlabel="frequency (Hz)", ylabel="magnitude (dB)", xscale="log", xlim=(50, duet_sr / 2),
       title="spectrum before and after resampling")
ax.legend()
plt.show()

# %% [markdown]
# ### DC offset and silence
# A cheap microphone can add a constant offset (DC). It is inaudible but wastes headroom
# and biases loudness; `remove_dc` subtracts the mean. Recordings also start and end with
# silence of varying length; `trim_silence` cuts whatever lies more than `top_db` below
# the clip's peak at either end.

# %%
clip = speech.clips[5]
recorded = np.concatenate([np.zeros(2000), clip, np.zeros(3000)]).astype(np.float32)
recorded += 0.15 + 0.002 * rng.standard_normal(len(recorded)).astype(np.float32)
centred = remove_dc(recorded)
trimmed, (start, end) = trim_silence(centred, speech.sr, top_db=30)
print(f"mean before {recorded.mean():+.3f}, after {centred.mean():+.4f}; "
      f"kept samples {start}..{end} of {len(centred)}")
fig, axes = plt.subplots(1, 3, figsize=(15, 2.3), sharey=True)
plot_waveform(recorded, speech.sr, ax=axes[0], title="as recorded (DC + silence)")
plot_waveform(centred, speech.sr, ax=axes[1], title="DC removed")
axes[1].axvspan(start / speech.sr, end / speech.sr, color="C1", alpha=0.2, label="kept")
axes[1].legend()
plot_waveform(trimmed, speech.sr, ax=axes[2], title="trimmed")
plt.tight_layout()
plt.show()

# %% [markdown]
# ### Fixed length, peak and loudness
# Models want inputs of one size: `fix_length` pads with zeros or crops. Levels differ
# between speakers and takes; **peak** normalisation sets the largest sample (here to
# −1 dBFS) and **loudness** normalisation sets the RMS level in dB, which is closer to
# how loud a clip sounds. Below: 30 recordings before and after each.

# %%
sample = speech.clips[::100][:30]
fixed = np.stack([fix_length(c, 6000, align="center") for c in sample])
peak = np.stack([normalize_peak(c, peak_db=-1.0) for c in fixed])
loud = np.stack([normalize_loudness(c, target_db=-20.0) for c in fixed])
levels = {name: [rms_db(c) for c in group]
          for name, group in (("raw", fixed), ("peak -1 dBFS", peak), ("RMS -20 dB", loud))}
fig, ax = plt.subplots(figsize=(7, 2.5))
ax.boxplot(list(levels.values()), tick_labels=list(levels), orientation="horizontal")
ax.set(xlabel="RMS level (dBFS)", title="loudness spread before and after normalisation")
plt.show()
for name, values in levels.items():
    print(f"{name:<14s} RMS spread: {np.ptp(values):5.1f} dB")
display(audio_table({"raw, quiet take": fixed[int(np.argmin(levels['raw']))],
                     "loudness-normalised": loud[int(np.argmin(levels['raw']))]}, speech.sr))

# %% [markdown]
# ## 5. Outliers: find them, say why, keep the decision with the user
#
# `detect_outliers` measures every clip (clipping ratio, RMS level, duration) and flags
# those that are clipped, near-silent, or far from the rest in duration or loudness by a
# *robust z-score* (median and median absolute deviation, so the outliers themselves do not
# hide the outliers). It returns reasons; dropping is the user's call. We plant three
# faulty clips among real ones.

# %%
pool = [c for c in speech.clips[:: max(1, len(speech) // n_outlier_clips)][:n_outlier_clips]]
planted = {
    "clipped": np.clip(pool[0] * 30, -1, 1),
    "near-silent": pool[1] * 0.001,
    "too long": np.concatenate(pool[2:8]),
}
clips = pool + list(planted.values())
report = detect_outliers(clips, sr=speech.sr)
report["planted"] = [""] * len(pool) + list(planted)
flagged = report[report.outlier]
print(f"{len(flagged)} of {len(report)} clips flagged")
display(flagged[["planted", "clipping_ratio", "rms_db", "duration_s", "reasons"]])

# %% [markdown]
# All three planted faults are caught with the right reason. A few genuine recordings may
# be flagged too (an unusually long or quiet take): that is why the function reports and
# does not delete.
#
# ## Summary
#
# - Two datasets carry the course: generated notes with exact labels, and real speech.
# - `load_audio` reads WAV (8–32-bit integer, 32/64-bit float), FLAC and Ogg at any rate and
#   channel count; `load_folder` loads what it can and reports the rest with reasons.
# - Preprocessing is a chain of small steps (mono, resample, DC, trim, fixed length,
#   peak or loudness) that each do one visible, audible thing.
# - Outlier detection reports; the decision to drop stays with you.

# %% [markdown]
# ## Exercises
#
# Each exercise ends with a cell that checks your `answer` and says "right" or gives a hint.

# %%
from aigc_kit import check

# %% [markdown]
# ### Exercise 1 · How much is silence?
#
# `trim_silence` cuts whatever lies more than `top_db` below the loudest frame at either
# end. Run it on `centred` (the DC-free recording with silence and a little noise at both
# ends, sample rate `speech.sr`) with `top_db=10` and with `top_db=60`. Listen to both
# results: what is cut in each case, and why does one threshold cut nothing at all?
#
# Put the number of samples each keeps in `answer`, as a tuple of two ints
# `(kept_at_10_db, kept_at_60_db)`.

# %% tags=["solution"]
kept = {}
for top_db in (10, 60):
    cut, (first, last) = trim_silence(centred, speech.sr, top_db=top_db)
    kept[top_db] = len(cut)
    print(f"top_db={top_db}: keeps samples {first}..{last} of {len(centred)}")
    display(audio_table({f"trimmed at top_db={top_db}": cut}, speech.sr))
answer = (kept[10], kept[60])

# %%
check.ch02_ex1(answer, centred, speech.sr)

# %% [markdown]
# ### Exercise 2 · RMS level from its definition
#
# Write a function `my_rms_db(x)` that returns the RMS level of a 1-D waveform in dBFS
# (decibels relative to a full-scale amplitude of 1):
#
# $$\mathrm{rms} = \sqrt{\tfrac{1}{N} \textstyle\sum_n x_n^2}, \qquad
# L = 20 \log_{10} \mathrm{rms}\ \text{dBFS}.$$
#
# Compare it with the kit's `rms_db` on a full-scale 440 Hz sine and on `fixed[0]` and
# `loud[0]`. Why does the sine, whose peak is at 0 dBFS, not read 0 dBFS?
#
# Put the function itself in `answer` (`answer = my_rms_db`); the check calls it on its own
# signals.

# %% tags=["solution"]
def my_rms_db(x):
    """RMS level of ``x`` in dBFS."""
    x = np.asarray(x, dtype=np.float64)
    return 20 * np.log10(np.sqrt(np.mean(x**2)))


sine = np.sin(2 * np.pi * 440 * np.arange(sr) / sr)
for name, x in {"full-scale sine": sine, "raw take": fixed[0], "RMS -20 dB take": loud[0]}.items():
    print(f"{name:<16s} my_rms_db {my_rms_db(x):7.2f} dBFS, rms_db {rms_db(x):7.2f} dBFS")
answer = my_rms_db

# %%
check.ch02_ex2(answer)

# %% [markdown]
# ### Exercise 3 · Why some clips stay quiet
#
# The box plot shows that a few clips of `loud` end *below* the −20 dB RMS target:
# `normalize_loudness` never lets the peak exceed −1 dBFS. The **crest factor**, a clip's
# peak level minus its RMS level in dB, predicts which clips: one can reach −20 dB RMS
# under a −1 dBFS peak limit only if its crest factor is at most 19 dB.
#
# Compute the crest factor of every clip in `fixed`: peak level `20 log10(max |x|)` dBFS
# minus `rms_db(x)`. Put the array (shape `(len(fixed),)`, in dB) in `answer`. How many
# clips exceed 19 dB, and are they the ones left below −20 dB in `levels["RMS -20 dB"]`?

# %% tags=["solution"]
answer = np.array([20 * np.log10(np.max(np.abs(c))) - rms_db(c) for c in fixed])
limited = np.array(levels["RMS -20 dB"]) < -20.01  # allow for float rounding
print(f"crest factor above 19 dB: {np.sum(answer > 19)} clips; left below -20 dB RMS: "
      f"{np.sum(limited)}; the same clips: {np.array_equal(answer > 19, limited)}")

# %%
check.ch02_ex3(answer, fixed)

# %% [markdown]
# ### Exercise 4 · Why a *robust* z-score?
#
# `detect_outliers` flags a duration when its *robust* z-score (median and median absolute
# deviation) is beyond ±3.5. Compute instead the ordinary z-score of every duration in
# `report.duration_s`, $z = (d - \bar{d}) / \sigma_d$ (NumPy's `mean` and `std`), and count
# the clips with $|z| > 3.5$. Compare with the robust scores in `report.duration_z`: which
# clip does the ordinary z-score miss, and why?
#
# Put the count (an int) in `answer`.

# %% tags=["solution"]
durations = report.duration_s.to_numpy()
z = (durations - durations.mean()) / durations.std()
answer = int(np.sum(np.abs(z) > 3.5))
print(f"clips flagged: {answer} by the ordinary z, "
      f"{int(np.sum(np.abs(report.duration_z) > 3.5))} by the robust z; the 'too long' clip scores "
      f"{z[-1]:.1f} (ordinary) and {report.duration_z.iloc[-1]:.1f} (robust)")

# %%
check.ch02_ex4(answer, report)

# %% [markdown]
# ## Further reading
#
# What this chapter draws on. Every reference of the course, and the source article's own reading list checked and corrected, is on the course site's [Further reading](further_reading.html) page and in the README.
#
# - Jackson et al. (2016). *Free Spoken Digit Dataset (FSDD)*. GitHub release v1.0.10, CC BY-SA 4.0. <https://github.com/Jakobovski/free-spoken-digit-dataset> Kit: `data.fsdd`, `data.fsdd_speakers`.
# - Karplus and Strong (1983). *Digital Synthesis of Plucked-String and Drum Timbres*. Computer Music Journal 7(2), 43-55. <https://doi.org/10.2307/3680062> Kit: `data.synth_notes`.
# - Chowning (1973). *The Synthesis of Complex Audio Spectra by Means of Frequency Modulation*. Journal of the Audio Engineering Society 21(7), 526-534. <https://www.aes.org/e-lib/browse.cfm?elib=1954> Kit: `data.synth_notes`.
# - Iglewicz and Hoaglin (1993). *How to Detect and Handle Outliers*. ASQC Quality Press (modified z-score, section 3.3). <https://www.itl.nist.gov/div898/handbook/eda/section3/eda35h.htm> Kit: `data.detect_outliers`.
