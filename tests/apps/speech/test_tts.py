import numpy as np
import pytest
import torch

from aigc_kit.apps.speech import DIGIT_VOICE_STEPS, DigitVoice, intelligibility, say, say_words
from aigc_kit.features import FSDD_SPEC
from aigc_kit.models import ConditionalVAE


def _voice() -> DigitVoice:
    torch.manual_seed(0)
    return DigitVoice(ConditionalVAE(FSDD_SPEC.shape, (10, 2), latent_dim=4, width=8).eval(),
                      ["ann", "bob"])


def test_say_makes_one_word_per_digit_with_pauses():
    voice = _voice()
    audio = say(voice, "20-26", "bob", pause_s=0.2)
    sr = voice.spec.sr
    assert audio.dtype == np.float32 and audio.ndim == 1 and np.all(np.isfinite(audio))
    # four words, three pauses of 0.2 s of exact silence between them
    words = say_words(voice, "20-26", "bob")
    assert len(words) == 4 and all(len(w) > 100 for w in words)
    pause = int(0.2 * sr)
    assert len(audio) == sum(len(w) for w in words) + 3 * pause
    start = 0
    for word in words[:-1]:
        start += len(word)
        assert not audio[start:start + pause].any() and audio[start - 1] == word[-1]
        start += pause
    assert np.array_equal(say(voice, "7", "ann", seed=3), say(voice, "7", "ann", seed=3))
    with pytest.raises(ValueError, match="digits 0-9 only"):
        say(voice, "two", "ann")
    with pytest.raises(ValueError, match="unknown speaker 'theo'"):
        say(voice, "2", "theo")


def test_intelligibility_judges_the_vocoded_audio():
    voice = _voice()
    seen = []

    class Hears3:
        def predict(self, waveforms: np.ndarray, sr: int) -> np.ndarray:
            seen.append((np.asarray(waveforms).shape, sr))
            return np.full(len(waveforms), 3)

    frame = intelligibility(voice, Hears3(), n_per_pair=2)
    assert len(frame) == 10 * 2 * 2
    assert frame.correct.mean() == pytest.approx(0.1)  # only the 3s are heard right
    assert set(frame.speaker) == {"ann", "bob"}
    # the listener got waveforms at the voice's rate, not images
    assert seen[0] == ((20, FSDD_SPEC.n_samples), FSDD_SPEC.sr)


def test_say_words_gives_the_words_that_say_joins():
    voice = _voice()
    words = say_words(voice, "2 0-2", "ann", seed=1)
    assert len(words) == 3 and all(w.ndim == 1 and w.dtype == np.float32 for w in words)
    pause = np.zeros(int(0.12 * voice.spec.sr), np.float32)
    joined = np.concatenate([words[0], pause, words[1], pause, words[2]])
    assert np.array_equal(say(voice, "2 0-2", "ann", seed=1), joined)


def test_chapter_10_and_the_kit_share_the_default_budget():
    from pathlib import Path

    from papermill.inspection import inspect_notebook

    chapter = Path(__file__).resolve().parents[3] / "notebooks" / "10_speech_synthesis.ipynb"
    assert int(inspect_notebook(str(chapter))["train_steps"]["default"]) == DIGIT_VOICE_STEPS
