"""An append-only log of listener ratings, stored as JSON Lines.

Taught in ``08_interaction_feedback_loop``: listeners rate generated samples, the ratings are
appended to a log, and the statistics of ``07_evaluation``
(:mod:`aigc_kit.evaluation.listening`) turn the log into mean opinion scores that steer the
next round of generation.

File format
-----------
One JSON object per line (UTF-8), with exactly the fields of :data:`FIELDS`:

* ``sample_id`` -- non-empty string naming the rated sample;
* ``rater_id`` -- non-empty string naming the listener;
* ``score`` -- integer from 1 to 5 (``True`` and ``4.0`` are rejected);
* ``comment`` -- free text or ``null``; newlines are fine, JSON escapes them;
* ``timestamp`` -- when the record was written, UTC, ISO 8601 (``2024-05-01T12:00:00+00:00``),
  always set by the log, never by the caller;
* ``tag`` -- the model/version that generated the sample, a non-empty string or ``null``.

Durability and concurrency
--------------------------
Every append opens the file with ``O_APPEND | O_CREAT | O_WRONLY``, writes the whole record as
one line with a single ``os.write`` and calls ``os.fsync``. With ``O_APPEND`` the kernel moves
to the end of the file and writes in one step, so several processes may append to the same
local file at once without losing or interleaving records. If a previous writer was cut off
mid-line, the file does not end with a newline; the next append then starts with one, so only
the damaged line is lost.

Reading validates every line. A damaged line (cut off mid-write, not JSON, a missing field, a
score out of range, ...) is skipped and reported with its line number: :meth:`FeedbackLog.load`
returns the problems, :meth:`FeedbackLog.read` emits a :class:`FeedbackWarning`. Reading never
raises because of a damaged line, and a missing file reads as an empty log.
"""

from __future__ import annotations

import json
import os
import warnings
from dataclasses import dataclass
from datetime import datetime, timezone
from numbers import Integral
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = ["FIELDS", "FeedbackError", "FeedbackLog", "FeedbackProblem", "FeedbackWarning"]

FIELDS: tuple[str, ...] = ("sample_id", "rater_id", "score", "comment", "timestamp", "tag")
"""The fields of a record, in file and :meth:`FeedbackLog.to_frame` column order."""

MIN_SCORE = 1
MAX_SCORE = 5
_MAX_WARNED_PROBLEMS = 5
_OPEN_FLAGS = os.O_APPEND | os.O_CREAT | os.O_WRONLY | getattr(os, "O_BINARY", 0)


class FeedbackError(ValueError):
    """A rating that cannot be written: the message names the field, the value and the file."""


class FeedbackWarning(UserWarning):
    """Emitted by :meth:`FeedbackLog.read` when damaged lines were skipped."""


@dataclass(frozen=True)
class FeedbackProblem:
    """A line of the log that was skipped on reading.

    Attributes
    ----------
    path : pathlib.Path
        The log file.
    line : int
        The 1-based line number in the file.
    reason : str
        Why the line was skipped, e.g. ``"invalid JSON (line cut off mid-write?): ..."``.
    """

    path: Path
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.path}, line {self.line}: {self.reason}"


def _describe(value: Any) -> str:
    """``value`` with its type, for error messages."""
    return f"{value!r} ({type(value).__name__})"


def _id_error(field: str, value: Any) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return f"{field} must be a non-empty string, got {_describe(value)}"
    return None


def _score_error(field: str, value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, Integral):
        return f"{field} must be an integer from {MIN_SCORE} to {MAX_SCORE}, got {_describe(value)}"
    if not MIN_SCORE <= value <= MAX_SCORE:
        return f"{field} must be from {MIN_SCORE} to {MAX_SCORE}, got {value!r}"
    return None


def _comment_error(field: str, value: Any) -> str | None:
    if value is not None and not isinstance(value, str):
        return f"{field} must be a string or None, got {_describe(value)}"
    return None


def _tag_error(field: str, value: Any) -> str | None:
    return None if value is None else _id_error(field, value)


def _timestamp_error(field: str, value: Any) -> str | None:
    reason = f"{field} must be an ISO 8601 string with a UTC offset, got {_describe(value)}"
    if not isinstance(value, str):
        return reason
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return reason
    return reason if parsed.tzinfo is None else None


_CHECKS = {
    "sample_id": _id_error,
    "rater_id": _id_error,
    "score": _score_error,
    "comment": _comment_error,
    "timestamp": _timestamp_error,
    "tag": _tag_error,
}


def _field_errors(record: dict[str, Any]) -> list[str]:
    """Why the (complete) ``record`` is invalid; empty if it is valid."""
    errors = (_CHECKS[field](field, record[field]) for field in FIELDS if field in record)
    return [error for error in errors if error is not None]


def _record_error(value: Any) -> str | None:
    """Why a decoded JSON line is not a valid record, or ``None`` if it is one."""
    if not isinstance(value, dict):
        return f"expected a JSON object, got {type(value).__name__}"
    missing = [field for field in FIELDS if field not in value]
    if missing:
        return f"missing field(s) {', '.join(missing)}"
    unknown = sorted(set(value) - set(FIELDS))
    if unknown:
        return f"unknown field(s) {', '.join(unknown)}"
    errors = _field_errors(value)
    return "; ".join(errors) if errors else None


def _parse_line(raw: bytes) -> tuple[dict[str, Any] | None, str | None]:
    """``(record, None)`` for a valid line, ``(None, reason)`` for a damaged one."""
    try:
        value = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as error:
        return None, f"not UTF-8 text: {error}"
    except json.JSONDecodeError as error:
        return None, f"invalid JSON (line cut off mid-write?): {error}"
    reason = _record_error(value)
    return (None, reason) if reason else (value, None)


