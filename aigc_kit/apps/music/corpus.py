"""A real melody corpus: the soprano lines of Bach's chorales, from music21's bundled corpus.

The 371 four-part chorales of the Riemenschneider edition (J. S. Bach, 1685-1750) are public
domain; the MusicXML encodings ship inside the ``music21`` wheel (music21 is BSD-3-Clause; its
corpus files are distributed by the music21 project for free use). Nothing here is written by
us: :func:`load_bach_soprano` parses the top (soprano) part of every chorale once, keeps
notes only, transposes each chorale to C major or A minor, in the octave that puts its mean
pitch nearest to :data:`CENTRE` (a common register, about C4 to A5), quantises durations to
:data:`DURATIONS` and stores the result as a small array file, ``bach_soprano.npz`` (17 kB,
a derived table of pitches, durations and phrase ends; nothing of music21's code), under
``data/`` (committed, so a fresh clone needs no parsing). Parsing the 350 distinct chorales
takes 90-120 s on one busy core; the cache loads in milliseconds and is rebuilt whenever it
is missing or of an older format (or with ``refresh=True``).

Encoding, per note: MIDI pitch (int), duration in quarter notes (float, one of
:data:`DURATIONS`), and ``phrase_end`` (True on a note carrying a fermata, which in a chorale
marks the end of a line of the hymn text). Rests are dropped (a rest carrying a fermata
marks the note before it as a phrase end); tied notes are merged; grace notes are dropped.

Taught in ``09_music_generation``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tqdm.auto import tqdm

from aigc_kit.runtime.paths import data_dir

DURATIONS: tuple[float, ...] = (0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 4.0)
"""Duration vocabulary in quarter notes (sixteenth to whole note)."""

CENTRE = 70.0
"""Target mean pitch (MIDI, A#4) of every transposed melody: a common register."""

TUNE_PREFIX = 12
"""Notes compared to decide that two chorales share one tune (see :meth:`MelodyCorpus.split`)."""

CACHE_NAME = "bach_soprano.npz"
_FORMAT = 1  # bump when the cached arrays change meaning


@dataclass(frozen=True)
class Melody:
    """One monophonic melody as note events.

    Attributes
    ----------
    pitch : np.ndarray, shape (n_notes,), int
        MIDI note numbers (60 = C4).
    duration : np.ndarray, shape (n_notes,), float
        Note lengths in quarter notes.
    phrase_end : np.ndarray, shape (n_notes,), bool
        True on the last note of a phrase (a fermata in the chorales).
    mode : str
        ``"major"`` or ``"minor"``.
    name : str
        Where it comes from, e.g. ``"bwv26.6"`` or ``"lstm #3"``.

    Notes
    -----
    Taught in ``09_music_generation``.
    """

    pitch: np.ndarray
    duration: np.ndarray
    phrase_end: np.ndarray
    mode: str = "major"
    name: str = ""

    def __post_init__(self) -> None:
        n = len(self.pitch)
        if len(self.duration) != n or len(self.phrase_end) != n:
            raise ValueError(
                f"Melody {self.name!r}: pitch, duration and phrase_end must have the same "
                f"length, got {n}, {len(self.duration)}, {len(self.phrase_end)}"
            )
        if self.mode not in ("major", "minor"):
            raise ValueError(f"Melody mode must be 'major' or 'minor', got {self.mode!r}")

    def __len__(self) -> int:
        return len(self.pitch)

    @property
    def quarters(self) -> float:
        """Total length in quarter notes."""
        return float(np.sum(self.duration))


@dataclass(frozen=True)
class MelodyCorpus:
    """A list of melodies with the pitch range and duration vocabulary they are encoded in.

    Attributes
    ----------
    melodies : list of Melody
    low, high : int
        Lowest and highest MIDI pitch of the corpus (inclusive); the models' pitch tokens.
    source : str
        Where the melodies come from and how long parsing or loading took.

    Notes
    -----
    Taught in ``09_music_generation``.
    """

    melodies: list[Melody]
    low: int
    high: int
    source: str = ""

    def __len__(self) -> int:
        return len(self.melodies)

    @property
    def n_pitches(self) -> int:
        """Number of pitch tokens, ``high - low + 1``."""
        return self.high - self.low + 1

    @property
    def n_notes(self) -> int:
        """Notes in all melodies."""
        return sum(len(m) for m in self.melodies)

    def split(self, test_fraction: float = 0.15, seed: int = 0
              ) -> tuple[list[Melody], list[Melody]]:
        """Training and held-out melodies, split by tune, never inside one.

        Bach harmonised many hymn tunes several times, so one tune can appear as several
        chorales (different BWV numbers, the same soprano line). Melodies whose first
        :data:`TUNE_PREFIX` transposed pitches agree count as one tune, and a tune goes wholly
        to one side, so the held-out set holds no copy of a training melody.

        Parameters
        ----------
        test_fraction : float
            Share of the tunes held out, in (0, 1).
        seed : int
            Seed of the random permutation of the tunes.

        Returns
        -------
        train, test : list of Melody
        """
        if not 0.0 < test_fraction < 1.0:
            raise ValueError(f"test_fraction must lie in (0, 1), got {test_fraction}")
        tunes: dict[tuple[int, ...], list[int]] = {}
        for i, m in enumerate(self.melodies):
            tunes.setdefault(tuple(m.pitch[:TUNE_PREFIX].tolist()), []).append(i)
        groups = list(tunes.values())
        order = np.random.default_rng(seed).permutation(len(groups))
        n_test = min(max(1, round(test_fraction * len(groups))), len(groups) - 1)
        if n_test < 1:
            raise ValueError("split needs at least two distinct tunes in the corpus")
        test_ids = sorted(i for g in order[:n_test] for i in groups[g])
        train_ids = sorted(i for g in order[n_test:] for i in groups[g])
        return [self.melodies[i] for i in train_ids], [self.melodies[i] for i in test_ids]


def quantise_durations(quarters: np.ndarray) -> np.ndarray:
    """Each duration (quarter notes) snapped to the nearest value of :data:`DURATIONS`.

    Taught in ``09_music_generation``.
    """
    q = np.asarray(quarters, dtype=float)
    grid = np.asarray(DURATIONS)
    return grid[np.abs(np.log2(q[..., None] / grid)).argmin(-1)]


def _transposition(tonic_pc: int, mode: str, mean_pitch: float) -> int:
    """Semitones that move ``tonic_pc`` to C (major) or A (minor) and the melody's mean
    pitch nearest to :data:`CENTRE` (whole octaves decide the register)."""
    target = 0 if mode == "major" else 9
    shift = (target - tonic_pc) % 12
    return int(shift + 12 * round((CENTRE - mean_pitch - shift) / 12))


def _soprano_notes(score) -> tuple[list[int], list[float], list[bool]]:  # noqa: ANN001
    """MIDI pitches, quarter lengths and phrase-end flags of the top part of ``score``."""
    from music21 import chord, expressions, note

    parts = list(score.parts)
    soprano = next((p for p in parts if "sopran" in (p.partName or p.id or "").lower()),
                   parts[0])
    pitches: list[int] = []
    quarters: list[float] = []
    ends: list[bool] = []
    for element in soprano.stripTies().flatten().notesAndRests:
        ql = float(element.duration.quarterLength)
        fermata = any(isinstance(e, expressions.Fermata) for e in element.expressions)
        if isinstance(element, note.Rest):
            if fermata and ends:
                ends[-1] = True
            continue
        if ql <= 0:  # grace note
            continue
        if isinstance(element, chord.Chord):
            midi = max(p.midi for p in element.pitches)
        else:
            midi = element.pitch.midi
        pitches.append(int(midi))
        quarters.append(ql)
        ends.append(bool(fermata))
    if ends:
        ends[-1] = True  # a chorale ends a phrase
    return pitches, quarters, ends


def parse_bach_soprano(limit: int | None = None, progress: bool = False) -> dict[str, np.ndarray]:
    """Parse the chorales with music21 into flat arrays (the content of the cache file).

    Parameters
    ----------
    limit : int, optional
        Parse only the first ``limit`` chorales (tests); default all (350 distinct BWV numbers).
    progress : bool
        Show a tqdm progress bar.

    Returns
    -------
    dict of str to np.ndarray
        ``pitch`` (int16, all notes, transposed), ``duration`` (float32, quarter notes,
        quantised), ``phrase_end`` (bool), ``starts`` (int64, index of each chorale's first
        note plus a final end index), ``mode`` (``<U5``), ``name`` (str), ``shift`` (int8,
        the transposition in semitones), ``format`` (int).

    Notes
    -----
    Taught in ``09_music_generation``.
    """
    from music21 import corpus

    if limit is not None and limit < 1:
        raise ValueError(f"limit must be a positive number of chorales or None, got {limit}")
    catalogue = corpus.chorales.ChoraleListRKBWV().byRiemenschneider
    bwvs = list(dict.fromkeys(str(catalogue[k]["bwv"]) for k in sorted(catalogue)))
    bwvs = bwvs[: limit or None]  # 350 distinct BWV numbers (some chorales appear twice)
    pitch: list[int] = []
    dur: list[float] = []
    ends: list[bool] = []
    starts, modes, labels, shifts = [0], [], [], []
    for bwv in tqdm(bwvs, desc="parse chorales", disable=not progress):
        try:
            score = corpus.parse(f"bach/bwv{bwv}")
        except Exception:  # noqa: BLE001 - a few catalogue entries are not in the corpus
            continue
        p, q, e = _soprano_notes(score)
        if len(p) < 8:
            continue
        key = score.analyze("key")
        mode = "minor" if key.mode == "minor" else "major"
        shift = _transposition(key.tonic.pitchClass, mode, float(np.mean(p)))
        pitch += [x + shift for x in p]
        dur += q
        ends += e
        starts.append(len(pitch))
        modes.append(mode)
        labels.append(f"bwv{bwv}")
        shifts.append(shift)
    if not modes:
        raise RuntimeError("no chorale could be parsed from music21's corpus; is music21 "
                           "installed with its corpus (pip install music21)?")
    return {
        "pitch": np.asarray(pitch, dtype=np.int16),
        "duration": quantise_durations(np.asarray(dur)).astype(np.float32),
        "phrase_end": np.asarray(ends, dtype=bool),
        "starts": np.asarray(starts, dtype=np.int64),
        "mode": np.asarray(modes, dtype="<U5"),
        "name": np.asarray(labels),
        "shift": np.asarray(shifts, dtype=np.int8),
        "format": np.asarray(_FORMAT),
    }


def corpus_from_arrays(arrays: dict[str, np.ndarray], source: str = "") -> MelodyCorpus:
    """A :class:`MelodyCorpus` from the arrays of :func:`parse_bach_soprano`.

    Taught in ``09_music_generation``.
    """
    starts = arrays["starts"]
    melodies = [
        Melody(
            pitch=arrays["pitch"][a:b].astype(int),
            duration=arrays["duration"][a:b].astype(float),
            phrase_end=arrays["phrase_end"][a:b].astype(bool),
            mode=str(arrays["mode"][i]),
            name=str(arrays["name"][i]),
        )
        for i, (a, b) in enumerate(zip(starts[:-1], starts[1:], strict=True))
    ]
    pitch = arrays["pitch"]
    return MelodyCorpus(melodies, int(pitch.min()), int(pitch.max()), source)


def load_bach_soprano(
    path: str | Path | None = None,
    refresh: bool = False,
    limit: int | None = None,
    progress: bool = True,
) -> MelodyCorpus:
    """The Bach chorale soprano corpus, from the cached array file or parsed afresh.

    Parameters
    ----------
    path : str or Path, optional
        The cache file; default ``data_dir() / "bach_soprano.npz"`` (the repository's
        ``data/`` folder in a checkout, see :mod:`aigc_kit.runtime.paths`).
    refresh : bool
        Parse again even if the file exists.
    limit : int, optional
        Parse only the first ``limit`` chorales and do **not** write the cache (tests).
    progress : bool
        Progress bar while parsing.

    Returns
    -------
    MelodyCorpus
        About 370 melodies (roughly 18,000 notes) in C major / A minor; ``source`` says
        whether they were parsed (and how long it took) or loaded.

    Notes
    -----
    Taught in ``09_music_generation``.
    """
    path = Path(path) if path is not None else data_dir() / CACHE_NAME
    if limit is None and not refresh and path.is_file():
        began = time.perf_counter()
        with np.load(path, allow_pickle=False) as f:
            arrays = {k: f[k] for k in f.files}
        if int(arrays.get("format", -1)) == _FORMAT:
            return corpus_from_arrays(
                arrays, f"loaded {path.name} in {time.perf_counter() - began:.2f} s")
    began = time.perf_counter()
    arrays = parse_bach_soprano(limit=limit, progress=progress)
    seconds = time.perf_counter() - began
    if limit is None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp.npz")
        np.savez_compressed(tmp, **arrays)
        tmp.replace(path)
    return corpus_from_arrays(arrays, f"parsed {len(arrays['mode'])} chorales with music21 "
                                      f"in {seconds:.1f} s")
