"""Speech: a digit text-to-speech (chapter 6.1).

A conditional VAE on FSDD log-mel images (digit, speaker) and a vocoder:
:func:`train_digit_voice`, :func:`say`, judged as audio by the outside recogniser with the
in-domain listener beside it (:func:`intelligibility`, :func:`sentences`). Taught in
``10_speech_synthesis``.
"""

from aigc_kit.apps.speech.tts import (
    DIGIT_VOICE_POWER,
    DIGIT_VOICE_STEPS,
    DigitVoice,
    intelligibility,
    real_sentence,
    say,
    say_words,
    sentences,
    spoken_digits,
    train_digit_voice,
)

__all__ = [
    "DIGIT_VOICE_POWER",
    "DIGIT_VOICE_STEPS",
    "DigitVoice",
    "intelligibility",
    "real_sentence",
    "say",
    "say_words",
    "sentences",
    "spoken_digits",
    "train_digit_voice",
]
