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
# # 11 · Video features and automatic editing
#
# *Chapters 2.2 ("feature extraction", its video half) and 6.2 ("video auto-editing") of the
# source article.* Audio had pitch, loudness and spectra; video has colour, texture and
# motion. An automatic editor uses them twice: first to find where the shots are (shot-
# boundary detection), then to decide which parts of which shots are worth keeping.
#
# 1. **Footage** without downloads: a virtual camera films the photographs bundled inside
#    scikit-image, with pans, zooms, moving objects, lighting changes and cuts, dissolves and
#    fades between shots (`aigc_kit.apps.video.make_clip`); we know the truth for every frame.
# 2. **Features** per frame and per shot (`aigc_kit.apps.video.features`).
# 3. **Shot-boundary detection** (`aigc_kit.apps.video.detect_cuts`), scored the TRECVID way against
#    a fixed-threshold baseline, then on real footage with hand-annotated cuts.
# 4. **Auto-editing** (`aigc_kit.apps.video.edit.auto_edit`): an importance score, a selection of
#    segments and crossfades, shown as storyboards and played side by side; then a real clip
#    edited with its soundtrack, picture and sound cut at the same frames.

# %% tags=["parameters"]
seed = 0
n_shots = 6  # shots in the demo clip
target_seconds = 6.0  # length of the automatic edit
eval_clips = 3  # clips per transition type for the small F1 evaluation
flow_method = "ilk"  # optical flow: "ilk" (fast) or "tvl1"
player_format = "auto"  # "auto" (MP4 when FFmpeg is present, else GIF), "gif" or "mp4"
sound_target_seconds = 3.0  # length of the edit of the real clip with sound

# %%
import time

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import display

from aigc_kit import seed_everything
from aigc_kit.apps.video import (
    auto_edit,
    detect_cuts,
    detect_cuts_threshold,
    frame_features,
    make_clip,
    play,
    play_side_by_side,
    plot_over_time,
    score_cuts,
    shot_features,
    storyboard,
)

rng = seed_everything(seed)  # seeds Python, NumPy and torch; rng: a NumPy generator

# %% [markdown]
# ## 1 · Footage with ground truth
# Each shot films one photo through a moving camera; some shots get a moving object (a
# textured disc) or a lighting change (exposure and colour temperature drift). These
# change the picture *without* starting a new shot — exactly what a cut detector must
# learn to ignore. Frames are `(T, H, W, 3)` floats in [0, 1], 96 x 128 pixels at 12 fps.

# %%
clip = make_clip(seed=seed, n_shots=n_shots)
fps = clip.fps
print(f"{len(clip.frames)} frames = {clip.seconds:.1f} s at {fps:g} fps, "
      f"frame size {clip.frames.shape[1:3]}")
display(pd.DataFrame([vars(s) for s in clip.shots]).set_index("index"))
display(pd.DataFrame([vars(t) for t in clip.transitions]))
storyboard(clip.frames, fps, boundaries=clip.boundaries, title="one keyframe per true shot")
plt.show()
display(play(clip.frames, fps, width=320, fmt=player_format))

# %% [markdown]
# ## 2 · Features over time
# - **colour**: mean brightness and saturation (HSV), and Hasler & Süsstrunk's
#   *colourfulness* (0 grey … 33 moderately … 59 quite … 109 extremely colourful);
# - **texture**: share of "flat" and "edge" local binary patterns, and grey-level
#   co-occurrence contrast and homogeneity;
# - **motion**: frame-difference energy and the mean dense optical-flow magnitude
#   (pixels per frame; Lucas–Kanade from `skimage.registration` on half-size frames).
#
# Dashed lines are the true boundaries. Motion spikes at cuts (the "flow" across a cut is
# meaningless), colour and texture jump there, and drift slowly during lighting changes.

