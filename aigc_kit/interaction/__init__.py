"""Interaction (chapters 2.6 and 2.7): hear, rate, and feed ratings back into generation.

- :mod:`~aigc_kit.interaction.display`: audio players and spectrogram/waveform plots;
- :mod:`~aigc_kit.interaction.widgets`: player, gallery, rating panel, A/B test and latent
  explorer widgets, whose callbacks are plain, tested methods;
- :mod:`~aigc_kit.interaction.feedback`: the append-only ratings log;
- :mod:`~aigc_kit.interaction.listening_tests`: the MUSHRA and ABX test widgets
  (07_evaluation; their statistics are in :mod:`aigc_kit.evaluation.rating_stats`);
- :mod:`~aigc_kit.interaction.merge`: pooling a class's logs into one;
- :mod:`~aigc_kit.interaction.simulated_raters`: simulated raters that stand in for people
  in headless runs;
- :mod:`~aigc_kit.interaction.adapt`: moving a latent prior towards what listeners like;
- :mod:`~aigc_kit.interaction.voice`: voice commands (the vocabulary, the recogniser with
  rejection, the one command loop and its chapter-8 and explorer actions);
- :mod:`~aigc_kit.interaction.microphone_widget`: the microphone widget (anywidget, from the
  notebooks extra; imported on first use).

Taught in ``08_interaction_feedback_loop``; the players are used by every chapter.
"""

from aigc_kit.interaction.adapt import (
    FeedbackRun,
    LatentPrior,
    adapt_prior,
    feedback_rounds,
)
from aigc_kit.interaction.display import (
    audio,
    audio_table,
    plot_spectrogram,
    plot_waveform,
)
from aigc_kit.interaction.feedback import (
    FIELDS,
    LEGACY_FIELDS,
    MAX_SCORE,
    MIN_SCORE,
    SCORE_RANGES,
    SOURCES,
    TESTS,
    FeedbackError,
    FeedbackLog,
    FeedbackProblem,
    FeedbackWarning,
    legacy_record_id,
)
from aigc_kit.interaction.listening_tests import (
    ABXTest,
    MushraTest,
    MushraTrial,
    abx_assignment,
    abx_test,
    anchor_cutoffs,
    lowpass,
    mushra_test,
    mushra_trial,
    record_abx,
    record_mushra,
)
from aigc_kit.interaction.merge import (
    MergeConflict,
    MergeError,
    MergeReport,
    SourceSummary,
    merge_logs,
)
from aigc_kit.interaction.simulated_raters import (
    MushraListener,
    NaturalnessListener,
    Rater,
    SimulatedListener,
    brightness_hz,
    no_reference,
    spectral_distance_db,
)
from aigc_kit.interaction.voice import (
    BACKGROUND_WORDS,
    COMMAND_WORDS,
    VOCABULARY,
    CommandRecognizer,
    ExplorerVoice,
    Heard,
    Outcome,
    RatingSession,
    RecognizerConfig,
    Reply,
    VoiceLoop,
    as_clip,
    confusion_matrix,
    espeak,
)
from aigc_kit.interaction.widgets import (
    AB_CHOICES,
    AB_SCORES,
    ABTest,
    LatentExplorer,
    RatingPanel,
    Sample,
    ab_order,
    ab_test,
    gallery,
    latent_explorer,
    player,
    rating_panel,
    record_ab_choice,
    record_rating,
)

__all__ = [
    "BACKGROUND_WORDS",
    "COMMAND_WORDS",
    "PROBLEM_HELP",
    "SOURCES",
    "VOCABULARY",
    "CommandRecognizer",
    "ExplorerVoice",
    "Heard",
    "Microphone",
    "MicrophonePlaceholder",
    "Outcome",
    "RatingSession",
    "RecognizerConfig",
    "Reply",
    "VoiceLoop",
    "as_clip",
    "confusion_matrix",
    "espeak",
    "microphone",
    "ABXTest",
    "MushraListener",
    "MushraTest",
    "MushraTrial",
    "abx_assignment",
    "abx_test",
    "anchor_cutoffs",
    "lowpass",
    "mushra_test",
    "mushra_trial",
    "record_abx",
    "record_mushra",
    "spectral_distance_db",
    "LEGACY_FIELDS",
    "SCORE_RANGES",
    "TESTS",
    "legacy_record_id",
    "MergeConflict",
    "MergeError",
    "MergeReport",
    "SourceSummary",
    "merge_logs",
    "AB_CHOICES",
    "AB_SCORES",
    "FIELDS",
    "ABTest",
    "FeedbackError",
    "FeedbackLog",
    "FeedbackProblem",
    "FeedbackRun",
    "FeedbackWarning",
    "LatentExplorer",
    "LatentPrior",
    "MAX_SCORE",
    "MIN_SCORE",
    "NaturalnessListener",
    "Rater",
    "no_reference",
    "RatingPanel",
    "Sample",
    "SimulatedListener",
    "ab_order",
    "ab_test",
    "adapt_prior",
    "audio",
    "audio_table",
    "brightness_hz",
    "feedback_rounds",
    "gallery",
    "latent_explorer",
    "player",
    "plot_spectrogram",
    "plot_waveform",
    "rating_panel",
    "record_ab_choice",
    "record_rating",
]


_MICROPHONE = ("Microphone", "MicrophonePlaceholder", "microphone", "PROBLEM_HELP")


def __getattr__(name: str) -> object:
    """The microphone widget's names, imported on first use (anywidget is optional)."""
    if name in _MICROPHONE:
        import importlib

        return getattr(importlib.import_module("aigc_kit.interaction.microphone_widget"), name)
    raise AttributeError(f"module 'aigc_kit.interaction' has no attribute {name!r}")
