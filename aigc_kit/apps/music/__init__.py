"""Melody generation from a real corpus (chapter 6.1, "smart music generation").

- :mod:`~aigc_kit.apps.music.corpus`: the Bach chorale soprano lines (music21's corpus), cached;
- :mod:`~aigc_kit.apps.music.tokens`: melodies as token tensors and back (countdowns,
  phrase plans, duration tokens, the LSTM's tensors, the VAE's one-hot windows);
- :mod:`~aigc_kit.apps.music.lstm`: a next-note LSTM conditioned on mode and phrase plan;
- :mod:`~aigc_kit.apps.music.vae`: a VAE over 16-note windows with a GRU decoder;
- :mod:`~aigc_kit.apps.music.training`: the step both train with on the kit's one loop
  (AdamW, clipped gradients; the loop's cosine schedule);
- :mod:`~aigc_kit.apps.music.sampling`: temperature, and the kit's ``seed``/``generator``
  contract (:func:`aigc_kit.generation.sample`) for ``generate_lstm``/``generate_vae``;
- :mod:`~aigc_kit.apps.music.prompt`: word rules from a prompt to conditioning;
- :mod:`~aigc_kit.apps.music.render`: audio with the kit's timbres, MIDI files, piano rolls;
- :mod:`~aigc_kit.apps.music.metrics`, :mod:`~aigc_kit.apps.music.baselines`,
  :mod:`~aigc_kit.apps.music.evaluation`: histogram distances against baselines.

Taught in ``09_music_generation``.
"""

from aigc_kit.apps.music.baselines import random_walk_melodies, shuffled_melodies
from aigc_kit.apps.music.corpus import DURATIONS, Melody, MelodyCorpus, load_bach_soprano
from aigc_kit.apps.music.evaluation import compare_to_baselines, generator_sets, verdict
from aigc_kit.apps.music.lstm import (
    MelodyLSTM,
    generate_lstm,
    lstm_log_likelihood,
    train_melody_lstm,
)
from aigc_kit.apps.music.metrics import (
    histogram_distances,
    interval_histogram,
    pitch_class_histogram,
    plot_histograms,
    total_variation,
)
from aigc_kit.apps.music.prompt import (
    SPOKEN_STEPS,
    Conditioning,
    count_syllables,
    generate_from_prompt,
    nudge,
    steer,
)
from aigc_kit.apps.music.render import plot_piano_roll, render_melody, write_midi
from aigc_kit.apps.music.steering import MelodySteering
from aigc_kit.apps.music.tokens import melodies_from_tokens, plan_from_phrase_lengths, vae_windows
from aigc_kit.apps.music.vae import MelodyVAE, decode_vae, generate_vae, train_melody_vae

__all__ = [
    "SPOKEN_STEPS",
    "MelodySteering",
    "nudge",
    "DURATIONS",
    "Conditioning",
    "Melody",
    "MelodyCorpus",
    "MelodyLSTM",
    "MelodyVAE",
    "compare_to_baselines",
    "count_syllables",
    "decode_vae",
    "generate_from_prompt",
    "generate_lstm",
    "generate_vae",
    "generator_sets",
    "histogram_distances",
    "interval_histogram",
    "load_bach_soprano",
    "lstm_log_likelihood",
    "melodies_from_tokens",
    "pitch_class_histogram",
    "plan_from_phrase_lengths",
    "plot_histograms",
    "plot_piano_roll",
    "random_walk_melodies",
    "render_melody",
    "shuffled_melodies",
    "steer",
    "total_variation",
    "train_melody_lstm",
    "train_melody_vae",
    "vae_windows",
    "verdict",
    "write_midi",
]
