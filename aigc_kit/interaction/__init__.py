"""Interaction (chapters 2.6 and 2.7): hear, rate, and feed ratings back into generation.

- :mod:`~aigc_kit.interaction.display`: audio players and spectrogram/waveform plots;
- :mod:`~aigc_kit.interaction.widgets`: player, gallery, rating panel, A/B test and latent
  explorer widgets, whose callbacks are plain, tested methods;
- :mod:`~aigc_kit.interaction.feedback`: the append-only ratings log;
- :mod:`~aigc_kit.interaction.listeners`: simulated listeners for headless runs;
- :mod:`~aigc_kit.interaction.adapt`: moving a latent prior towards what listeners like.

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
    MAX_SCORE,
    MIN_SCORE,
    FeedbackError,
    FeedbackLog,
    FeedbackProblem,
    FeedbackWarning,
)
from aigc_kit.interaction.listeners import (
    NaturalnessListener,
    SimulatedListener,
    brightness_hz,
)
from aigc_kit.interaction.widgets import (
    AB_CHOICES,
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
    "AB_CHOICES",
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
