"""Melodies to sound, to MIDI and to a piano-roll picture.

Audio uses the kit's own synthesizers (:data:`aigc_kit.data.TIMBRES`, the four timbres of
the generated-notes dataset): each note is one :func:`aigc_kit.data.synth_note` call placed
at its onset. MIDI files are written with ``pretty_midi`` and open in any notation program
or DAW (MuseScore, GarageBand, ...).

Taught in ``09_music_generation``.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping, Sequence
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from aigc_kit.apps.music.corpus import Melody
from aigc_kit.data.synth import TIMBRES, midi_to_hz, synth_note

GM_PROGRAMS = {"organ": 19, "pluck": 24, "bell": 14, "bowed": 40}
"""General-MIDI program (0-based) nearest to each kit timbre: church organ, nylon guitar,
tubular bells, violin."""


def _check_melody(melody: Melody) -> None:
    if not isinstance(melody, Melody):
        raise ValueError(f"expected an aigc_kit.apps.music.Melody, got {type(melody).__name__}")
    if len(melody) == 0:
        raise ValueError(f"melody {melody.name!r} has no notes")
    if np.any(np.asarray(melody.duration) <= 0):
        raise ValueError(f"melody {melody.name!r} has non-positive durations")


def onsets(melody: Melody, fermata_stretch: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Onsets and lengths of the notes in quarter notes (phrase ends held ``fermata_stretch``).

    Returns
    -------
    start, length : np.ndarray, shape (n_notes,)

    Notes
    -----
    Taught in ``09_music_generation``.
    """
    length = np.where(melody.phrase_end, melody.duration * fermata_stretch, melody.duration)
    return np.r_[0.0, np.cumsum(length)[:-1]], length


def render_melody(
    melody: Melody,
    timbre: str = "organ",
    bpm: float = 84.0,
    sr: int = 16000,
    transpose: int = 0,
    fermata_stretch: float = 1.5,
    max_seconds: float | None = None,
    seed: int = 0,
) -> np.ndarray:
    """A melody played by one of the kit's timbres.

    Parameters
    ----------
    melody : Melody
    timbre : str
        A key of :data:`aigc_kit.data.TIMBRES` (``organ``, ``pluck``, ``bell``, ``bowed``).
    bpm : float
        Tempo in quarter notes per minute.
    sr : int
        Sample rate in Hz.
    transpose : int
        Semitones added to every pitch.
    fermata_stretch : float
        Phrase-end notes are held this many times longer (a fermata), as chorales are sung.
    max_seconds : float, optional
        Stop after the note that crosses this time (s), for short previews.
    seed : int
        Seeds each note's random variation (detune, envelope).

    Returns
    -------
    np.ndarray, shape (n_samples,), float32
        Peak 0.9; each note sounds for its duration plus a 0.1 s tail into the next.

    Notes
    -----
    Taught in ``09_music_generation``.
    """
    _check_melody(melody)
    if timbre not in TIMBRES:
        raise ValueError(f"unknown timbre {timbre!r}; choose one of {sorted(TIMBRES)}")
    if not bpm > 0 or not fermata_stretch > 0:
        raise ValueError(f"bpm and fermata_stretch must be positive, got {bpm}, "
                         f"{fermata_stretch}")
    spq = 60.0 / bpm
    start, length = onsets(melody, fermata_stretch)
    keep = len(start) if max_seconds is None else max(1, int(np.searchsorted(
        start * spq, max_seconds)))
    tail = 0.1
    total = int(np.ceil((start[keep - 1] + length[keep - 1]) * spq * sr + tail * sr)) + 1
    out = np.zeros(total, dtype=np.float64)
    rng = np.random.default_rng([seed, zlib.crc32(timbre.encode())])
    for s, q, p in zip(start[:keep], length[:keep], melody.pitch[:keep], strict=True):
        note = synth_note(timbre, float(midi_to_hz(int(p) + transpose)), q * spq + tail, sr, rng)
        a = int(round(s * spq * sr))
        out[a:a + len(note)] += note[: total - a]
    peak = np.abs(out).max()
    return (0.9 * out / peak if peak > 0 else out).astype(np.float32)