# %%
start = time.perf_counter()
per_frame = frame_features(clip.frames, flow=True, flow_method=flow_method)
print(f"features of {len(per_frame)} frames in {time.perf_counter() - start:.1f} s")
plot_over_time(per_frame, fps, true_boundaries=clip.boundaries,
               title="per-frame features (dashed: true shot boundaries)")
plt.show()
per_shot = shot_features(clip.frames, clip.boundaries, per_frame)
per_shot.insert(0, "photo", [s.photo for s in clip.shots])
per_shot.insert(1, "camera", [s.camera for s in clip.shots])
display(per_shot.round(3))

# %% [markdown]
# ## 3 · Shot-boundary detection
# `detect_cuts` compares frames `t - k` and `t + k - 1` at several temporal scales `k`
# (1, 2, 4, 8 frames) using a white-balanced hue–saturation histogram (plus a contrast-
# normalised thumbnail at `k = 1`). A hard cut shows at `k = 1`; a dissolve of `L` frames
# only in full once `2k ≥ L`. Each scale is compared with its own local median (the
# *adaptive* threshold, as in PySceneDetect's adaptive detector), runs above threshold give
# one boundary (a cut on its peak frame, a gradual transition at its centre), and
# boundaries closer than a minimum shot length merge.
#
# Two checks then throw out what changes the picture without starting a new shot. A jump
# that one camera move explains (the previous frame shifted and zoomed matches the next) is a
# whip pan or a crash zoom. And a candidate survives only if the frames after it differ from
# the frames before it **across the frame** (`content_change`): both are cut into 6 x 8
# blocks, each block looks for its match nearby after the global motion is taken out, and
# the share of blocks without a match must reach 60%, for every pair of frames compared
# (just outside the candidate, and 2 and 5 frames further out on both sides). A person or a
# car passing close changes only the blocks it covers; an occluder that sweeps past the lens
# is gone a few frames later, and the picture behind it is back.

# %%
details = detect_cuts(clip.frames)
t = np.arange(len(clip.frames)) / fps
fig, axes = plt.subplots(len(details.scales), 1, figsize=(9, 5.5), sharex=True)
for ax, k, d, level in zip(axes, details.scales, details.scores, details.levels, strict=True):
    ax.plot(t, d, lw=1, label=f"difference, k={k}")
    ax.plot(t, 3.0 * level, lw=0.8, color="tab:orange", label="3 x local median")
    for b in clip.boundaries:
        ax.axvline(b / fps, color="0.5", ls="--", lw=0.8)
    for b in details.boundaries:
        ax.axvline(b / fps, color="tab:red", lw=0.8)
    ax.legend(loc="upper right", fontsize=7)
axes[-1].set_xlabel("time (s)  (dashed: truth, red: detected)")
plt.tight_layout()
plt.show()
print("true boundaries:    ", clip.boundaries.tolist(), clip.kinds)
print("detected boundaries:", details.boundaries.tolist(), details.kinds)
print("score:", {k: round(v, 3) for k, v in score_cuts(details.boundaries, clip.spans).items()})

# %% [markdown]
# ### Real footage
# Four short clips that packages on PyPI and Debian ship come with the kit, their cuts
# annotated by hand frame by frame (`real_clip_table()`; sources, licences and how they
# were annotated in `aigc_kit/apps/video/real_clips/README.md`). `bikes` is street footage
# with five hard cuts and cars, a taxi and people passing close to the camera; the others
# are single shots: an animated one with sound, a hand sweeping in front of the lens, people
# walking through a square.

# %%
from aigc_kit.apps.video import load_real_clip, real_clip_table

display(real_clip_table()[["frames", "fps", "cuts", "content", "licence"]])
rows = []
for name in ("bikes", "tree"):  # benchmarks/bench_cuts.py scores all four
    real = load_real_clip(name)
    found = detect_cuts(real.frames).boundaries
    rows.append({"clip": name, "frames": len(real.frames), "fps": real.fps,
                 "annotated cuts": real.boundaries.tolist(), "detected": found.tolist(),
                 **{k: score_cuts(found, real.spans, tolerance=0)[k] for k in ("f1", "fp")}})
