"""An append-only log of listener ratings and listening-test answers, stored as JSON Lines.

Taught in ``08_interaction_feedback_loop``: listeners rate generated samples, the ratings are
appended to a log, and the statistics of ``07_evaluation``
(:mod:`aigc_kit.evaluation.rating_stats`) turn the log into mean opinion scores that steer the
next round of generation. A class's logs are pooled with
:func:`aigc_kit.interaction.merge.merge_logs` (``aigc-kit ratings merge``).

File format
-----------
One JSON object per line (UTF-8), with exactly the fields of :data:`FIELDS`:

* ``record_id`` -- unique id of the record, ``uuid.uuid4().hex`` (32 lowercase hex digits),
  always set by the log when the record is written, never by the caller; merging uses it to
  count every record once;
* ``sample_id`` -- non-empty string naming the rated sample;
* ``rater_id`` -- non-empty string naming the listener;
* ``score`` -- an integer in the range :data:`SCORE_RANGES` gives for ``test`` (``True`` and
  ``4.0`` are rejected);
* ``comment`` -- free text or ``null``; newlines are fine, JSON escapes them;
* ``timestamp`` -- when the record was written, UTC, ISO 8601 (``2024-05-01T12:00:00+00:00``),
  always set by the log, never by the caller;
* ``tag`` -- the model/version that generated the sample, a non-empty string or ``null``;
* ``test`` -- the kind of answer: ``"mos"`` (a 1-5 opinion score, the default), ``"mushra"``
  (a 0-100 score of one condition of a MUSHRA trial), ``"abx"`` (1 if the listener
  identified X correctly in an ABX trial, else 0) or ``"ab"`` (a blind A/B preference: 1
  for A, -1 for B, 0 for a tie);
* ``trial`` -- the trial (item) id, a non-empty string for ``mushra``, ``abx`` and ``ab``,
  ``null`` for ``mos``;
* ``condition`` -- a non-empty string for ``mushra``, ``abx`` and ``ab``, ``null`` for
  ``mos``: the MUSHRA condition rated (the hidden reference is :data:`MUSHRA_REFERENCE`,
  ``"reference"``), or the pair an ABX or A/B trial compared, e.g. ``"gan|real"``;
* ``source`` -- how the answer was given, a non-empty string or ``null`` (not recorded):
  the kit writes ``"click"`` (a button of a widget), ``"voice"`` (a spoken command,
  :mod:`aigc_kit.interaction.voice`) and ``"simulated"`` (a simulated listener), see
  :data:`SOURCES`.

Older logs hold lines with exactly the six fields of :data:`LEGACY_FIELDS` (no id, MOS only).
They stay valid: such a line reads as ``test="mos"``, ``trial=None``, ``condition=None`` and
the stable id :func:`legacy_record_id` computes from its content (``"legacy-"`` and 24 hex
digits), the same every time the line is read. Lines written before the ``source`` field
(the ten other fields) stay valid too and read as ``source=None``.

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

import hashlib
import json
import os
import re
import uuid
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from numbers import Integral
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = [
    "FIELDS",
    "LEGACY_FIELDS",
    "MAX_SCORE",
    "MIN_SCORE",
    "MUSHRA_REFERENCE",
    "SCORE_RANGES",
    "SOURCES",
    "TESTS",
    "FeedbackError",
    "FeedbackLog",
    "FeedbackProblem",
    "FeedbackWarning",
    "legacy_record_id",
]

FIELDS: tuple[str, ...] = (
    "record_id", "sample_id", "rater_id", "score", "comment", "timestamp", "tag",
    "test", "trial", "condition", "source",
)
"""The fields of a record, in file and :meth:`FeedbackLog.to_frame` column order."""

LEGACY_FIELDS: tuple[str, ...] = ("sample_id", "rater_id", "score", "comment", "timestamp", "tag")
"""The fields of a record in logs written before record ids and test kinds (MOS only)."""

SCORE_RANGES: dict[str, tuple[int, int]] = {"mos": (1, 5), "mushra": (0, 100), "abx": (0, 1),
                                            "ab": (-1, 1)}
"""The allowed ``test`` kinds and the inclusive ``(low, high)`` integer score range of each:
``mos`` is a 1-5 opinion score, ``mushra`` a 0-100 score of one condition, ``abx`` 1 when the
listener identified X correctly, else 0, ``ab`` 1 when A was preferred, -1 for B, 0 a tie."""

SOURCES: tuple[str, ...] = ("click", "voice", "simulated")
"""The ``source`` values the kit uses: a widget's button, a spoken command, a simulated
listener (written by the caller that runs it). Any other non-empty string (or ``None``, not
recorded) is valid too."""

TESTS: tuple[str, ...] = tuple(SCORE_RANGES)
"""The allowed values of the ``test`` field: ``("mos", "mushra", "abx", "ab")``."""

MIN_SCORE, MAX_SCORE = SCORE_RANGES["mos"]
"""The range of a MOS rating (``test="mos"``): 1 to 5."""

MUSHRA_REFERENCE = "reference"
"""The ``condition`` of the hidden reference in a MUSHRA trial."""

_TRIAL_TESTS = ("mushra", "abx", "ab")
_NEW_FIELDS = frozenset(FIELDS) - frozenset(LEGACY_FIELDS)
_UNSOURCED_FIELDS = tuple(field for field in FIELDS if field != "source")  # older logs
_RECORD_ID = re.compile(r"[0-9a-f]{32}|legacy-[0-9a-f]{24}")
_MAX_WARNED_PROBLEMS = 5
_OPEN_FLAGS = os.O_APPEND | os.O_CREAT | os.O_WRONLY | getattr(os, "O_BINARY", 0)


class FeedbackError(ValueError):
    """A rating that cannot be written: the message names the field, the value and the file.

    Notes
    -----
    Taught in ``08_interaction_feedback_loop`` and ``07_evaluation``.
    """


class FeedbackWarning(UserWarning):
    """Emitted by :meth:`FeedbackLog.read` when damaged lines were skipped.

    Notes
    -----
    Taught in ``08_interaction_feedback_loop`` and ``07_evaluation``.
    """


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
        Why the line was skipped, e.g. ``"score must be from 1 to 5 for test 'mos', got 9"``.
    cut_off : bool
        True if the line is the file's last line, has no newline at its end and is not
        complete JSON: a write that was cut off (crash, full disk, copy stopped early).

    Notes
    -----
    Taught in ``08_interaction_feedback_loop`` and ``07_evaluation``.
    """

    path: Path
    line: int
    reason: str
    cut_off: bool = False

    def __str__(self) -> str:
        return f"{self.path}, line {self.line}: {self.reason}"


