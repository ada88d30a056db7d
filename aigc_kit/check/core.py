"""The machinery of the exercise checks: verdicts, the ``@exercise`` decorator, comparisons.

A chapter's check module writes each check as a plain function of the student's answer
(and of any notebook objects it needs) that returns :func:`right` or :func:`wrong`;
``@exercise`` names it, handles unanswered exercises and odd answers, and applies strict
mode. Not a lesson of its own: every chapter's "Check your answer" cells call it (the first
in ``01_aigc_overview``), and ``aigc-kit exercises`` exports it for nbgrader.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

STRICT_ENV = "AIGC_KIT_CHECK_STRICT"


class ExerciseNotPassed(AssertionError):
    """A check that is not passed, raised with its verdict's line (the hint) as message.

    Raised in strict mode (``AIGC_KIT_CHECK_STRICT=1``) and by :meth:`Verdict.require`
    (nbgrader's autograded cells); an ``AssertionError``, so graders count it as a failed
    test.

    Notes
    -----
    Used by the self-check cells of every chapter, from ``01_aigc_overview``.
    """


@dataclass(frozen=True)
class Outcome:
    """What a check function found: passed or not, and the note or hint to show."""

    ok: bool
    text: str = ""


def right(note: str = "") -> Outcome:
    """A passed check, with an optional note that goes further (never required).

    Notes
    -----
    Used by the self-check cells of every chapter, from ``01_aigc_overview``.
    """
    return Outcome(True, note)


def wrong(hint: str) -> Outcome:
    """A failed check and its hint: what to look at, never the expected answer.

    Notes
    -----
    Used by the self-check cells of every chapter, from ``01_aigc_overview``.
    """
    return Outcome(False, hint)


@dataclass(frozen=True)
class Verdict:
    """The result of a check, shown as one line in the notebook.

    Attributes
    ----------
    exercise : str
        e.g. ``"ch05_ex1"``.
    ok : bool or None
        True right, False not yet, None not answered (the stub's ``answer = ...``).
    message : str
        The note, the hint, or the reminder to answer first.

    Notes
    -----
    Used by the self-check cells of every chapter, from ``01_aigc_overview``.
    """

    exercise: str
    ok: bool | None
    message: str

    def __bool__(self) -> bool:
        return bool(self.ok)

    def __repr__(self) -> str:
        mark = {True: "✓ right", False: "✗ not yet", None: "… not answered yet"}[self.ok]
        return f"{self.exercise}: {mark}" + (f" — {self.message}" if self.message else "")

    __str__ = __repr__

    def require(self) -> Verdict:
        """This verdict when it is right; otherwise raise :class:`ExerciseNotPassed`.

        The exception's message is the verdict's line, hint included, so a grader that
        only sees the exception (nbgrader's autograded cell, strict mode) shows the
        student the same hint as the notebook would; a right answer is returned and so
        displayed ("✓ right"). The nbgrader export (``aigc-kit exercises --nbgrader``)
        writes each check as ``check.chNN_exK(...).require()``.
        """
        if not self.ok:
            raise ExerciseNotPassed(repr(self))
        return self


def _strict() -> bool:
    return os.environ.get(STRICT_ENV, "").strip() not in ("", "0", "false", "no")


def exercise(func: Callable[..., Outcome]) -> Callable[..., Verdict]:
    """Make ``func(answer, *context)`` a check named after its module and name (``ch05_ex1``).

    The wrapped check returns a :class:`Verdict`. An answer of ``...`` or ``None`` is "not
    answered yet"; an answer the check cannot read (a ``TypeError`` or ``ValueError`` while
    comparing) is "not yet" with the reason. In strict mode anything but "right" raises
    :class:`ExerciseNotPassed`.

    Notes
    -----
    Used by the self-check cells of every chapter, from ``01_aigc_overview``.
    """
    name = f"{func.__module__.rsplit('.', 1)[-1]}_{func.__name__}"

    @functools.wraps(func)
    def check(answer: Any = ..., *args: Any, **kwargs: Any) -> Verdict:
        if answer is ... or answer is None:
            verdict = Verdict(name, None, "replace `...` with your answer and run the cell "
                                          "again")
        else:
            try:
                outcome = func(answer, *args, **kwargs)
            except (TypeError, ValueError, IndexError) as error:
                outcome = wrong(f"your answer could not be checked ({type(error).__name__}: "
                                f"{error})")
            verdict = Verdict(name, outcome.ok, outcome.text)
        return verdict.require() if _strict() else verdict

    check.is_exercise_check = True  # type: ignore[attr-defined]
    return check


def not_a_function(answer: Any, name: str) -> Outcome | None:
    """The hint when ``answer`` should be the student's function ``name`` but is not one."""
    if callable(answer):
        return None
    return wrong(f"`answer` should be your function itself (answer = {name}), not a value "
                 f"it returned")


def call_student(function: Callable[..., Any], *args: Any,
                 how_called: str | None = None) -> tuple[Any, Outcome | None]:
    """``(function(*args), None)``, or ``(None, hint)`` naming the error the student's
    function raised (any error: it is the student's code). ``how_called`` (e.g.
    ``"answer(frame) with frame an (H, W, 3) float array"``) is added to the hint."""
    try:
        return function(*args), None
    except Exception as error:  # noqa: BLE001 - any error is the student's to see
        called = f"; it is called as {how_called}" if how_called else ""
        return None, wrong(f"your function raised {type(error).__name__}: {error}{called}")


def close(answer: Any, expected: Any, rtol: float = 1e-3, atol: float = 1e-6) -> bool:
    """Whether ``answer`` matches ``expected`` in shape and within tolerance (NaN never does).

    Accepts numbers, sequences, NumPy arrays and PyTorch tensors (moved to the CPU).

    Notes
    -----
    Used by the self-check cells of every chapter, from ``01_aigc_overview``.
    """
    a, b = as_array(answer), as_array(expected)
    if a.shape != b.shape:
        return False
    return bool(np.all(np.isfinite(a)) and np.allclose(a, b, rtol=rtol, atol=atol))


def as_array(value: Any) -> np.ndarray:
    """``value`` (number, sequence, array or torch tensor) as a float64 NumPy array."""
    if hasattr(value, "detach"):  # a torch tensor
        value = value.detach().cpu().numpy()
    return np.asarray(value, dtype=np.float64)
