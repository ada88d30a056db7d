"""Tests for aigc_kit.interaction: round trip, validation, damaged lines and concurrent writers."""

from __future__ import annotations

import json
import multiprocessing
import os
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import aigc_kit.interaction.feedback as feedback
from aigc_kit.interaction import FIELDS, FeedbackError, FeedbackLog, FeedbackWarning

N_WRITERS = 4
N_PER_WRITER = 50
# Long enough that a record is several kilobytes, so interleaved writes would show.
LONG_COMMENT = "x" * 5000


@pytest.fixture
def log(tmp_path: Path) -> FeedbackLog:
    return FeedbackLog(tmp_path / "feedback.jsonl")


def _append_by_hand(path: Path, data: bytes) -> None:
    with open(path, "ab") as file:
        file.write(data)


def _append_many(path: str, writer: int, barrier) -> None:
    """Worker process: wait for every writer, then append N_PER_WRITER records."""
    log = FeedbackLog(path)
    barrier.wait(timeout=120)
    for index in range(N_PER_WRITER):
        log.append(
            sample_id=f"w{writer}-{index}",
            rater_id=f"writer{writer}",
            score=1 + index % 5,
            comment=LONG_COMMENT,
        )


def test_round_trip(log: FeedbackLog) -> None:
    first = log.append(sample_id="s1", rater_id="ana", score=4, comment="warm\nbut noisy", tag="v1")
    second = log.append(sample_id="s2", rater_id="bo", score=np.int64(2))
    assert log.read() == [first, second]
    assert len(log) == 2
    assert list(first) == list(FIELDS)
    assert first["comment"] == "warm\nbut noisy"
    assert second["score"] == 2 and type(second["score"]) is int
    assert second["comment"] is None and second["tag"] is None
    assert log.path.read_text().count("\n") == 2  # the newline in the comment is escaped


def test_timestamp_is_utc_iso(log: FeedbackLog) -> None:
    stamp = datetime.fromisoformat(log.append(sample_id="s", rater_id="r", score=3)["timestamp"])
    assert stamp.utcoffset() == timedelta(0)


def test_each_append_is_one_write(log: FeedbackLog, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    real_write, real_fsync = os.write, os.fsync
    monkeypatch.setattr(
        feedback.os, "write", lambda fd, data: calls.append(data) or real_write(fd, data)
    )
    monkeypatch.setattr(feedback.os, "fsync", lambda fd: calls.append("fsync") or real_fsync(fd))
    log.append(sample_id="s", rater_id="r", score=3)
    assert len(calls) == 2 and calls[1] == "fsync"
    assert calls[0].endswith(b"\n") and calls[0].count(b"\n") == 1


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("score", 0),
        ("score", 6),
        ("score", 3.5),
        ("score", True),
        ("score", "4"),
        ("score", None),
        ("sample_id", ""),
        ("sample_id", "   "),
        ("sample_id", 7),
        ("rater_id", ""),
        ("comment", 5),
        ("tag", ""),
    ],
)
def test_invalid_rating_is_rejected_and_not_written(
    log: FeedbackLog, field: str, value: object
) -> None:
    log.append(sample_id="ok", rater_id="r", score=5)
    before = log.path.read_bytes()
    rating = {"sample_id": "s", "rater_id": "r", "score": 3} | {field: value}
    with pytest.raises(FeedbackError) as info:
        log.append(**rating)
    message = str(info.value)
    assert field in message and repr(value) in message and str(log.path) in message
    assert isinstance(info.value, ValueError)
    assert log.path.read_bytes() == before


def test_rejected_first_rating_creates_no_file(log: FeedbackLog) -> None:
    with pytest.raises(FeedbackError, match="score"):
        log.append(sample_id="s", rater_id="r", score=0)
    assert not log.path.exists()


def test_missing_file_reads_empty(log: FeedbackLog) -> None:
    assert log.read() == []
    assert log.load() == ([], [])
    assert len(log) == 0
    frame = log.to_frame()
    assert frame.empty and list(frame.columns) == list(FIELDS)