def legacy_record_id(record: Mapping[str, Any]) -> str:
    """The stable id of a record from a log written before record ids.

    Parameters
    ----------
    record : mapping
        Holds at least the fields of :data:`LEGACY_FIELDS`; other fields are ignored.

    Returns
    -------
    str
        ``"legacy-"`` and the first 24 hex digits of the SHA-256 of the canonical JSON of the
        six legacy fields (sorted keys, ``","``/``":"`` separators, UTF-8, non-ASCII kept):
        the same content always gets the same id.

    Notes
    -----
    Taught in ``08_interaction_feedback_loop`` and ``07_evaluation``.
    """
    content = {field: record[field] for field in LEGACY_FIELDS}
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return "legacy-" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:24]


def encode_record(record: Mapping[str, Any]) -> bytes:
    """One record as a line of the log: JSON with the fields of :data:`FIELDS`, newline."""
    ordered = {field: record[field] for field in FIELDS}
    return json.dumps(ordered, ensure_ascii=False).encode("utf-8") + b"\n"


def _describe(value: Any) -> str:
    """``value`` with its type, for error messages."""
    return f"{value!r} ({type(value).__name__})"


def _id_error(field: str, value: Any) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return f"{field} must be a non-empty string, got {_describe(value)}"
    return None


def _record_id_error(field: str, value: Any) -> str | None:
    if not isinstance(value, str) or not _RECORD_ID.fullmatch(value):
        return (f"{field} must be 32 lowercase hex digits (uuid4().hex, set by the log) or "
                f"'legacy-' and 24 hex digits, got {_describe(value)}")
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