display(pd.DataFrame(rows).set_index("clip"))
bikes = load_real_clip("bikes")
storyboard(bikes.frames, bikes.fps, boundaries=bikes.boundaries,
           title="bikes: one keyframe per annotated shot")
plt.show()

# %% [markdown]
# **Scoring.** As in TRECVID's shot-boundary task, detections and true transitions are
# matched one-to-one; a detection counts when it lies within 2 frames of a transition's
# span. Precision = matched / detected, recall = matched / true, F1 their harmonic mean.
# The baseline thresholds the consecutive-frame HSV difference at one fixed value (0.1,
# PySceneDetect's default 27 on its 0–255 scale). `benchmarks/bench_cuts.py` runs the same
# comparison on more clips and against PySceneDetect, with categories of motion inside the
# frame (foreground objects, occluders, people walking through, camera moves at the clip's
# ends) and the real clips (a few minutes); here a few fresh clips per transition type:

# %%
rows = []
for kind in ("cut", "dissolve", "fade"):
    ours, base = np.zeros(3, int), np.zeros(3, int)
    for i in range(eval_clips):
        c = make_clip(seed=20_000 + 100 * seed + 10 * i + len(kind), transitions=(kind,))
        for counts, found in ((ours, detect_cuts(c.frames).boundaries),
                              (base, detect_cuts_threshold(c.frames))):
            s = score_cuts(found, c.spans)
            counts += [s["tp"], s["fp"], s["fn"]]
    for name, (tp, fp, fn) in (("detect_cuts", ours), ("fixed threshold", base)):
        rows.append({"transitions": kind, "detector": name, "true": tp + fn, "found": tp + fp,
                     "precision": tp / max(tp + fp, 1), "recall": tp / max(tp + fn, 1),
                     "F1": 2 * tp / max(2 * tp + fp + fn, 1)})
evaluation = pd.DataFrame(rows).pivot(index="transitions", columns="detector",
                                      values=["F1", "precision", "recall"])
display(evaluation.round(3))

# %% [markdown]
# ## 4 · Automatic editing
# The importance of a frame mixes three parts, each scaled to [0, 1] over the clip:
# **motion** (root frame-difference energy, with the frames next to a boundary set to the
# shot's median), **colourfulness**, and the shot's **novelty** (how unlike the other shots
# its colours are). Default weights 0.4 / 0.3 / 0.3. `auto_edit` slides a 1.5 s window
# through every shot, away from its transitions, keeps the best windows (a second window
# from the same shot counts half, for variety) until the target length is reached, and
# joins them in order with 0.25 s crossfades.

# %%
edit = auto_edit(clip.frames, target_seconds=target_seconds, fps=fps)
plot_over_time(edit.scores[["motion", "colour", "novelty", "importance"]], fps,
               boundaries=edit.boundaries, title="importance (red: detected boundaries)")
for a, b in zip(edit.segments["start"], edit.segments["end"], strict=True):
    plt.gcf().axes[-1].axvspan(a / fps, b / fps, color="tab:green", alpha=0.25)
plt.show()
display(edit.segments.round(3))
print(f"edit: {edit.seconds:.2f} s from {clip.seconds:.2f} s; kept mean importance "
      f"{edit.segments['score'].mean():.2f} vs clip mean "
      f"{edit.scores['importance'].mean():.2f}")

# %%
storyboard(clip.frames, fps, boundaries=edit.boundaries, title="original: one keyframe per shot")
plt.show()
storyboard(edit.frames, fps, n=min(12, len(edit.segments) * 2), title="the edit")
plt.show()
display(play_side_by_side({"original": clip.frames, "automatic edit": edit.frames}, fps,
                          width=320, fmt=player_format))
print("notes:", edit.notes)  # the generated clip has no sound, and the edit says so