def test_line_cut_off_mid_write(log: FeedbackLog) -> None:
    first = log.append(sample_id="s1", rater_id="r", score=1)
    second = log.append(sample_id="s2", rater_id="r", score=2)
    _append_by_hand(log.path, b'{"sample_id": "s3", "rater_id": "r", "sco')

    records, problems = log.load()
    assert records == [first, second]
    assert [problem.line for problem in problems] == [3]
    assert "invalid JSON" in problems[0].reason
    with pytest.warns(FeedbackWarning, match="line 3"):
        assert log.read() == [first, second]

    third = log.append(sample_id="s4", rater_id="r", score=4)
    records, problems = log.load()
    assert records == [first, second, third]
    assert [problem.line for problem in problems] == [3]
    assert len(log) == 3


def test_garbage_line_in_the_middle(log: FeedbackLog) -> None:
    first = log.append(sample_id="s1", rater_id="r", score=1)
    _append_by_hand(log.path, b"this is not json\n")
    second = log.append(sample_id="s2", rater_id="r", score=2)
    with pytest.warns(FeedbackWarning, match="line 2"):
        assert log.read() == [first, second]
    _, problems = log.load()
    assert [(problem.line, "invalid JSON" in problem.reason) for problem in problems] == [(2, True)]


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"score": 9}, "score"),
        ({"score": 4.0}, "score"),
        ({"score": True}, "score"),
        ({"sample_id": ""}, "sample_id"),
        ({"timestamp": "yesterday"}, "timestamp"),
        ({"timestamp": "2024-05-01T12:00:00"}, "timestamp"),
        ({"extra": 1}, "unknown field"),
    ],
)
def test_invalid_record_on_disk_is_reported(log: FeedbackLog, change: dict, reason: str) -> None:
    good = log.append(sample_id="s1", rater_id="r", score=3)
    _append_by_hand(log.path, json.dumps(good | change).encode() + b"\n")
    records, problems = log.load()
    assert records == [good]
    assert [problem.line for problem in problems] == [2]
    assert reason in problems[0].reason


@pytest.mark.parametrize(("line", "reason"), [(b"[1, 2]", "JSON object"), (b"\xff\xfe", "UTF-8")])
def test_other_damage_is_reported(log: FeedbackLog, line: bytes, reason: str) -> None:
    _append_by_hand(log.path, line + b"\n")
    records, problems = log.load()
    assert records == [] and len(problems) == 1 and reason in problems[0].reason


def test_missing_field_is_reported(log: FeedbackLog) -> None:
    good = log.append(sample_id="s1", rater_id="r", score=3)
    partial = {key: value for key, value in good.items() if key != "rater_id"}
    _append_by_hand(log.path, json.dumps(partial).encode() + b"\n")
    _, problems = log.load()
    assert [problem.line for problem in problems] == [2]
    assert "missing" in problems[0].reason and "rater_id" in problems[0].reason
    assert str(log.path) in str(problems[0])


def test_concurrent_writers_lose_nothing(log: FeedbackLog) -> None:
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(N_WRITERS)
    workers = [
        context.Process(target=_append_many, args=(str(log.path), writer, barrier))
        for writer in range(N_WRITERS)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=300)
    assert [worker.exitcode for worker in workers] == [0] * N_WRITERS

    records, problems = log.load()
    assert problems == []
    assert len(records) == N_WRITERS * N_PER_WRITER
    pairs = [record["sample_id"] for record in records]
    expected = [f"w{w}-{i}" for w in range(N_WRITERS) for i in range(N_PER_WRITER)]
    assert sorted(pairs) == sorted(expected)
    assert all(record["comment"] == LONG_COMMENT for record in records)


def test_to_frame(log: FeedbackLog) -> None:
    log.append(sample_id="s1", rater_id="ana", score=4, tag="v1")
    log.append(sample_id="s2", rater_id="bo", score=2, comment="hiss")
    frame = log.to_frame()
    assert list(frame.columns) == ["sample_id", "rater_id", "score", "comment", "timestamp", "tag"]
    assert frame["score"].tolist() == [4, 2]
    assert frame["tag"].isna().tolist() == [False, True] and frame.loc[0, "tag"] == "v1"
    assert frame["comment"].isna().tolist() == [True, False] and frame.loc[1, "comment"] == "hiss"
    assert isinstance(frame["timestamp"].dtype, pd.DatetimeTZDtype)