def _test_error(field: str, value: Any) -> str | None:
    if not isinstance(value, str) or value not in SCORE_RANGES:
        allowed = ", ".join(repr(test) for test in SCORE_RANGES)
        return f"{field} must be one of {allowed}, got {_describe(value)}"
    return None


def _score_error(field: str, value: Any, test: str) -> str | None:
    low, high = SCORE_RANGES[test]
    if isinstance(value, bool) or not isinstance(value, Integral):
        return (f"{field} must be an integer from {low} to {high} for test {test!r}, "
                f"got {_describe(value)}")
    if not low <= value <= high:
        return f"{field} must be from {low} to {high} for test {test!r}, got {value!r}"
    return None


def _trial_error(field: str, value: Any, test: str) -> str | None:
    if test in _TRIAL_TESTS:
        error = _id_error(field, value)
        return None if error is None else f"{error}: test {test!r} needs a {field}"
    if value is not None:
        return (f"{field} must be None for test {test!r} (only {' and '.join(_TRIAL_TESTS)} "
                f"answers have one), got {_describe(value)}")
    return None


_CHECKS = {
    "record_id": _record_id_error,
    "sample_id": _id_error,
    "rater_id": _id_error,
    "comment": _comment_error,
    "timestamp": _timestamp_error,
    "tag": _tag_error,
    "test": _test_error,
    "source": _tag_error,
}
_TEST_CHECKS = {"score": _score_error, "trial": _trial_error, "condition": _trial_error}


def _field_errors(record: Mapping[str, Any]) -> list[str]:
    """Why the ``record`` is invalid; empty if it is valid. Absent fields are not checked.

    ``score``, ``trial`` and ``condition`` are checked against the record's ``test`` (MOS if
    absent), once that is a valid test.
    """
    errors = [_CHECKS[field](field, record[field]) for field in FIELDS
              if field in _CHECKS and field in record]
    test = record.get("test", "mos")
    if _test_error("test", test) is None:
        errors += [_TEST_CHECKS[field](field, record[field], test) for field in FIELDS
                   if field in _TEST_CHECKS and field in record]
    return [error for error in errors if error is not None]


def _fields_error(value: dict[str, Any], expected: tuple[str, ...]) -> str | None:
    """Why ``value`` does not have exactly the fields ``expected``, or ``None``."""
    missing = [field for field in expected if field not in value]
    if missing:
        return f"missing field(s) {', '.join(missing)}"
    unknown = sorted(set(value) - set(expected))
    if unknown:
        return f"unknown field(s) {', '.join(unknown)}"
    return None


def _upgrade_legacy(value: dict[str, Any]) -> dict[str, Any]:
    """A record with the six legacy fields as a full record, with its stable content id."""
    full = {"record_id": legacy_record_id(value), "test": "mos", "trial": None,
            "condition": None, "source": None, **value}
    return {field: full[field] for field in FIELDS}


def _expected_fields(value: dict[str, Any]) -> tuple[str, ...]:
    """The fields a decoded line must have: legacy (six), before ``source`` (ten), or all."""
    if _NEW_FIELDS.isdisjoint(value):
        return LEGACY_FIELDS
    return FIELDS if "source" in value else _UNSOURCED_FIELDS


