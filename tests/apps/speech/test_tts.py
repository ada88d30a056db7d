import numpy as np
import pytest
import torch

from aigc_kit.apps.speech import (
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
from aigc_kit.features import FSDD_SPEC, sharpen, vocode
from aigc_kit.models import ConditionalVAE
from aigc_kit.training import RunConfig


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
    with pytest.raises(ValueError, match="digits 0-9"):
        say(voice, "two", "ann")
    with pytest.raises(ValueError, match="unknown speaker 'theo'"):
        say(voice, "2", "theo")


class _Hears:
    """A stand-in judge that always hears one digit and notes what it was given."""

    def __init__(self, digit: int) -> None:
        self.digit, self.seen = digit, []

    def predict(self, waveforms: np.ndarray, sr: int) -> np.ndarray:
        self.seen.append((np.asarray(waveforms).shape, sr))
        return np.full(len(waveforms), self.digit)

    def hear_digits(self, waveforms, sr: int) -> np.ndarray:
        return self.predict(waveforms, sr)

    def hear_digit_strings(self, waveforms, sr: int) -> list[str]:
        return [str(self.digit) * 2 for _ in waveforms]


def test_intelligibility_judges_the_vocoded_audio_by_both_judges():
    voice = _voice()
    judge, listener = _Hears(3), _Hears(-1)
    frame = intelligibility(voice, judge, n_per_pair=2, listener=listener)
    assert len(frame) == 10 * 2 * 2
    assert list(frame.columns) == ["digit", "speaker", "heard", "correct", "heard_in_domain",
                                   "correct_in_domain"]
    assert frame.correct.mean() == pytest.approx(0.1)  # only the 3s are heard right
    assert not frame.correct_in_domain.any()
    assert set(frame.speaker) == {"ann", "bob"}
    # both got waveforms at the voice's rate, not images
    assert judge.seen[0] == listener.seen[0] == ((20, FSDD_SPEC.n_samples), FSDD_SPEC.sr)


def test_the_voice_sharpens_its_images_before_vocoding():
    voice = _voice()
    images = voice.images([1, 2], "ann", seed=4)
    voice.power = 1.0
    flat = voice.vocoded([1, 2], "ann", seed=4)
    assert np.allclose(flat, vocode(images, FSDD_SPEC, seed=4))
    voice.power = 2.0
    sharp = voice.vocoded([1, 2], "ann", seed=4)
    assert np.allclose(sharp, vocode(sharpen(images, 2.0), FSDD_SPEC, seed=4))
    assert not np.allclose(sharp, flat)


def test_sentences_give_the_digit_error_rate_of_every_speaker_beside_real_speech():
    voice = _voice()
    voice.speakers = ["george", "theo"]  # two real FSDD speakers: real sentences exist
    table = sentences(voice, "2026", judge=_Hears(2), listener=_Hears(0))
    assert list(table.index) == ["george", "theo"]
    row = table.loc["theo"]
    assert row.heard == "22" and row.digit_error_rate == pytest.approx(0.5)  # 2 deleted
    assert row.real_heard == "22" and row.word_accuracy == pytest.approx(0.5)
    assert row.words_heard == "2 2 2 2" and row.word_accuracy_in_domain == pytest.approx(0.25)
    assert row.words_in_domain == "0 0 0 0"


def test_real_sentences_use_the_next_take_for_a_repeated_digit():
    sentence = real_sentence("22", "theo", pause_s=0.1)
    words = [w for w in np.split(sentence, np.flatnonzero(np.diff(sentence == 0)) + 1)
             if np.any(w)]
    assert len(words) >= 2 and sentence.dtype == np.float32
    assert len(sentence) > int(0.1 * 8000)
    once = real_sentence("2", "theo")
    assert not np.array_equal(sentence[len(once) + 800:], once)


def test_say_refuses_anything_but_digits_listing_what_it_accepts():
    assert spoken_digits(" 20-26 ") == [2, 0, 2, 6]
    for text, found in (("2o26", "['o']"), ("٢٠", "['٠', '٢']"), ("", "no digit"),
                        ("1.5", "['.']")):
        with pytest.raises(ValueError, match="digits 0-9") as err:
            say(_voice(), text, "ann")
        assert found in str(err.value) and "e.g. '2026'" in str(err.value)


def test_a_cached_voice_is_trained_once_and_loaded_after(monkeypatch, tmp_path):
    monkeypatch.setenv("AIGC_KIT_DATA_DIR", str(tmp_path))
    run = RunConfig(steps=2, seed=3, progress=False)
    first = train_digit_voice(width=8, run=run, cache=True)
    assert first.meta["cached"] is False and first.result.steps == 2
    second = train_digit_voice(width=8, run=run, cache=True)
    assert second.meta["cached"] is True and second.result is None
    assert second.speakers == first.speakers and second.meta["path"] == first.meta["path"]
    for a, b in zip(first.model.state_dict().values(), second.model.state_dict().values(),
                    strict=True):
        assert torch.equal(a, b)
    other = train_digit_voice(width=8, run=run.replace(seed=4), cache=True)
    assert other.meta["cached"] is False and other.meta["path"] != first.meta["path"]
    with open(first.meta["path"], "r+b") as handle:  # damage the file: retrained, warned
        handle.seek(200)
        handle.write(b"\x00" * 64)
    with pytest.warns(RuntimeWarning, match="ignoring the cached digit voice"):
        again = train_digit_voice(width=8, run=run, cache=True)
    assert again.meta["cached"] is False
    with pytest.raises(ValueError, match="needs a step budget and a seed"):
        train_digit_voice(run=RunConfig(steps=None, max_seconds=1.0), cache=True)


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
    assert int(inspect_notebook(str(chapter))["voice_steps"]["default"]) == DIGIT_VOICE_STEPS


def test_the_voice_is_heard_as_it_trains_and_the_curve_is_cached(monkeypatch, tmp_path):
    monkeypatch.setenv("AIGC_KIT_DATA_DIR", str(tmp_path))
    run = RunConfig(steps=4, seed=1, progress=False)
    voice = train_digit_voice(width=8, run=run, cache=True, curve_every=2)
    curve = voice.meta["curve"]
    assert [point["step"] for point in curve] == [2, 4]
    for point in curve:
        assert 0 <= point["outside"] <= 1 and 0 <= point["in_domain"] <= 1
    assert not voice.model.training  # handed back in eval mode after the last hearing
    again = train_digit_voice(width=8, run=run, cache=True, curve_every=2)
    assert again.meta["cached"] is True and again.meta["curve"] == curve