# %% [markdown]
# ### An edit with its sound
# Real footage has a soundtrack, and an edit that drops it is no edit. `load_video(path,
# audio=True)` (here through `load_real_clip`) returns the sound as a `Soundtrack`
# (mono waveform and rate), aligned to the frames by timestamps. With it, the importance
# gains two parts from the kit's audio features: **loudness** (`loudness_db` over each
# frame's time) and **onsets** (`onsets_tempo`, onsets per second near the frame), with
# weights 0.3 and 0.2 beside the picture's 0.4 / 0.3 / 0.3. `auto_edit` cuts the sound at
# the same frames as the picture and joins the pieces with equal-power crossfades as long
# as the picture's (at least 10 ms, so a hard cut does not click); the edit keeps exactly
# the picture's length, so sound and picture stay in sync.

# %%
bunny = load_real_clip("bigbuckbunny", audio=True)
sound_edit = auto_edit(bunny.frames, target_seconds=sound_target_seconds, fps=bunny.fps,
                       segment_seconds=1.0, crossfade_seconds=0.2, audio=bunny.audio)
parts = ["motion", "colour", "loudness", "onsets", "importance"]
plot_over_time(sound_edit.scores[parts], bunny.fps,
               title="Big Buck Bunny: importance along the timeline (green: kept)")
for a, b in zip(sound_edit.segments["start"], sound_edit.segments["end"], strict=True):
    plt.gcf().axes[-1].axvspan(a / bunny.fps, b / bunny.fps, color="tab:green", alpha=0.25)
plt.show()
display(sound_edit.segments.round(3))
print(f"{bunny.audio.seconds:.2f} s of sound at {bunny.audio.rate} Hz -> edit "
      f"{sound_edit.seconds:.2f} s, sound {sound_edit.audio.seconds:.2f} s")
display(play(sound_edit.frames, bunny.fps, width=320, audio=sound_edit.audio))

# %% [markdown]
# ## 5 · Your own footage
# Phone clips come as MP4 or MOV at 30 or 60 fps (often a *variable* rate), 1080 x 1920
# pixels, with a rotation flag. `load_video(path, fps=..., size=..., max_seconds=...)` reads
# MP4/MOV/AVI/MKV/WebM (through FFmpeg) and GIF, applies the rotation, and resamples **by
# time**: the frame kept for instant `k / fps` is the one on screen then, so a 30 → 10 fps
# clip lasts as long as before. `size` is `(H, W)` or the longest side in pixels. Frames come
# back as `uint8`; broken files raise a `VideoLoadError` naming the file and the fix, and
# `load_video_folder("my_clips", fps=12, size=128)` loads a whole folder, listing the files it
# skipped and why (`.skipped`, `.skip_report()`). It returns a `Footage`: `.frames`, `.fps`
# and, with `audio=True`, `.soundtrack` (None, with a warning, for a file without sound), and `write_video(path, frames,
# fps, audio=...)` writes it back into an MP4. Here the demo clip makes a round trip
# through a file on disk:

# %%
import tempfile
from pathlib import Path

from aigc_kit.apps.video import ffmpeg_available, load_video, write_video

with tempfile.TemporaryDirectory() as tmp:
    path = write_video(Path(tmp) / ("demo.mp4" if ffmpeg_available() else "demo.gif"),
                       clip.frames, fps)
    print(f"wrote {path.name}: {path.stat().st_size / 1e3:.0f} kB, "
          f"{clip.frames.shape[1:3]} at {fps:g} fps")
    for options in ({}, {"max_seconds": 2.0}, {"fps": fps / 2, "size": 64}):
        footage = load_video(path, **options)
        small, rate = footage.frames, footage.fps
        print(f"load_video({', '.join(f'{k}={v:g}' for k, v in options.items()) or 'path'}): "
              f"{small.shape} {small.dtype} at {rate:g} fps = {len(small) / rate:.2f} s")