def _as_record(value: Any) -> tuple[dict[str, Any] | None, str | None]:
    """``(record, None)`` for a valid decoded line (legacy lines upgraded), else the reason."""
    if not isinstance(value, dict):
        return None, f"expected a JSON object, got {type(value).__name__}"
    expected = _expected_fields(value)
    reason = _fields_error(value, expected)
    if reason:
        return None, reason
    errors = _field_errors(value)
    if errors:
        return None, "; ".join(errors)
    if expected is LEGACY_FIELDS:
        return _upgrade_legacy(value), None
    return {field: value.get(field) for field in FIELDS}, None


def _parse_line(raw: bytes, unterminated: bool) -> tuple[dict[str, Any] | None, str | None, bool]:
    """``(record, None, False)`` for a valid line, ``(None, reason, cut_off)`` for a damaged one.

    ``unterminated``: the line is the file's last and has no newline at its end; if it is then
    not UTF-8 JSON, it is reported as cut off mid-write.
    """
    try:
        value = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        kind = "not UTF-8 text" if isinstance(error, UnicodeDecodeError) else "invalid JSON"
        if unterminated:
            reason = (f"cut off mid-write: the last line has no newline at its end and is "
                      f"{kind}: {error}")
            return None, reason, True
        return None, f"{kind} (cut off by an earlier crash, or edited by hand?): {error}", False
    record, reason = _as_record(value)
    return record, reason, False


def _ends_mid_line(path: Path) -> bool:
    """Whether the (existing) file is non-empty and its last byte is not a newline."""
    with open(path, "rb") as file:
        if file.seek(0, os.SEEK_END) == 0:
            return False
        file.seek(-1, os.SEEK_END)
        return file.read(1) != b"\n"