def write_midi(
    melodies: Melody | Sequence[Melody],
    path: str | Path,
    bpm: float = 84.0,
    timbre: str = "organ",
    transpose: int = 0,
    gap_quarters: float = 2.0,
) -> Path:
    """Write melodies to a standard MIDI file, one after another on one track.

    Parameters
    ----------
    melodies : Melody or sequence of Melody
    path : str or Path
        Output ``.mid`` file; its folder is created.
    bpm : float
        Tempo in quarter notes per minute (stored in the file).
    timbre : str
        Chooses the General-MIDI program of :data:`GM_PROGRAMS`.
    transpose : int
        Semitones added to every pitch.
    gap_quarters : float
        Silence between two melodies, in quarter notes.

    Returns
    -------
    Path
        The written file.

    Notes
    -----
    Durations are written as quantised (no fermata stretch), so a notation program shows
    the rhythm the model produced. Taught in ``09_music_generation``.
    """
    import pretty_midi

    melodies = [melodies] if isinstance(melodies, Melody) else list(melodies)
    if not melodies:
        raise ValueError("no melodies to write")
    if timbre not in GM_PROGRAMS:
        raise ValueError(f"unknown timbre {timbre!r}; choose one of {sorted(GM_PROGRAMS)}")
    if not bpm > 0:
        raise ValueError(f"bpm must be positive, got {bpm}")
    path = Path(path)
    if path.suffix.lower() not in (".mid", ".midi"):
        raise ValueError(f"MIDI files end in .mid or .midi, got {path.name!r}")
    spq = 60.0 / bpm
    pm = pretty_midi.PrettyMIDI(initial_tempo=bpm)
    inst = pretty_midi.Instrument(program=GM_PROGRAMS[timbre], name=timbre)
    t0 = 0.0
    for melody in melodies:
        _check_melody(melody)
        start, length = onsets(melody)
        for s, q, p in zip(start, length, melody.pitch, strict=True):
            pitch = int(p) + transpose
            if not 0 <= pitch <= 127:
                raise ValueError(f"pitch {pitch} of {melody.name!r} is outside MIDI 0-127")
            inst.notes.append(pretty_midi.Note(velocity=80, pitch=pitch,
                                               start=t0 + s * spq, end=t0 + (s + q) * spq))
        t0 += (melody.quarters + gap_quarters) * spq
    pm.instruments.append(inst)
    path.parent.mkdir(parents=True, exist_ok=True)
    pm.write(str(path))
    return path


def plot_piano_roll(
    melodies: Melody | Mapping[str, Melody],
    ax: plt.Axes | None = None,
    max_quarters: float | None = 32.0,
) -> plt.Axes:
    """Notes as bars: time in quarter notes across, MIDI pitch up; phrase ends outlined.

    Parameters
    ----------
    melodies : Melody or mapping of str to Melody
        One melody, or several named ones drawn in different colours (slightly offset).
    ax : matplotlib Axes, optional
    max_quarters : float, optional
        Show only the first this many quarter notes.

    Notes
    -----
    Taught in ``09_music_generation``.
    """
    named = {melodies.name or "melody": melodies} if isinstance(melodies, Melody) else dict(
        melodies)
    if not named:
        raise ValueError("no melodies to plot")
    ax = ax or plt.subplots(figsize=(10, 3))[1]
    for k, (label, m) in enumerate(named.items()):
        _check_melody(m)
        start, length = onsets(m)
        colour = f"C{k}"
        offset = 0.12 * k
        for s, q, p, end in zip(start, length, m.pitch, m.phrase_end, strict=True):
            if max_quarters is not None and s >= max_quarters:
                break
            ax.barh(p + offset, q * 0.95, left=s, height=0.7, color=colour, alpha=0.75,
                    edgecolor="k" if end else colour, lw=1.5 if end else 0.5)
        ax.plot([], [], color=colour, lw=6, label=label)
    ax.set(xlabel="time (quarter notes)", ylabel="MIDI pitch",
           title="piano roll (outlined: phrase end)")
    if len(named) > 1:
        ax.legend(fontsize=8, loc="upper right")
    return ax
