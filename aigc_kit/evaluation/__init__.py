"""Evaluation (chapters 2.5 and 9): how good is a generated sound, measured.

- :mod:`~aigc_kit.evaluation.signal`: reference-based metrics (MSE, SNR, SI-SNR, LSD,
  spectral convergence);
- :mod:`~aigc_kit.evaluation.generative`: distribution metrics for free generation
  (Inception score, coverage, Fréchet distance, nearest-neighbour distance) and
  ``score_samples``, which scores generated against real sets with any listener;
- :mod:`~aigc_kit.evaluation.machine_listeners`: machine listeners, classifiers that hear
  waveforms through their own front end (``AudioListener``, ``speech_listener``,
  ``notes_listener``), trained on real recordings;
- :mod:`~aigc_kit.evaluation.recognizer`: the outside judge of speech, a general English
  recogniser that never heard FSDD (``speech_judge``, ``DigitRecognizer``,
  ``digit_error_rate``, ``speech_verdicts``; ``WordRecognizer`` for any word list); every
  speech figure shows it first, the in-domain listener beside;
- :mod:`~aigc_kit.evaluation.judges`: judges of generated images as the sound they stand
  for (``AudioJudge``: vocode, then a machine listener hears; ``heard_and_seen`` adds the
  image classifier's view, labelled), the pitch test and the vocoder comparison
  (``judge_vocoders``);
- :mod:`~aigc_kit.evaluation.pitch`: the pitch judge of notes (``PitchJudge``: pYIN says
  whether a note is voiced, steady and in tune);
- :mod:`~aigc_kit.evaluation.rating_stats`: statistics of *people's* ratings (MOS with
  confidence intervals, A/B preference, "AI or real?", MUSHRA and ABX summaries);
- :mod:`~aigc_kit.evaluation.curves`: quality against data;
- :mod:`~aigc_kit.evaluation.report`: the model report's metrics and ``metrics.json``;
  ``record_metrics`` for any chapter's headline figures; sweep tables summarised and plotted.

Taught in ``01_aigc_overview`` and ``07_evaluation``.
"""

from aigc_kit.evaluation.curves import (
    vae_data_curve,
)
from aigc_kit.evaluation.generative import (
    class_coverage,
    frechet_distance,
    generation_report,
    inception_score,
    nearest_neighbour_distance,
    score_samples,
)
from aigc_kit.evaluation.judges import (
    AudioJudge,
    heard_and_seen,
    judge_for,
    judge_vocoders,
    listener_for,
    pitch_kept,
)
from aigc_kit.evaluation.machine_listeners import (
    AudioListener,
    notes_listener,
    speech_listener,
)
from aigc_kit.evaluation.pitch import PitchJudge
from aigc_kit.evaluation.rating_stats import (
    ab_preference,
    abx_summary,
    ai_or_real,
    mos,
    mushra_screen,
    mushra_summary,
    plot_mushra,
    t_half_width,
)
from aigc_kit.evaluation.recognizer import (
    DIGIT_WORDS,
    IN_DOMAIN,
    OUTSIDE,
    DigitRecognizer,
    WordRecognizer,
    digit_error_rate,
    speech_coverage,
    speech_judge,
    speech_verdicts,
)
from aigc_kit.evaluation.report import (
    METRICS_FILE,
    METRICS_MIME,
    SUMMARY_COLUMNS,
    check_settings,
    expand_grid,
    metrics_document,
    model_metrics,
    plot_sweep,
    record_metrics,
    run_grid,
    summarize_sweep,
    write_metrics,
)
from aigc_kit.evaluation.signal import (
    lsd,
    mse,
    si_snr,
    snr,
    spectral_convergence,
)

__all__ = [
    "DIGIT_WORDS",
    "DigitRecognizer",
    "WordRecognizer",
    "IN_DOMAIN",
    "OUTSIDE",
    "PitchJudge",
    "digit_error_rate",
    "speech_coverage",
    "speech_judge",
    "speech_verdicts",
    "pitch_kept",
    "listener_for",
    "judge_vocoders",
    "judge_for",
    "heard_and_seen",
    "AudioJudge",
    "METRICS_FILE",
    "AudioListener",
    "ab_preference",
    "abx_summary",
    "mushra_screen",
    "mushra_summary",
    "plot_mushra",
    "t_half_width",
    "ai_or_real",
    "check_settings",
    "class_coverage",
    "frechet_distance",
    "generation_report",
    "inception_score",
    "lsd",
    "model_metrics",
    "mos",
    "mse",
    "nearest_neighbour_distance",
    "notes_listener",
    "score_samples",
    "si_snr",
    "snr",
    "spectral_convergence",
    "speech_listener",
    "vae_data_curve",
    "write_metrics",
    "METRICS_MIME",
    "SUMMARY_COLUMNS",
    "expand_grid",
    "metrics_document",
    "plot_sweep",
    "record_metrics",
    "run_grid",
    "summarize_sweep",
]
