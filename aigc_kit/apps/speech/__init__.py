"""Speech: a digit text-to-speech (chapter 6.1).

A conditional VAE on FSDD log-mel images (digit, speaker) and a vocoder:
:func:`train_digit_voice`, :func:`say` and :func:`intelligibility`. Taught in
``10_speech_synthesis``.
"""

from aigc_kit.apps.speech.tts import (
    DIGIT_VOICE_STEPS,
    DigitVoice,
    intelligibility,
    say,
    say_words,
    train_digit_voice,
)

__all__ = [
    "DIGIT_VOICE_STEPS",
    "DigitVoice",
    "intelligibility",
    "say",
    "say_words",
    "train_digit_voice",
]