class FeedbackLog:
    """An append-only JSON Lines log of listener ratings and listening-test answers.

    Parameters
    ----------
    path : str or os.PathLike
        The log file. It and its parent folders are created by the first :meth:`append`.

    Examples
    --------
    >>> log = FeedbackLog("listening_test/ratings.jsonl")  # doctest: +SKIP
    >>> log.append(sample_id="gan_0007", rater_id="ana", score=4, tag="gan-v2")  # doctest: +SKIP
    >>> log.append(sample_id="item3/gan", rater_id="ana", score=72, test="mushra",
    ...            trial="item3", condition="gan-v2")  # doctest: +SKIP
    >>> log.to_frame("mos").groupby("tag")["score"].mean()  # doctest: +SKIP

    Notes
    -----
    Taught in ``08_interaction_feedback_loop`` and ``07_evaluation``.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)

    def __repr__(self) -> str:
        return f"FeedbackLog({str(self.path)!r})"

    def __len__(self) -> int:
        """The number of valid records of every test (damaged lines are not counted)."""
        return len(self.load()[0])

    def append(
        self,
        *,
        sample_id: str,
        rater_id: str,
        score: int,
        comment: str | None = None,
        tag: str | None = None,
        test: str = "mos",
        trial: str | None = None,
        condition: str | None = None,
        source: str | None = None,
    ) -> dict[str, Any]:
        """Validate one answer, give it an id and a timestamp, append it to the log as one line.

        Parameters
        ----------
        sample_id : str
            The rated sample, non-empty.
        rater_id : str
            The listener, non-empty.
        score : int
            In the range :data:`SCORE_RANGES` gives for ``test``: 1 to 5 for ``"mos"``, 0 to
            100 for ``"mushra"``, 0 or 1 for ``"abx"`` (1: X identified correctly), -1, 0 or
            1 for ``"ab"`` (B preferred, tie, A preferred). Any
            integral type (e.g. ``numpy.int64``) is accepted and stored as a Python ``int``;
            ``bool``, floats and strings are rejected.
        comment : str, optional
            Free text; may contain newlines.
        tag : str, optional
            The model/version that generated the sample, non-empty if given.
        test : {"mos", "mushra", "abx", "ab"}, default "mos"
            The kind of answer.
        trial : str, optional
            The trial (item) id: required (non-empty) for ``"mushra"``, ``"abx"`` and
            ``"ab"``, must be ``None`` for ``"mos"``.
        condition : str, optional
            Required (non-empty) for ``"mushra"`` (the condition rated, ``"reference"`` for
            the hidden reference), ``"abx"`` and ``"ab"`` (the pair compared, e.g.
            ``"gan|real"``); must be ``None`` for ``"mos"``.
        source : str, optional
            How the answer was given, non-empty if given: the kit writes ``"click"``,
            ``"voice"`` or ``"simulated"`` (:data:`SOURCES`).

        Returns
        -------
        dict
            The record as written, with the fields of :data:`FIELDS`: ``record_id`` is a new
            ``uuid.uuid4().hex``, ``timestamp`` the current UTC time in ISO 8601.

        Raises
        ------
        FeedbackError
            If a field is invalid (the message names the field, the value, the range allowed
            for ``test`` and the file); nothing is written then.
        OSError
            If the file cannot be written, or the system wrote only part of the line.
        """
        record = {
            "sample_id": sample_id,
            "rater_id": rater_id,
            "score": score,
            "comment": comment,
            "tag": tag,
            "test": test,
            "trial": trial,
            "condition": condition,
            "source": source,
        }
        errors = _field_errors(record)
        if errors:
            raise FeedbackError(f"{'; '.join(errors)}; the rating was not written to {self.path}")
        record["score"] = int(score)
        record["record_id"] = uuid.uuid4().hex
        record["timestamp"] = datetime.now(timezone.utc).isoformat()
        record = {field: record[field] for field in FIELDS}
        self._write_line(encode_record(record))
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
            The valid records in file order, each with the fields of :data:`FIELDS`; a legacy
            line (the six fields of :data:`LEGACY_FIELDS`) gets ``test="mos"``, no trial or
            condition and the id :func:`legacy_record_id`; a line written before the
            ``source`` field gets ``source=None``.
        problems : list of FeedbackProblem
            One per skipped line, with its 1-based line number and the reason; a cut-off last
            line has ``cut_off=True``. Blank lines (e.g. the newline an append adds after a
            cut-off line) are ignored, not reported.
        """
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return [], []
        records: list[dict[str, Any]] = []
        problems: list[FeedbackProblem] = []
        lines = data.split(b"\n")
        for number, raw in enumerate(lines, start=1):
            if not raw.strip():
                continue
            record, reason, cut_off = _parse_line(raw, unterminated=number == len(lines))
            if record is None:
                problems.append(FeedbackProblem(self.path, number, reason, cut_off))
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

    def to_frame(self, test: str | None = None) -> pd.DataFrame:
        """The valid records as a DataFrame, one row per answer.

        Parameters
        ----------
        test : {"mos", "mushra", "abx", "ab"}, optional
            Keep only the answers of this kind; by default every record is kept. Scores of
            different tests are on different scales, so pass ``"mos"`` before averaging
            opinion scores of a log that also holds listening tests.

        Returns
        -------
        pandas.DataFrame
            The columns of :data:`FIELDS` in order: ``score`` is int64, ``timestamp``
            ``datetime64`` in UTC; a missing comment, tag, trial, condition or source is a
            missing value (test with ``isna()``: pandas 3 stores it as ``NaN``, older
            versions as ``None``).

        Raises
        ------
        ValueError
            If ``test`` is not one of :data:`TESTS`.

        Warns
        -----
        FeedbackWarning
            As in :meth:`read`.
        """
        if test is not None and _test_error("test", test) is not None:
            raise ValueError(f"{self.path}: to_frame({test!r}): {_test_error('test', test)}")
        records = self.read()
        if test is not None:
            records = [record for record in records if record["test"] == test]
        frame = pd.DataFrame(records, columns=list(FIELDS))
        frame["score"] = frame["score"].astype("int64")
        frame["timestamp"] = pd.to_datetime(frame["timestamp"], utc=True, format="ISO8601")
        return frame