storyboard(small, rate, n=6, title="read back at half the frame rate, longest side 64 px")
plt.show()

# %% [markdown]
# ## Summary
# - Generated footage with known truth makes video methods measurable: the clip above has
#   camera moves, moving objects and lighting changes that are *not* shot changes.
# - Colour (HSV histograms, colourfulness), texture (LBP, GLCM) and motion (frame
#   differences, optical flow) describe frames and shots; cuts show up in all of them,
#   lighting changes mostly in brightness, camera moves in flow.
# - `detect_cuts` — multi-scale histogram differences against an adaptive local level —
#   finds hard cuts, dissolves and fades; a single fixed threshold on consecutive frames
#   misses most dissolves (see the table, and `benchmarks/bench_cuts.py`).
# - On real footage, things passing close to the camera are the false alarms to beat: the
#   block-wise, motion-compensated content check keeps only changes across the whole frame.
# - `auto_edit` keeps the highest-importance segments and hits the target length exactly,
#   with crossfades; the importance score is a documented, adjustable mix, which hears the
#   soundtrack (loudness, onsets) when there is one, and cuts it with the picture.
# - `load_video` / `load_video_folder` bring your own clips in at a chosen frame rate and
#   size (frames picked by time), with clear errors and a skip report for broken files.

# %% [markdown]
# ## Exercises
# Each exercise ends with a self-check cell: it says whether `answer` is right and, if not,
# gives a hint (never the solution).

# %%
from aigc_kit import check

# %% [markdown]
# ### Exercise 1 · Colourfulness from its formula
# Hasler and Süsstrunk's colourfulness of an RGB image on the 0–255 scale is
# `M = sqrt(std(rg)² + std(yb)²) + 0.3 · sqrt(mean(rg)² + mean(yb)²)`, with the opponent
# channels `rg = R − G` and `yb = (R + G)/2 − B`, each statistic over all pixels.
# Write a function `hasler(frame)` that takes one frame of `clip.frames`, an `(H, W, 3)`
# float array in [0, 1], and returns its colourfulness as a float, using NumPy only (not
# the kit's `colourfulness`). Compare it with `per_frame["colourfulness"]` for frame 0.
# Put the function itself in `answer` (`answer = hasler`); the check calls it on frames
# of its own.

# %% tags=["solution"]
def hasler(frame):
    rgb = np.asarray(frame, dtype=np.float64) * 255.0
    rg = rgb[..., 0] - rgb[..., 1]
    yb = 0.5 * (rgb[..., 0] + rgb[..., 1]) - rgb[..., 2]
    spread = np.hypot(rg.std(), yb.std())
    offset = np.hypot(rg.mean(), yb.mean())
    return float(spread + 0.3 * offset)


print(f"frame 0: {hasler(clip.frames[0]):.2f} (kit: {per_frame['colourfulness'].iloc[0]:.2f})")
answer = hasler

# %%
check.ch11_ex1(answer, clip.frames)

# %% [markdown]
# ### Exercise 2 · Tuning a fixed threshold
# A fixed threshold needs tuning, and the tuning needs the truth. Take the finest-scale
# differences of the demo clip, `details.scores[0]` (scale k = 1, one value per frame). For
# each threshold in `[0.05, 0.1, 0.2, 0.3, 0.4]`, find the boundaries with
# `threshold_boundaries(details.scores[0], threshold)` (import it from
# `aigc_kit.apps.video`; keep its default minimum shot length) and score them against the
# true transitions with `score_cuts(found, clip.spans)`. Put the five F1 values (fractions
# in [0, 1], in the order of the thresholds) in `answer`, an array of shape (5,). Which
# threshold is best, and would it be best on another clip?

# %% tags=["solution"]
from aigc_kit.apps.video import threshold_boundaries

