"""Provenance (chapter 8): a keyed spread-spectrum audio watermark.

:func:`embed_watermark`, :func:`detect_watermark` with a calibrated threshold, and a
robustness table under common edits. Taught in ``08_interaction_feedback_loop`` and
``13_trends_challenges``.
"""

from aigc_kit.apps.provenance.watermark import (
    DEFAULT_BAND_HZ,
    DEFAULT_CEILING_DB,
    DEFAULT_FPR,
    DEFAULT_STRENGTH_DB,
    HOP,
    MIN_SECONDS,
    N_FFT,
    WATERMARK_SR,
    WatermarkResult,
    default_attacks,
    detect_watermark,
    embed_watermark,
    robustness_scores,
    robustness_table,
    threshold_for,
    watermark_to_signal_db,
)

__all__ = [
    "DEFAULT_BAND_HZ",
    "DEFAULT_CEILING_DB",
    "DEFAULT_FPR",
    "DEFAULT_STRENGTH_DB",
    "HOP",
    "MIN_SECONDS",
    "N_FFT",
    "WATERMARK_SR",
    "WatermarkResult",
    "default_attacks",
    "detect_watermark",
    "embed_watermark",
    "robustness_scores",
    "robustness_table",
    "threshold_for",
    "watermark_to_signal_db",
]