def _ends_mid_line(path: Path) -> bool:
    """Whether the (existing) file is non-empty and its last byte is not a newline."""
    with open(path, "rb") as file:
        if file.seek(0, os.SEEK_END) == 0:
            return False
        file.seek(-1, os.SEEK_END)
        return file.read(1) != b"\n"


class FeedbackLog:
    """An append-only JSON Lines log of listener ratings.

    Parameters
    ----------
    path : str or os.PathLike
        The log file. It and its parent folders are created by the first :meth:`append`.

    Examples
    --------
    >>> log = FeedbackLog("listening_test/ratings.jsonl")  # doctest: +SKIP
    >>> log.append(sample_id="gan_0007", rater_id="ana", score=4, tag="gan-v2")  # doctest: +SKIP
    >>> log.to_frame().groupby("tag")["score"].mean()  # doctest: +SKIP
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)

    def __repr__(self) -> str:
        return f"FeedbackLog({str(self.path)!r})"

    def __len__(self) -> int:
        """The number of valid records (damaged lines are not counted)."""
        return len(self.load()[0])

    def append(
        self,
        *,
        sample_id: str,
        rater_id: str,
        score: int,
        comment: str | None = None,
        tag: str | None = None,
    ) -> dict[str, Any]:
        """Validate one rating, timestamp it and append it to the log as one line.

        Parameters
        ----------
        sample_id : str
            The rated sample, non-empty.
        rater_id : str
            The listener, non-empty.
        score : int
            From 1 to 5. Any integral type (e.g. ``numpy.int64``) is accepted and stored as a
            Python ``int``; ``bool``, floats and strings are rejected.
        comment : str, optional
            Free text; may contain newlines.
        tag : str, optional
            The model/version that generated the sample, non-empty if given.

        Returns
        -------
        dict
            The record as written, with the fields of :data:`FIELDS`; ``timestamp`` is the
            current UTC time in ISO 8601.

        Raises
        ------
        FeedbackError
            If a field is invalid; nothing is written then.
        OSError
            If the file cannot be written, or the system wrote only part of the line.
        """
        record = {
            "sample_id": sample_id,
            "rater_id": rater_id,
            "score": score,
            "comment": comment,
            "tag": tag,
        }
        errors = _field_errors(record)
        if errors:
            raise FeedbackError(f"{'; '.join(errors)}; the rating was not written to {self.path}")
        record["score"] = int(score)
        record["timestamp"] = datetime.now(timezone.utc).isoformat()
        record = {field: record[field] for field in FIELDS}
        self._write_line(json.dumps(record, ensure_ascii=False).encode("utf-8") + b"\n")
        return record

    def _write_line(self, line: bytes) -> None:
        """Append ``line`` with one ``os.write``, after a newline if the file ends mid-line."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, _OPEN_FLAGS, 0o644)
        try:
            data = b"\n" + line if _ends_mid_line(self.path) else line
            written = os.write(fd, data)
            if written != len(data):
                raise OSError(f"only {written} of {len(data)} bytes were appended to {self.path}")
            os.fsync(fd)
        finally:
            os.close(fd)

    def load(self) -> tuple[list[dict[str, Any]], list[FeedbackProblem]]:
        """Read and validate the log, reporting damaged lines instead of raising.

        Returns
        -------
        records : list of dict
            The valid records in file order.
        problems : list of FeedbackProblem
            One per skipped line, with its 1-based line number and the reason. Blank lines
            (e.g. the newline an append adds after a cut-off line) are ignored, not reported.
        """
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return [], []
        records: list[dict[str, Any]] = []
        problems: list[FeedbackProblem] = []
        for number, raw in enumerate(data.split(b"\n"), start=1):
            if not raw.strip():
                continue
            record, reason = _parse_line(raw)
            if record is None:
                problems.append(FeedbackProblem(self.path, number, reason))
            else:
                records.append(record)
        return records, problems

    def read(self) -> list[dict[str, Any]]:
        """The valid records in file order; damaged lines are skipped with a warning.

        Returns
        -------
        list of dict
            As in :meth:`load`.

        Warns
        -----
        FeedbackWarning
            Once per call if lines were skipped, naming their line numbers and reasons.
        """
        records, problems = self.load()
        if problems:
            shown = "\n  ".join(str(problem) for problem in problems[:_MAX_WARNED_PROBLEMS])
            more = len(problems) - _MAX_WARNED_PROBLEMS
            tail = f"\n  ... and {more} more" if more > 0 else ""
            message = f"skipped {len(problems)} damaged line(s) of {self.path}:\n  {shown}{tail}"
            warnings.warn(message, FeedbackWarning, stacklevel=2)
        return records

    def to_frame(self) -> pd.DataFrame:
        """The valid records as a DataFrame, one row per rating.

        Returns
        -------
        pandas.DataFrame
            Columns ``sample_id``, ``rater_id``, ``score`` (int64), ``comment``, ``timestamp``
            (``datetime64`` in UTC) and ``tag``; a missing comment or tag is a missing value
            (test with ``isna()``: pandas 3 stores it as ``NaN``, older versions as ``None``).

        Warns
        -----
        FeedbackWarning
            As in :meth:`read`.
        """
        frame = pd.DataFrame(self.read(), columns=list(FIELDS))
        frame["score"] = frame["score"].astype("int64")
        frame["timestamp"] = pd.to_datetime(frame["timestamp"], utc=True, format="ISO8601")
        return frame
