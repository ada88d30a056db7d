"""Steering a melody from words: a small, documented rule set, not language understanding.

Chapter 6.1 asks for "music from lyrics". Here a prompt such as
``"a calm evening song with five lines of lyrics"`` is turned into generator settings by
fixed rules a reader can check line by line; no model reads the text.

Rules, in order:

1. **Lines -> phrases.** With lyrics, one phrase per non-empty line. Without, a count
   before the word "line(s)" (a digit or a number word up to twelve); default 4.
2. **Syllables -> rhythm.** One note per syllable, as the chorales set their texts; so a
   line of ``n`` syllables becomes a phrase of ``n`` notes ending in a cadence (the LSTM's
   ``countdown`` conditioning, learnt from the fermatas). Syllables are counted by
   :func:`count_syllables` (groups of vowels, a silent final "e"); without lyrics each line
   gets the commonest chorale metre, 8.7.8.7
   (:data:`aigc_kit.apps.music.tokens.DEFAULT_METRE`). Lines are clipped to
   3-16 syllables.
3. **Mood words -> mode, tempo, register, timbre.** Each word of the prompt found in
   :data:`MOOD_WORDS` votes; the majority wins, ties and silence give the defaults
   (major, 84 BPM, middle register, organ).

What each setting does: ``mode`` is an input the LSTM was trained with (the key of each
chorale), so it changes which notes are likely; ``phrase_lengths`` is the countdown input,
so it changes where cadences fall; ``bpm`` only sets the playback tempo; ``register`` only
transposes the result (semitones); ``timbre`` only picks the synthesizer. Words outside the
tables do nothing, and negation ("not sad") is not understood.

Taught in ``09_music_generation``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import torch

from aigc_kit.apps.music.corpus import Melody
from aigc_kit.apps.music.lstm import MelodyLSTM, generate_lstm
from aigc_kit.apps.music.tokens import DEFAULT_METRE, plan_from_phrase_lengths

DEFAULT_LINES = 4
MIN_SYLLABLES, MAX_SYLLABLES = 3, 16
TEMPO_BPM = {"slow": 63.0, "moderate": 84.0, "fast": 112.0}
REGISTER_SEMITONES = {"low": -5, "middle": 0, "high": 5}

MOOD_WORDS: dict[str, dict[str, str]] = {
    # mode
    "sad": {"mode": "minor"}, "melancholy": {"mode": "minor"}, "lonely": {"mode": "minor"},
    "grief": {"mode": "minor", "tempo": "slow"}, "mourning": {"mode": "minor", "tempo": "slow"},
    "longing": {"mode": "minor"}, "rain": {"mode": "minor"}, "winter": {"mode": "minor"},
    "dark": {"mode": "minor", "register": "low"}, "lament": {"mode": "minor", "tempo": "slow"},
    "happy": {"mode": "major"}, "joyful": {"mode": "major", "tempo": "fast"},
    "cheerful": {"mode": "major", "tempo": "fast"}, "bright": {"mode": "major",
                                                               "register": "high"},
    "sunny": {"mode": "major"}, "hopeful": {"mode": "major"}, "spring": {"mode": "major"},
    "triumphant": {"mode": "major", "tempo": "fast"},
    # tempo
    "calm": {"tempo": "slow"}, "peaceful": {"tempo": "slow"}, "gentle": {"tempo": "slow"},
    "quiet": {"tempo": "slow"}, "tender": {"tempo": "slow"}, "solemn": {"tempo": "slow"},
    "lullaby": {"tempo": "slow", "timbre": "bell"}, "lively": {"tempo": "fast"},
    "dance": {"tempo": "fast"}, "energetic": {"tempo": "fast"}, "playful": {"tempo": "fast"},
    # register and time of day
    "evening": {"tempo": "slow", "register": "low"}, "night": {"register": "low"},
    "dusk": {"register": "low"}, "deep": {"register": "low"}, "low": {"register": "low"},
    "morning": {"register": "high"}, "high": {"register": "high"},
    "bird": {"register": "high"}, "sky": {"register": "high"},
    # timbre
    "hymn": {"timbre": "organ"}, "church": {"timbre": "organ"}, "organ": {"timbre": "organ"},
    "guitar": {"timbre": "pluck"}, "harp": {"timbre": "pluck"}, "bell": {"timbre": "bell"},
    "bells": {"timbre": "bell"}, "chime": {"timbre": "bell"}, "violin": {"timbre": "bowed"},
    "strings": {"timbre": "bowed"}, "cello": {"timbre": "bowed"},
}
"""Each mood word's votes: ``mode`` (major/minor), ``tempo`` (slow/moderate/fast),
``register`` (low/middle/high), ``timbre`` (a key of :data:`aigc_kit.data.TIMBRES`)."""

_DEFAULTS = {"mode": "major", "tempo": "moderate", "register": "middle", "timbre": "organ"}
_NUMBERS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve".split())}


def count_syllables(text: str) -> int:
    """Rough English syllable count: vowel groups per word, minus a silent final "e".

    Every word counts at least one syllable. Exact for most plain words ("evening" -> 3
    would be right; this rule says 3), wrong for some ("fire" -> 1).

    Notes
    -----
    Taught in ``09_music_generation``.
    """
    total = 0
    for word in re.findall(r"[a-z']+", text.lower()):
        groups = len(re.findall(r"[aeiouy]+", word))
        if word.endswith("e") and not word.endswith(("le", "ee", "ye")) and groups > 1:
            groups -= 1
        total += max(groups, 1)
    return total


@dataclass(frozen=True)
class Conditioning:
    """What a prompt asks the generator for.

    Attributes
    ----------
    phrase_lengths : tuple of int
        Notes per phrase (= syllables per lyric line).
    mode : str
        ``"major"`` or ``"minor"`` (an LSTM input).
    bpm : float
        Playback tempo, quarter notes per minute.
    register : int
        Transposition of the result in semitones.
    timbre : str
        Synthesizer for playback.
    rules : list of tuple
        ``(setting, value, because)`` rows: which rule set each value.

    Notes
    -----
    Taught in ``09_music_generation``.
    """

    phrase_lengths: tuple[int, ...]
    mode: str
    bpm: float
    register: int
    timbre: str
    rules: list[tuple[str, str, str]] = field(default_factory=list, compare=False)

    def phrase_ends(self) -> np.ndarray:
        """The plan for :func:`aigc_kit.apps.music.generate_lstm` (bool per note)."""
        return plan_from_phrase_lengths(self.phrase_lengths)

    def table(self) -> pd.DataFrame:
        """The derived settings and the rule behind each, as a table."""
        return pd.DataFrame(self.rules, columns=["setting", "value", "because"])


def steer(prompt: str, lyrics: str | Sequence[str] | None = None) -> Conditioning:
    """Conditioning for the generator from a prompt (and optional lyrics), by the rules above.

    Parameters
    ----------
    prompt : str
        e.g. ``"a calm evening song with five lines of lyrics"``.
    lyrics : str or sequence of str, optional
        The lyric lines (a string is split at newlines and "/"); their syllable counts set
        the phrase lengths.

    Returns
    -------
    Conditioning

    Examples
    --------
    >>> c = steer("a calm evening song with five lines of lyrics")
    >>> c.phrase_lengths, c.mode, c.bpm, c.register
    ((8, 7, 8, 7, 8), 'major', 63.0, -5)

    Notes
    -----
    Taught in ``09_music_generation``.
    """
    if not isinstance(prompt, str) or not prompt.strip():
        raise ValueError("prompt must be a non-empty string, e.g. 'a calm evening song with "
                         "five lines of lyrics'")
    words = re.findall(r"[a-z]+|\d+", prompt.lower())
    rules: list[tuple[str, str, str]] = []
    if lyrics is not None:
        lines = re.split(r"[\n/]", lyrics) if isinstance(lyrics, str) else list(lyrics)
        lines = [line.strip() for line in lines if line.strip()]
        if not lines:
            raise ValueError("lyrics were given but hold no non-empty line")
        counts = [count_syllables(line) for line in lines]
        source = "syllables counted in each lyric line"
    else:
        n_lines = DEFAULT_LINES
        why = f"no line count in the prompt: default {DEFAULT_LINES}"
        for a, b in zip(words, words[1:], strict=False):
            if b in ("line", "lines") and (a.isdigit() or a in _NUMBERS):
                n_lines = int(a) if a.isdigit() else _NUMBERS[a]
                why = f"'{a} {b}' in the prompt"
        if not 1 <= n_lines <= 32:
            raise ValueError(f"the prompt asks for {n_lines} lines; use 1 to 32")
        rules.append(("lines", str(n_lines), why))
        counts = [DEFAULT_METRE[i % len(DEFAULT_METRE)] for i in range(n_lines)]
        source = "no lyrics: the chorale metre " + ".".join(map(str, DEFAULT_METRE))
    lengths = tuple(int(np.clip(c, MIN_SYLLABLES, MAX_SYLLABLES)) for c in counts)
    rules.append(("notes per phrase", " ".join(map(str, lengths)),
                  f"one note per syllable; {source}"))
    votes: dict[str, Counter] = {k: Counter() for k in _DEFAULTS}
    voters: dict[str, list[str]] = {k: [] for k in _DEFAULTS}
    for w in words:
        for setting, value in MOOD_WORDS.get(w, {}).items():
            votes[setting][value] += 1
            voters[setting].append(f"'{w}'->{value}")
    chosen = {}
    for setting, default in _DEFAULTS.items():
        ranked = votes[setting].most_common()
        if ranked and (len(ranked) == 1 or ranked[0][1] > ranked[1][1]):
            chosen[setting] = ranked[0][0]
            why = "mood words " + ", ".join(voters[setting])
        else:
            chosen[setting] = default
            why = ("tied votes " + ", ".join(voters[setting]) if ranked else
                   "no mood word for it") + f": default {default}"
        rules.append((setting, chosen[setting], why))
    bpm = TEMPO_BPM[chosen["tempo"]]
    register = REGISTER_SEMITONES[chosen["register"]]
    rules.append(("bpm", f"{bpm:g}", f"tempo {chosen['tempo']} (playback only)"))
    rules.append(("transpose", f"{register:+d} semitones",
                  f"register {chosen['register']} (applied after generation)"))
    return Conditioning(lengths, chosen["mode"], bpm, register, chosen["timbre"], rules)


def generate_from_prompt(
    model: MelodyLSTM,
    conditioning: Conditioning,
    n: int = 1,
    temperature: float = 0.9,
    *,
    seed: int | None = None,
    generator: torch.Generator | None = None,
    device: str | torch.device | None = None,
) -> list[Melody]:
    """``n`` melodies that follow ``conditioning`` (phrase plan and mode), transposed.

    :func:`aigc_kit.apps.music.generate_lstm` with the conditioning's plan and mode, named
    ``"prompt #i"``; ``seed``/``generator``/``device`` as there (the contract of
    :func:`aigc_kit.generation.sample`).

    Returns
    -------
    list of Melody
        Already transposed by ``conditioning.register``; play them at
        ``conditioning.bpm`` with ``conditioning.timbre``.

    Notes
    -----
    Taught in ``09_music_generation``.
    """
    out = generate_lstm(model, n, conditioning.phrase_ends(), conditioning.mode, temperature,
                        seed=seed, generator=generator, device=device, name="prompt")
    return [Melody(m.pitch + conditioning.register, m.duration, m.phrase_end, m.mode, m.name)
            for m in out]


SPOKEN_STEPS: dict[str, tuple[str, int]] = {
    "higher": ("register", 1), "lower": ("register", -1),
    "faster": ("tempo", 1), "slower": ("tempo", -1),
}
"""The spoken commands that steer a melody: one step along the prompt rules' register
(low/middle/high) or tempo (slow/moderate/fast) scale."""


def nudge(conditioning: Conditioning, word: str) -> Conditioning:
    """The conditioning one step higher, lower, faster or slower: a spoken prompt rule.

    "higher"/"lower" move the register one step along :data:`REGISTER_SEMITONES`
    (low -> middle -> high, transposition only), "faster"/"slower" the tempo along
    :data:`TEMPO_BPM` (playback only); at either end it stays. Phrase plan, mode and timbre
    are kept; a row saying what the word did is added to the rules.

    Parameters
    ----------
    conditioning : Conditioning
        From :func:`steer` (or an earlier nudge).
    word : str
        A key of :data:`SPOKEN_STEPS`.

    Returns
    -------
    Conditioning

    Examples
    --------
    >>> nudge(steer("a hymn"), "higher").register
    5

    Notes
    -----
    Taught in ``09_music_generation`` (spoken through :class:`aigc_kit.interaction.VoiceLoop`).
    """
    if word not in SPOKEN_STEPS:
        raise ValueError(f"nudge: word must be one of {', '.join(SPOKEN_STEPS)}, got {word!r}")
    setting, step = SPOKEN_STEPS[word]
    scale = REGISTER_SEMITONES if setting == "register" else TEMPO_BPM
    names = list(scale)
    current = conditioning.register if setting == "register" else conditioning.bpm
    now = min(names, key=lambda name: abs(scale[name] - current))
    chosen = names[int(np.clip(names.index(now) + step, 0, len(names) - 1))]
    register = scale[chosen] if setting == "register" else conditioning.register
    bpm = scale[chosen] if setting == "tempo" else conditioning.bpm
    rules = [*conditioning.rules, (setting, chosen, f"spoken '{word}' (was {now})")]
    return Conditioning(conditioning.phrase_lengths, conditioning.mode, float(bpm),
                        int(register), conditioning.timbre, rules)
