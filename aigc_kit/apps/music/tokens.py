"""Melodies as tokens and back: what the melody models read and write.

A note is three tokens: its **pitch** (``pitch - low``, ``0 .. n_pitches - 1`` for a model
built on the MIDI range ``low .. high``), its **duration** (an index into
:data:`aigc_kit.apps.music.corpus.DURATIONS`) and whether it **ends a phrase** (0/1, a
fermata in the chorales). From melodies to tensors:

- :func:`lstm_tensors`: padded, shifted-by-one integer tensors for teacher forcing the
  LSTM, with each note's :func:`countdown` (notes left in its phrase) and the mode;
- :func:`vae_windows`: every window of :data:`WINDOW` consecutive notes, one-hot encoded
  (the melody VAE's data layout).

And back: every melody model samples a **token tensor** ``(n, notes, 3)`` int64 (pitch,
duration, phrase end per note; ``-1`` past a shorter melody's end), which
:func:`melodies_from_tokens` turns into :class:`~aigc_kit.apps.music.corpus.Melody`\\ s;
:func:`window_tokens` reads the tokens of one-hot windows. A phrase *plan* (one bool per
note, True where a phrase ends) comes from phrase lengths with
:func:`plan_from_phrase_lengths`.

Taught in ``09_music_generation``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

from aigc_kit.apps.music.corpus import DURATIONS, Melody, quantise_durations

MAX_COUNTDOWN = 8
"""The LSTM's countdown input saturates here: 8 means "8 or more notes to the phrase end"."""
WINDOW = 16
"""Notes per melody-VAE window."""
MODES = ("major", "minor")
"""The modes, in token order (0 = major, 1 = minor)."""
N_DURATIONS = len(DURATIONS)
DEFAULT_METRE = (8, 7)
"""Syllables per line of the commonest chorale metre (8.7.8.7: lines of 8 and 7 repeated)."""
PAD = -1
"""The token past a melody's end in a token tensor."""


def countdown(phrase_end: np.ndarray) -> np.ndarray:
    """Notes left until each note's phrase ends (0 on the phrase's last note), clipped.

    Parameters
    ----------
    phrase_end : np.ndarray, shape (n_notes,), bool

    Returns
    -------
    np.ndarray, shape (n_notes,), int in ``0 .. MAX_COUNTDOWN``
        Notes after a melody's last phrase end count towards the melody's end.

    Notes
    -----
    Taught in ``09_music_generation``.
    """
    ends = np.asarray(phrase_end, dtype=bool)
    out = np.zeros(len(ends), dtype=int)
    left = 0
    for i in range(len(ends) - 1, -1, -1):
        left = 0 if ends[i] or i == len(ends) - 1 else left + 1
        out[i] = min(left, MAX_COUNTDOWN)
    return out


def plan_from_phrase_lengths(lengths: Sequence[int]) -> np.ndarray:
    """The phrase-end flags of phrases of the given lengths in notes.

    ``[3, 2] -> [False, False, True, False, True]``.

    Notes
    -----
    Taught in ``09_music_generation``.
    """
    lengths = [int(n) for n in lengths]
    if not lengths or min(lengths) < 1:
        raise ValueError(f"phrase lengths must be a non-empty list of positive note counts, "
                         f"got {lengths}")
    ends = np.zeros(sum(lengths), dtype=bool)
    ends[np.cumsum(lengths) - 1] = True
    return ends


def duration_tokens(quarters: np.ndarray) -> np.ndarray:
    """Index into :data:`aigc_kit.apps.music.corpus.DURATIONS` of each (snapped) duration.

    Notes
    -----
    Taught in ``09_music_generation``.
    """
    q = quantise_durations(np.asarray(quarters, dtype=float))
    return np.searchsorted(np.asarray(DURATIONS), q)


def check_pitch_range(melodies: Sequence[Melody], low: int, high: int) -> None:
    """A ValueError naming the first melody with a pitch outside ``low .. high`` (MIDI).

    Notes
    -----
    Used by :func:`lstm_tensors` and :func:`vae_windows` (``09_music_generation``).
    """
    for m in melodies:
        if len(m) and (m.pitch.min() < low or m.pitch.max() > high):
            raise ValueError(f"melody {m.name!r} has pitches {m.pitch.min()}..{m.pitch.max()} "
                             f"outside the model's range {low}..{high}; build the model with "
                             "the corpus's low/high")


