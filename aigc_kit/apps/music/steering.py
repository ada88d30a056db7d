"""Steering melodies by voice: "higher", "lower", "faster", "slower", "again".

:class:`MelodySteering` holds the chapter-9 LSTM and the current
:class:`~aigc_kit.apps.music.prompt.Conditioning`; each spoken word moves the conditioning
one step by :func:`~aigc_kit.apps.music.prompt.nudge` (the prompt rules, spoken), writes a
new melody and renders it. Its methods are the actions of the kit's one command loop,
:class:`aigc_kit.interaction.VoiceLoop`.

Taught in ``09_music_generation``.
"""

from __future__ import annotations

import numpy as np

from aigc_kit.apps.music.corpus import Melody
from aigc_kit.apps.music.lstm import MelodyLSTM
from aigc_kit.apps.music.prompt import SPOKEN_STEPS, Conditioning, generate_from_prompt, nudge
from aigc_kit.apps.music.render import render_melody
from aigc_kit.interaction.voice import Reply

__all__ = ["MelodySteering"]


class MelodySteering:
    """The chapter-9 melody, steered by spoken commands.

    Parameters
    ----------
    model : MelodyLSTM
        The trained melody LSTM.
    conditioning : Conditioning
        Where to start (e.g. ``steer(prompt)``).
    sr : int
        Rate of the rendered clips, Hz.
    temperature : float
        LSTM sampling temperature.
    seed : int
        Seed of the first melody; each new melody uses the next seed.
    max_seconds : float
        Longest clip rendered, s.

    Attributes
    ----------
    melody : Melody
        The melody playing now.
    clip : np.ndarray
        Its rendering at ``sr``.

    Notes
    -----
    Taught in ``09_music_generation``.
    """

    def __init__(self, model: MelodyLSTM, conditioning: Conditioning, sr: int = 16000,
                 temperature: float = 0.9, seed: int = 0, max_seconds: float = 4.0) -> None:
        self.model, self.conditioning, self.sr = model, conditioning, sr
        self.temperature, self.seed, self.max_seconds = temperature, seed, max_seconds
        self.melody, self.clip = self._write()

    def _write(self) -> tuple[Melody, np.ndarray]:
        melody = generate_from_prompt(self.model, self.conditioning, 1, self.temperature,
                                      seed=self.seed)[0]
        clip = render_melody(melody, self.conditioning.timbre, self.conditioning.bpm, self.sr,
                             max_seconds=self.max_seconds, seed=self.seed)
        return melody, clip

    def describe(self) -> str:
        """The current settings, e.g. ``"register +5, 84 BPM, major, organ"``."""
        c = self.conditioning
        return f"register {c.register:+d}, {c.bpm:g} BPM, {c.mode}, {c.timbre}"

    def steer(self, word: str) -> Reply:
        """"higher", "lower", "faster" or "slower": nudge the conditioning, write and play
        a new melody."""
        self.conditioning = nudge(self.conditioning, word)
        self.seed += 1
        self.melody, self.clip = self._write()
        return Reply(f"{word}: new melody, {self.describe()}", self.clip, self.sr)

    def again(self, _word: str = "again") -> Reply:
        """Play the current melody again."""
        return Reply(f"again: {self.describe()}", self.clip, self.sr)

    def actions(self) -> dict:
        """The loop's actions: the four steering words and "again"."""
        return {**{word: self.steer for word in SPOKEN_STEPS}, "again": self.again}
