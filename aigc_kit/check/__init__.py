"""Self-checks for the chapters' exercises: ``check.ch06_ex2(answer)`` says right or not yet.

Each numbered chapter ends with exercises written once, with their worked solution in cells
tagged ``solution`` (``aigc-kit exercises --out DIR`` writes the student notebooks, with
every solution replaced by a stub). After each exercise the notebook calls its check::

    from aigc_kit import check
    check.ch05_ex1(answer)      # ✓ right, or ✗ not yet with a hint; never the solution

A check recomputes what it needs from the kit (or from the objects passed to it) and
compares; it never prints the expected value. An unanswered exercise (``answer = ...``, the
student stub) gets a reminder, not a verdict. With the environment variable
``AIGC_KIT_CHECK_STRICT=1`` (set by the tests, which run the solution notebooks) a check that
is not passed raises :class:`ExerciseNotPassed` instead, so a solution that stops passing
its own check fails the build.

The checks of chapter ``NN`` live in ``aigc_kit.check.chNN`` as ``ex1``, ``ex2``, ...;
``check.chNN_exK`` is ``aigc_kit.check.chNN.exK``. A chapter inserted after chapter ``NN``
has the id ``NNb`` (``06b_project_audio_diffusion``: ``check.ch06b_ex1``).
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from typing import Any

from aigc_kit.check.core import ExerciseNotPassed, Verdict, close, exercise, right, wrong

__all__ = ["ExerciseNotPassed", "Verdict", "chapter_id", "close", "exercise", "right", "wrong",
           "names"]

_NAME = re.compile(r"^ch(\d\d[a-z]?)_ex(\d+)$")


def __getattr__(name: str) -> Callable[..., Verdict]:
    """``check.chNN_exK``: the check ``exK`` of module ``aigc_kit.check.chNN``."""
    match = _NAME.match(name)
    if match is None:
        raise AttributeError(f"module 'aigc_kit.check' has no attribute {name!r}")
    chapter, number = match.groups()
    try:
        module = importlib.import_module(f"aigc_kit.check.ch{chapter}")
    except ModuleNotFoundError:
        raise AttributeError(f"no checks for chapter {chapter}: there is no "
                             f"aigc_kit/check/ch{chapter}.py") from None
    try:
        return getattr(module, f"ex{number}")
    except AttributeError:
        raise AttributeError(f"chapter {chapter} has no exercise {number}; its checks are "
                             f"{names(chapter)}") from None


def chapter_id(stem: str) -> str:
    """The id of the chapter notebook ``stem``: ``"05"`` for ``05_math_losses_optimizers``,
    ``"06b"`` for ``06b_project_audio_diffusion`` (its checks are ``check.ch06b_exK``).

    Notes
    -----
    Used by the course tooling (exercises, site, reading lists) to name a chapter.
    """
    match = re.match(r"^(\d\d[a-z]?)_", stem)
    if match is None:
        raise ValueError(f"{stem!r} is not a chapter notebook (NN_topic or NNb_topic)")
    return match.group(1)


def names(chapter: int | str) -> list[str]:
    """The check names of one chapter, e.g. ``['ch05_ex1', 'ch05_ex2', 'ch05_ex3']``.

    ``chapter`` is a number (5) or an id (``"05"``, ``"06b"``).

    Notes
    -----
    Used by ``aigc-kit exercises`` (nbgrader export) to find each chapter's checks.
    """
    try:
        module = importlib.import_module(f"aigc_kit.check.ch{_id(chapter)}")
    except ModuleNotFoundError:
        return []
    found: list[tuple[int, str]] = []
    for attr in dir(module):
        value: Any = getattr(module, attr)
        if re.fullmatch(r"ex\d+", attr) and getattr(value, "is_exercise_check", False):
            found.append((int(attr[2:]), f"ch{_id(chapter)}_{attr}"))
    return [name for _, name in sorted(found)]


def _id(chapter: int | str) -> str:
    return f"{chapter:02d}" if isinstance(chapter, int) else chapter
