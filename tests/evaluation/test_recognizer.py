"""Tests for aigc_kit.evaluation.recognizer: the outside judge of speech (PocketSphinx)."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from aigc_kit.data import fsdd, resample
from aigc_kit.evaluation import (
    DIGIT_WORDS,
    IN_DOMAIN,
    OUTSIDE,
    DigitRecognizer,
    digit_error_rate,
    speech_judge,
    speech_verdicts,
)


@pytest.fixture(scope="module")
def words() -> tuple[list[np.ndarray], np.ndarray, int]:
    """Two held-out takes of every digit by two speakers (40 real words, 8 kHz)."""
    data = fsdd(split="test", speakers=["george", "jackson"])
    keep = np.flatnonzero(data.labels["take"].to_numpy() < 2)
    return [data.clips[i] for i in keep], data.labels.digit.to_numpy()[keep], data.sr


def test_hears_real_held_out_words_far_above_chance(words):
    clips, digits, sr = words
    judge = speech_judge()
    heard = judge.hear_digits(clips, sr)
    assert heard.shape == digits.shape and set(heard) <= set(range(-1, 10))
    assert np.mean(heard == digits) > 0.6  # 10 % is chance; 74 % on all 300 test words
    assert judge.accuracy(clips, digits, sr) == pytest.approx(np.mean(heard == digits))
    assert judge.predict(clips, sr).tolist() == heard.tolist()
    assert speech_judge() is judge  # built once per process


def test_a_clip_is_heard_the_same_alone_in_a_batch_and_at_other_rates(words):
    clips, _, sr = words
    judge = speech_judge()
    batch = judge.hear_digits(clips[:6], sr)
    alone = [int(judge.hear_digits(c, sr)[0]) for c in clips[:6]]
    assert batch.tolist() == alone
    at_16k = judge.hear_digits([resample(c, sr, 16000) for c in clips[:6]], 16000)
    at_44k = judge.hear_digits([resample(c, sr, 44100) for c in clips[:6]], 44100)
    assert np.mean(at_16k == batch) >= 5 / 6 and np.mean(at_44k == batch) >= 5 / 6
    louder = judge.hear_digits([3.0 * c for c in clips[:6]], sr)  # above full scale
    assert louder.tolist() == batch.tolist()  # scaled down, never clipped


def test_multichannel_clips_are_mixed_down(words):
    clips, _, sr = words
    judge = speech_judge()
    mono = judge.hear_digits(clips[:3], sr)
    stereo = judge.hear_digits([np.stack([c, c]) for c in clips[:3]], sr)
    assert stereo.tolist() == mono.tolist()
    n = min(len(c) for c in clips[:3])
    block = np.stack([np.stack([c[:n], c[:n]]) for c in clips[:3]])  # (clips, channels, n)
    assert judge.hear_digits(block, sr).shape == (3,)


def test_silence_is_no_word_and_bad_samples_are_refused_by_index(words):
    clips, _, sr = words
    judge = speech_judge()
    silent = np.zeros(4000, np.float32)
    assert judge.hear_digits([silent, clips[0]], sr)[0] == -1
    assert judge.transcribe(silent, sr) == [""]
    assert judge.hear_digit_strings(silent, sr) == [""]
    assert judge.accuracy([silent], [0], sr) == 0.0
    broken = clips[1].copy()
    broken[10] = np.nan
    with pytest.raises(ValueError, match="clip 1 contains NaN"):
        judge.hear_digits([clips[0], broken], sr)
    with pytest.raises(ValueError, match="clip 0 contains NaN or infinite"):
        judge.transcribe([np.full(100, np.inf)], sr)
    with pytest.raises(ValueError, match="no clips"):
        judge.hear_digits([], sr)
    with pytest.raises(ValueError, match="sr must be a positive integer"):
        judge.hear_digits(clips[:1], 0)
    with pytest.raises(ValueError, match="labels of shape"):
        judge.accuracy(clips[:2], [1, 2, 3], sr)
    with pytest.raises(ValueError, match="clip 0 must be a non-empty"):
        judge.hear_digits([np.zeros(0)], sr)


def test_digit_strings_are_heard_as_sequences(words):
    clips, digits, sr = words
    judge = speech_judge()
    heard = judge.hear_digits(clips, sr)
    # a sentence of four real words the judge hears right one by one
    chosen = [i for i in range(len(clips)) if heard[i] == digits[i]][:4]
    pause = np.zeros(int(0.15 * sr), np.float32)
    sentence = np.concatenate([p for i in chosen for p in (clips[i], pause)])
    spoken = "".join(str(digits[i]) for i in chosen)
    [string] = judge.hear_digit_strings([sentence], sr)
    assert set(string) <= set("0123456789")
    assert digit_error_rate(spoken, string) <= 0.25
    words_heard = judge.transcribe([sentence], sr, sequence=True)[0].split()
    assert all(w in DIGIT_WORDS for w in words_heard)


def test_digit_error_rate_is_edit_distance_over_the_spoken_length():
    assert digit_error_rate("2026", "2026") == 0.0
    assert digit_error_rate("2026", "226") == 0.25  # one deletion
    assert digit_error_rate("2026", "2126") == 0.25  # one substitution
    assert digit_error_rate("2026", "20266") == 0.25  # one insertion
    assert digit_error_rate("2026", "") == 1.0
    assert digit_error_rate("12", "3456") == 2.0  # more errors than spoken digits
    assert digit_error_rate("20-26", "20 26") == 0.0
    with pytest.raises(ValueError, match="other than the digits"):
        digit_error_rate("two", "2")
    with pytest.raises(ValueError, match="holds no digit"):
        digit_error_rate("", "2")


def test_missing_pocketsphinx_names_the_install_command(monkeypatch):
    monkeypatch.setitem(sys.modules, "pocketsphinx", None)  # import fails
    with pytest.raises(ImportError, match=r"pip install 'pocketsphinx"):
        DigitRecognizer()


def test_settings_are_checked():
    with pytest.raises(ValueError, match="trim_db"):
        DigitRecognizer(trim_db=0)
    with pytest.raises(ValueError, match="pad_s"):
        DigitRecognizer(pad_s=-1)
    assert "PocketSphinx" in repr(DigitRecognizer(trim_db=None, pad_s=0.1))


def test_speech_verdicts_put_the_outside_judge_first_and_divide_by_the_reference(words):
    clips, digits, sr = words
    rng = np.random.default_rng(0)
    noisy = [c + rng.normal(0, 0.05, c.size).astype(np.float32) for c in clips]
    table = speech_verdicts({"real": clips, "in noise": noisy}, digits, sr)
    assert list(table.columns) == ["words", OUTSIDE, "x real", IN_DOMAIN, "in-domain x real"]
    assert table.loc["real", "x real"] == pytest.approx(1.0)
    judge = speech_judge()
    assert table.loc["in noise", OUTSIDE] == pytest.approx(judge.accuracy(noisy, digits, sr))
    assert table.loc["in noise", "x real"] == pytest.approx(
        table.loc["in noise", OUTSIDE] / table.loc["real", OUTSIDE])
    assert table.loc["real", IN_DOMAIN] > 0.9  # trained on these six voices
    one = speech_verdicts({"sevens": [clips[i] for i in np.flatnonzero(digits == 7)]}, 7, sr)
    assert one.loc["sevens", "words"] == 4
    with pytest.raises(ValueError, match="reference 'x'"):
        speech_verdicts({"real": clips}, digits, sr, reference="x")


def test_a_word_recognizer_hears_any_dictionary_words_digits_as_one_case(words):
    from aigc_kit.evaluation import WordRecognizer

    clips, digits, sr = words
    sevens = [clips[i] for i in np.flatnonzero(digits == 7)]
    odd = WordRecognizer(["seven", "stop", "left"])
    heard = odd.hear_words(sevens, sr)
    assert heard.shape == (len(sevens),) and set(heard) <= {-1, 0, 1, 2}
    assert odd.accuracy(sevens, np.zeros(len(sevens), int), sr) == np.mean(heard == 0)
    assert np.mean(heard == 0) >= 0.5  # "seven" among three words
    digit_judge = speech_judge()
    assert isinstance(digit_judge, WordRecognizer) and digit_judge.words == DIGIT_WORDS
    assert np.array_equal(digit_judge.hear_digits(clips, sr), digit_judge.hear_words(clips, sr))
    with pytest.raises(ValueError, match=r"does not know \['xyzzyq'\]"):
        WordRecognizer(["stop", "xyzzyq"])
    with pytest.raises(ValueError, match="distinct"):
        WordRecognizer(["stop", "stop"])


def test_speech_coverage_counts_the_words_and_digits_heard_without_labels(words):
    from aigc_kit.evaluation import speech_coverage

    clips, digits, sr = words
    hum = [0.3 * np.sin(2 * np.pi * 100 * np.arange(4000) / sr).astype(np.float32)] * 3
    table = speech_coverage({"real": clips, "hum": hum}, sr)
    judge = speech_judge()
    heard = judge.predict(clips, sr)
    assert table.loc["real", "clips"] == len(clips)
    assert table.loc["real", "outside: a word heard"] == pytest.approx(np.mean(heard >= 0))
    assert table.loc["real", "outside: digits heard"] == len(set(heard[heard >= 0].tolist()))
    assert table.loc["real", "outside: digits heard"] >= 8
    assert table.loc["hum", "clips"] == 3 and table.loc["hum", "outside: digits heard"] <= 1
    assert 0 <= table.loc["hum", "agree"] <= 1
