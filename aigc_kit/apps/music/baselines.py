"""Two non-learning melody generators to measure the models against.

- **Random walk** (:func:`random_walk_melodies`): the first pitch is drawn from the first
  notes of the training melodies; every next pitch moves by a step drawn uniformly from
  ``-max_step .. +max_step`` semitones (chromatic, 0 included), reflected back into the
  training pitch range; durations are drawn independently from the training durations.
  It knows the register and the rhythm vocabulary but nothing of key or melodic shape.
- **Shuffled corpus** (:func:`shuffled_melodies`): real *training* melodies (never held-out
  ones) with their notes (pitch and duration together) put in a random order; phrase-end
  positions stay where they were.

What the shuffled baseline means: shuffling keeps every note, so its pitch-class
histogram *is* that of the real training melodies it was drawn from. Its pitch-class
distance to the held-out set is therefore the distance between two samples of real Bach
(the floor of that metric: train/test difference plus sampling noise), and no generator
can be expected to beat it there except by chance. Shuffling does destroy the order, so
on the interval histogram it is a fair baseline: a model that learnt melodic motion must
beat it there.

Taught in ``09_music_generation``; used by ``benchmarks/bench_melody.py``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from aigc_kit.apps.music.corpus import Melody


def random_walk_melodies(
    train: Sequence[Melody],
    phrase_ends: Sequence[np.ndarray],
    modes: Sequence[str] | None = None,
    max_step: int = 2,
    seed: int = 0,
) -> list[Melody]:
    """Random-walk melodies with the given phrase plans (lengths), see the module docstring.

    Parameters
    ----------
    train : sequence of Melody
        Source of the start pitches, the pitch range and the durations.
    phrase_ends : sequence of np.ndarray of bool
        One plan per melody (its length is the melody's note count).
    modes : sequence of str, optional
        Labels only (the walk ignores the key); default all ``"major"``.
    max_step : int
        Largest step in semitones.
    seed : int
        Seed of the walk.

    Notes
    -----
    Taught in ``09_music_generation``.
    """
    if not train:
        raise ValueError("train holds no melodies")
    if max_step < 1:
        raise ValueError(f"max_step must be at least 1 semitone, got {max_step}")
    rng = np.random.default_rng(seed)
    firsts = np.array([m.pitch[0] for m in train])
    low = int(min(m.pitch.min() for m in train))
    high = int(max(m.pitch.max() for m in train))
    durations = np.concatenate([m.duration for m in train])
    modes = list(modes) if modes is not None else ["major"] * len(phrase_ends)
    out = []
    for i, plan in enumerate(phrase_ends):
        n = len(plan)
        steps = rng.integers(-max_step, max_step + 1, n)
        pitch = np.empty(n, dtype=int)
        p = int(rng.choice(firsts))
        for t in range(n):
            if t:
                p += int(steps[t])
                if p < low:
                    p = 2 * low - p
                if p > high:
                    p = 2 * high - p
            pitch[t] = p
        out.append(Melody(pitch, rng.choice(durations, n), np.asarray(plan, dtype=bool),
                          modes[i], f"random walk #{i}"))
    return out


def shuffled_melodies(train: Sequence[Melody], n: int, seed: int = 0) -> list[Melody]:
    """``n`` training melodies (drawn without replacement) with their notes shuffled.

    Notes
    -----
    Taught in ``09_music_generation``.
    """
    if not 1 <= n <= len(train):
        raise ValueError(f"n must lie in 1..{len(train)} (the training melodies), got {n}")
    rng = np.random.default_rng(seed)
    out = []
    for i in rng.choice(len(train), n, replace=False):
        m = train[i]
        order = rng.permutation(len(m))
        out.append(Melody(m.pitch[order], m.duration[order], m.phrase_end, m.mode,
                          f"shuffled {m.name}"))
    return out