f1_by_threshold = [score_cuts(threshold_boundaries(details.scores[0], level), clip.spans)["f1"]
                   for level in (0.05, 0.1, 0.2, 0.3, 0.4)]
answer = np.array(f1_by_threshold)
print(answer.round(3))

# %%
check.ch11_ex2(answer, details.scores[0], clip.spans)

# %% [markdown]
# ### Exercise 3 · How long is the edit?
# `edit.segments` lists the kept segments (`start`, `end`: frames of the original, end
# exclusive), joined with crossfades of 0.25 s at `fps` frames per second, rounded to whole
# frames. Without looking at `edit.frames`, work out how many frames the edit has from the
# segment table and the crossfade length, and put that whole number in `answer` (an int).
# Then compare with `len(edit.frames)`.

# %% tags=["solution"]
crossfade_frames = int(round(0.25 * fps))
segment_frames = int((edit.segments["end"] - edit.segments["start"]).sum())
answer = segment_frames - crossfade_frames * (len(edit.segments) - 1)
print(answer, len(edit.frames))

# %%
check.ch11_ex3(answer, edit)

# %% [markdown]
# ### Exercise 4 · An action-first importance
# `edit.scores` holds, for every frame, the three parts of the importance (`motion`,
# `colour`, `novelty`, each in [0, 1]) and the importance with the default weights. Compute,
# without re-running `auto_edit`, the importance every frame would get with the weights
# `{"motion": 3.0, "colour": 1.0, "novelty": 0.0}`, which `importance_scores` first
# normalises to sum to 1. Put it in `answer`: an array of shape `(len(clip.frames),)`. Which
# shot has the highest mean importance now (`edit.scores["shot"]`)?

# %% tags=["solution"]
action_first = {"motion": 3.0, "colour": 1.0, "novelty": 0.0}
answer = sum(w * edit.scores[part].to_numpy() for part, w in action_first.items())
answer = answer / sum(action_first.values())
print(pd.Series(answer).groupby(edit.scores["shot"].to_numpy()).mean().round(3).to_dict())

# %%
check.ch11_ex4(answer, edit.scores)

# %% [markdown]
# ## Further reading
#
# What this chapter draws on. Every reference of the course, and the source article's own reading list checked and corrected, is on the course site's [Further reading](further_reading.html) page and in the README.
#
# - NIST (2001). *TRECVID: shot boundary detection task (2001-2007)*. National Institute of Standards and Technology. <https://trecvid.nist.gov/> Kit: `apps.video.score_cuts`.
# - Hasler and Süsstrunk (2003). *Measuring colourfulness in natural images*. Proc. SPIE 5007, Human Vision and Electronic Imaging VIII. <https://doi.org/10.1117/12.477378> Kit: `apps.video.colourfulness`.
# - Ojala, Pietikäinen and Mäenpää (2002). *Multiresolution Gray-Scale and Rotation Invariant Texture Classification with Local Binary Patterns*. IEEE Transactions on Pattern Analysis and Machine Intelligence 24(7), 971-987. <https://doi.org/10.1109/TPAMI.2002.1017623> Kit: `apps.video.lbp_histograms`.
# - Haralick, Shanmugam and Dinstein (1973). *Textural Features for Image Classification*. IEEE Transactions on Systems, Man, and Cybernetics SMC-3(6), 610-621. <https://doi.org/10.1109/TSMC.1973.4309314> Kit: `apps.video.glcm_features`.
# - Lucas and Kanade (1981). *An Iterative Image Registration Technique with an Application to Stereo Vision*. International Joint Conference on Artificial Intelligence (IJCAI 1981). <https://www.ijcai.org/Proceedings/81-2/Papers/017.pdf> Kit: `apps.video.optical_flow`, `apps.video.clip_flows`.
# - van der Walt et al. (2014). *scikit-image: image processing in Python*. PeerJ 2, e453. <https://doi.org/10.7717/peerj.453> Kit: `apps.video.make_clip`, `apps.video.optical_flow`.