def lstm_tensors(melodies: Sequence[Melody], low: int, high: int) -> dict[str, torch.Tensor]:
    """Padded training tensors for the melody LSTM (teacher forcing).

    Returns
    -------
    dict of str to torch.Tensor
        ``prev_pitch``, ``prev_dur``, ``count``, ``pitch``, ``dur``: int64 of shape
        ``(n_melodies, max_len)``; ``mode``: ``(n_melodies,)``; ``mask``: bool, True on
        real notes. Inputs are shifted by one note (start tokens first: ``n_pitches`` for
        the pitch, ``N_DURATIONS`` for the duration).

    Notes
    -----
    Taught in ``09_music_generation``.
    """
    if not melodies:
        raise ValueError("no melodies to train on")
    check_pitch_range(melodies, low, high)
    n_p = high - low + 1
    length = max(len(m) for m in melodies)
    shape = (len(melodies), length)
    out = {k: np.zeros(shape, dtype=np.int64) for k in
           ("prev_pitch", "prev_dur", "count", "pitch", "dur")}
    mask = np.zeros(shape, dtype=bool)
    for i, m in enumerate(melodies):
        n = len(m)
        p, d = m.pitch - low, duration_tokens(m.duration)
        out["pitch"][i, :n], out["dur"][i, :n] = p, d
        out["prev_pitch"][i, :n] = np.r_[n_p, p[:-1]]
        out["prev_dur"][i, :n] = np.r_[N_DURATIONS, d[:-1]]
        out["count"][i, :n] = countdown(m.phrase_end)
        mask[i, :n] = True
    tensors = {k: torch.from_numpy(v) for k, v in out.items()}
    tensors["mode"] = torch.tensor([MODES.index(m.mode) for m in melodies])
    tensors["mask"] = torch.from_numpy(mask)
    return tensors


def vae_windows(melodies: Sequence[Melody], low: int, high: int, window: int = WINDOW,
                hop: int = 2) -> torch.Tensor:
    """All windows of ``window`` consecutive notes (every ``hop`` notes), one-hot encoded.

    Returns
    -------
    torch.Tensor, shape (n_windows, window, n_pitches + len(DURATIONS) + 2), float32
        Per note: the pitch one-hot, then the duration one-hot, then the phrase-end one-hot
        (the melody VAE's data layout; :func:`window_tokens` reads it back).

    Notes
    -----
    Taught in ``09_music_generation``.
    """
    if hop < 1 or window < 2:
        raise ValueError(f"need window >= 2 and hop >= 1, got window={window}, hop={hop}")
    check_pitch_range(melodies, low, high)
    n_p = high - low + 1
    rows = []
    for m in melodies:
        p, d, e = m.pitch - low, duration_tokens(m.duration), m.phrase_end.astype(int)
        for a in range(0, len(m) - window + 1, hop):
            rows.append(np.stack([p[a:a + window], n_p + d[a:a + window],
                                  n_p + N_DURATIONS + e[a:a + window]], axis=1))
    if not rows:
        raise ValueError(f"no melody has {window} notes; use a smaller window")
    idx = torch.from_numpy(np.stack(rows))  # (n, window, 3) feature indices
    x = torch.zeros(idx.shape[0], window, n_p + N_DURATIONS + 2)
    x.scatter_(2, idx, 1.0)
    return x


def window_tokens(windows: torch.Tensor) -> torch.Tensor:
    """The token tensor ``(n, window, 3)`` of one-hot windows in :func:`vae_windows`' layout.

    Each group (pitch, duration, phrase end) is read by its largest entry.

    Notes
    -----
    Used by :func:`aigc_kit.apps.music.generate_vae` (``09_music_generation``).
    """
    n_pitches = windows.shape[-1] - N_DURATIONS - 2
    if n_pitches < 1:
        raise ValueError(f"windows have {windows.shape[-1]} features per note; the layout "
                         f"needs n_pitches + {N_DURATIONS} + 2")
    groups = windows.split([n_pitches, N_DURATIONS, 2], dim=-1)
    return torch.stack([g.argmax(-1) for g in groups], dim=-1)


def melodies_from_tokens(
    tokens: torch.Tensor,
    low: int,
    modes: Sequence[str] | str = "major",
    name: str = "melody",
) -> list[Melody]:
    """:class:`Melody`\\ s from a token tensor ``(n, notes, 3)`` (pitch, duration, phrase end).

    Parameters
    ----------
    tokens : torch.Tensor of shape (n, notes, 3), integer
        As the melody models sample it; a melody ends at its first :data:`PAD` (-1).
    low : int
        The model's lowest MIDI pitch (pitch token 0).
    modes : str or sequence of str
        Labels of the melodies, one for all or one each.
    name : str
        Prefix of the names: ``"{name} #{i}"``.

    Returns
    -------
    list of Melody
        MIDI pitches, durations in quarter notes, phrase ends as sampled.

    Notes
    -----
    Taught in ``09_music_generation``.
    """
    if tokens.ndim != 3 or tokens.shape[-1] != 3:
        raise ValueError(f"tokens must have shape (n, notes, 3), got {tuple(tokens.shape)}")
    modes = [modes] * len(tokens) if isinstance(modes, str) else list(modes)
    if len(modes) != len(tokens):
        raise ValueError(f"{len(modes)} modes for {len(tokens)} melodies")
    array = tokens.cpu().numpy()
    lengths = np.where((array[..., 0] == PAD).any(1), (array[..., 0] == PAD).argmax(1),
                       array.shape[1])
    durations = np.asarray(DURATIONS)
    return [Melody(array[i, :n, 0] + low, durations[array[i, :n, 1]],
                   array[i, :n, 2].astype(bool), modes[i], f"{name} #{i}")
            for i, n in enumerate(lengths)]
