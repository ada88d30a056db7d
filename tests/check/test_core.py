"""The exercise-check machinery: verdicts, unanswered stubs, odd answers, strict mode."""

import numpy as np
import pytest
import torch

from aigc_kit import check
from aigc_kit.check.core import STRICT_ENV


@check.exercise
def ex1(answer, expected=2.0):
    if not check.close(answer, expected):
        return check.wrong("look at the sign")
    return check.right("well done")


def test_right_wrong_and_unanswered(monkeypatch):
    monkeypatch.delenv(STRICT_ENV, raising=False)
    assert ex1(2.0).ok is True and "well done" in repr(ex1(2.0))
    wrong = ex1(-2.0)
    assert wrong.ok is False and not wrong and "look at the sign" in repr(wrong)
    assert "2.0" not in wrong.message
    assert ex1(...).ok is None and "not answered" in repr(ex1(...))
    assert ex1(None).ok is None
    assert repr(ex1(2.0)).startswith("test_core_ex1: ✓ right")


def test_odd_answers_are_not_yet_with_the_reason(monkeypatch):
    monkeypatch.delenv(STRICT_ENV, raising=False)
    verdict = ex1("two")
    assert verdict.ok is False and "could not be checked" in verdict.message


def test_strict_mode_raises_on_anything_but_right(monkeypatch):
    monkeypatch.setenv(STRICT_ENV, "1")
    assert ex1(2.0).ok
    with pytest.raises(check.ExerciseNotPassed, match="look at the sign"):
        ex1(3.0)
    with pytest.raises(check.ExerciseNotPassed, match="not answered"):
        ex1(...)


def test_require_raises_the_verdict_line_with_its_hint_or_returns_a_right_verdict(monkeypatch):
    # issue 27: what nbgrader's test cells call, so a failed check keeps its hint
    monkeypatch.delenv(STRICT_ENV, raising=False)
    assert ex1(2.0).require() == ex1(2.0)
    with pytest.raises(AssertionError) as failed:
        ex1(3.0).require()
    assert isinstance(failed.value, check.ExerciseNotPassed)
    assert str(failed.value) == "test_core_ex1: ✗ not yet — look at the sign"
    with pytest.raises(check.ExerciseNotPassed, match="not answered yet"):
        ex1(...).require()


def test_close_compares_shape_tolerance_and_nan():
    assert check.close(torch.tensor([1.0, 2.0]), np.array([1.0, 2.0]))
    assert not check.close([1.0, 2.0], [1.0, 2.0, 3.0])
    assert not check.close([np.nan], [np.nan])
    assert not check.close(1.1, 1.0)


def test_names_resolve_and_unknown_names_say_why():
    with pytest.raises(AttributeError, match="no checks for chapter 99"):
        check.ch99_ex1  # noqa: B018
    with pytest.raises(AttributeError, match="has no attribute"):
        check.something  # noqa: B018
    assert check.names(99) == []


def test_call_student_returns_the_result_or_a_hint_naming_the_error_and_the_call():
    from aigc_kit.check.core import call_student

    assert call_student(lambda a, b: a + b, 1, 2) == (3, None)
    result, hint = call_student(lambda a: a.nope, 1, how_called="answer(x) with x a number")
    assert result is None and hint.ok is False
    assert "AttributeError" in hint.text and "called as answer(x) with x a number" in hint.text
    assert "called as" not in call_student(lambda: 1 / 0)[1].text


def test_chapter_ids_of_numbered_and_inserted_chapters():
    assert check.chapter_id("05_math_losses_optimizers") == "05"
    assert check.chapter_id("06b_project_audio_diffusion") == "06b"
    assert check.names("06b") == ["ch06b_ex1", "ch06b_ex2", "ch06b_ex3"]
    assert check.names(5) == check.names("05") and check.names(5)[0] == "ch05_ex1"
    with pytest.raises(ValueError, match="'report_model' is not a chapter notebook"):
        check.chapter_id("report_model")
