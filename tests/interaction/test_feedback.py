"""Tests for aigc_kit.interaction: round trip, validation, damaged lines and concurrent writers."""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import re
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import aigc_kit.interaction.feedback as feedback
from aigc_kit.interaction import FIELDS, FeedbackError, FeedbackLog, FeedbackWarning
from aigc_kit.interaction.feedback import (
    LEGACY_FIELDS,
    MAX_SCORE,
    MIN_SCORE,
    SCORE_RANGES,
    SOURCES,
    legacy_record_id,
)

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
    assert first["test"] == "mos" and first["trial"] is None and first["condition"] is None
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
    assert problems[0].cut_off and "cut off mid-write" in problems[0].reason
    with pytest.warns(FeedbackWarning, match="line 3"):
        assert log.read() == [first, second]

    third = log.append(sample_id="s4", rater_id="r", score=4)
    records, problems = log.load()
    assert records == [first, second, third]
    assert [problem.line for problem in problems] == [3]
    assert not problems[0].cut_off  # no longer the last line: told as plain invalid JSON
    assert len(log) == 3


def test_garbage_line_in_the_middle(log: FeedbackLog) -> None:
    first = log.append(sample_id="s1", rater_id="r", score=1)
    _append_by_hand(log.path, b"this is not json\n")
    second = log.append(sample_id="s2", rater_id="r", score=2)
    with pytest.warns(FeedbackWarning, match="line 2"):
        assert log.read() == [first, second]
    _, problems = log.load()
    assert [(problem.line, "invalid JSON" in problem.reason) for problem in problems] == [(2, True)]
    assert not problems[0].cut_off


def test_unterminated_valid_last_line_is_kept(log: FeedbackLog) -> None:
    first = log.append(sample_id="s1", rater_id="r", score=1)
    log.path.write_bytes(log.path.read_bytes().rstrip(b"\n"))
    assert log.load() == ([first], [])


def test_cut_off_inside_a_multibyte_character_is_a_cut_off_line(log: FeedbackLog) -> None:
    log.append(sample_id="s1", rater_id="r", score=1)
    _append_by_hand(log.path, '{"comment": "é'.encode()[:-1])
    _, problems = log.load()
    assert [(problem.line, problem.cut_off) for problem in problems] == [(2, True)]
    assert "UTF-8" in problems[0].reason


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
        ({"record_id": "abc"}, "record_id"),
        ({"record_id": None}, "record_id"),
        ({"test": "mushra"}, "trial"),  # a MUSHRA score without a trial
        ({"test": "mushra", "trial": "t1", "condition": "gan", "score": 101}, "0 to 100"),
        ({"test": "abx", "trial": "t1", "condition": "gan|real", "score": 2}, "0 to 1"),
        ({"test": "ba"}, "test must be one of"),
        ({"trial": "t1"}, "trial must be None"),
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
    assert list(frame.columns) == ["record_id", "sample_id", "rater_id", "score", "comment",
                                   "timestamp", "tag", "test", "trial", "condition", "source"]
    assert frame["test"].tolist() == ["mos", "mos"]
    assert frame["source"].isna().all()
    assert frame["trial"].isna().all() and frame["condition"].isna().all()
    assert frame["score"].tolist() == [4, 2]
    assert frame["tag"].isna().tolist() == [False, True] and frame.loc[0, "tag"] == "v1"
    assert frame["comment"].isna().tolist() == [True, False] and frame.loc[1, "comment"] == "hiss"
    assert isinstance(frame["timestamp"].dtype, pd.DatetimeTZDtype)


def test_fields_and_ranges() -> None:
    assert FIELDS == ("record_id", "sample_id", "rater_id", "score", "comment", "timestamp",
                      "tag", "test", "trial", "condition", "source")
    assert SOURCES == ("click", "voice", "simulated")
    assert SCORE_RANGES == {"mos": (1, 5), "mushra": (0, 100), "abx": (0, 1), "ab": (-1, 1)}
    assert (MIN_SCORE, MAX_SCORE) == (1, 5)


def test_record_id_is_set_on_write_and_unique(log: FeedbackLog) -> None:
    written = [log.append(sample_id=f"s{i}", rater_id="r", score=3) for i in range(20)]
    ids = [record["record_id"] for record in written]
    assert all(re.fullmatch(r"[0-9a-f]{32}", record_id) for record_id in ids)
    assert len(set(ids)) == len(ids)
    assert [record["record_id"] for record in log.read()] == ids  # stored, not made on read


def test_caller_cannot_set_the_record_id(log: FeedbackLog) -> None:
    with pytest.raises(TypeError, match="record_id"):
        log.append(sample_id="s", rater_id="r", score=3, record_id="0" * 32)
    assert not log.path.exists()


@pytest.mark.parametrize(
    ("test", "score", "condition"),
    [("mushra", 0, "reference"), ("mushra", 100, "gan-v2"), ("mushra", np.int64(57), "anchor"),
     ("abx", 0, "gan|real"), ("abx", 1, "vae|real")],
)
def test_listening_test_answers_round_trip(
    log: FeedbackLog, test: str, score: int, condition: str
) -> None:
    record = log.append(sample_id="item1", rater_id="ana", score=score, test=test,
                        trial="item1", condition=condition)
    assert log.read() == [record]
    assert (record["test"], record["trial"], record["condition"]) == (test, "item1", condition)
    assert record["score"] == score and type(record["score"]) is int


@pytest.mark.parametrize(
    ("rating", "field", "expected"),
    [
        ({"test": "mushra", "score": 101}, "score", "from 0 to 100 for test 'mushra'"),
        ({"test": "mushra", "score": -1}, "score", "from 0 to 100 for test 'mushra'"),
        ({"test": "mushra", "score": 50.5}, "score", "from 0 to 100 for test 'mushra'"),
        ({"test": "abx", "score": 2}, "score", "from 0 to 1 for test 'abx'"),
        ({"test": "abx", "score": True}, "score", "from 0 to 1 for test 'abx'"),
        ({"test": "mos", "score": 0}, "score", "from 1 to 5 for test 'mos'"),
        ({"test": "mushra", "score": 50, "trial": None}, "trial", "test 'mushra' needs a trial"),
        ({"test": "mushra", "score": 50, "trial": ""}, "trial", "test 'mushra' needs a trial"),
        ({"test": "abx", "score": 1, "condition": None}, "condition",
         "test 'abx' needs a condition"),
        ({"test": "mos", "score": 3, "trial": "t1"}, "trial", "must be None for test 'mos'"),
        ({"test": "mos", "score": 3, "condition": "gan"}, "condition",
         "must be None for test 'mos'"),
        ({"test": "MOS", "score": 3}, "test", "'mos', 'mushra', 'abx'"),
    ],
)
def test_listening_test_validation(
    log: FeedbackLog, rating: dict, field: str, expected: str
) -> None:
    trial = {"trial": "t1", "condition": "gan"} if rating["test"] in ("mushra", "abx") else {}
    arguments = {"sample_id": "s", "rater_id": "r"} | trial | rating
    with pytest.raises(FeedbackError) as info:
        log.append(**arguments)
    message = str(info.value)
    assert field in message and expected in message and str(log.path) in message
    assert repr(rating[field]) in message
    assert not log.path.exists()


def _legacy_line(sample_id: str, score: int = 4, comment: str | None = "ok") -> dict:
    return {"sample_id": sample_id, "rater_id": "ana", "score": score, "comment": comment,
            "timestamp": "2024-05-01T12:00:00+00:00", "tag": "gan-v1"}


def test_legacy_lines_read_with_stable_ids(log: FeedbackLog) -> None:
    old = [_legacy_line("s1"), _legacy_line("s2", 2, "café\nhiss")]
    _append_by_hand(log.path, b"".join(json.dumps(line).encode() + b"\n" for line in old))
    new = log.append(sample_id="s3", rater_id="ana", score=5)

    records, problems = log.load()
    assert problems == [] and records[2] == new
    for line, record in zip(old, records[:2], strict=True):
        assert list(record) == list(FIELDS)
        assert {key: record[key] for key in LEGACY_FIELDS} == line
        assert (record["test"], record["trial"], record["condition"]) == ("mos", None, None)
        canonical = json.dumps(line, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        digest = hashlib.sha256(canonical.encode()).hexdigest()[:24]
        assert record["record_id"] == "legacy-" + digest == legacy_record_id(line)
    assert records[0]["record_id"] != records[1]["record_id"]
    assert [record["record_id"] for record in log.load()[0]] == [r["record_id"] for r in records]
    frame = log.to_frame()
    assert frame["record_id"].tolist() == [record["record_id"] for record in records]
    assert frame["score"].tolist() == [4, 2, 5]


def test_legacy_id_does_not_depend_on_key_order_or_spacing(log: FeedbackLog) -> None:
    line = _legacy_line("s1")
    reordered = dict(reversed(list(line.items())))
    _append_by_hand(log.path, json.dumps(line).encode() + b"\n"
                    + json.dumps(reordered, separators=(",", ":")).encode() + b"\n")
    first, second = log.read()
    assert first["record_id"] == second["record_id"] == legacy_record_id(line)
    assert legacy_record_id(line | {"score": 5}) != legacy_record_id(line)


@pytest.mark.parametrize(
    ("change", "reason"),
    [({"score": 9}, "from 1 to 5"), ({"extra": 1}, "unknown field(s) extra"),
     ({"test": "mos"}, "missing field(s) record_id, trial, condition")],
)
def test_invalid_legacy_line_is_reported(log: FeedbackLog, change: dict, reason: str) -> None:
    _append_by_hand(log.path, json.dumps(_legacy_line("s1") | change).encode() + b"\n")
    records, problems = log.load()
    assert records == [] and [problem.line for problem in problems] == [1]
    assert reason in problems[0].reason


def test_legacy_line_missing_a_field_names_it(log: FeedbackLog) -> None:
    line = _legacy_line("s1")
    del line["tag"]
    _append_by_hand(log.path, json.dumps(line).encode() + b"\n")
    _, problems = log.load()
    assert [problem.reason for problem in problems] == ["missing field(s) tag"]


def test_to_frame_keeps_one_test(log: FeedbackLog) -> None:
    log.append(sample_id="s1", rater_id="ana", score=4)
    log.append(sample_id="i1/gan", rater_id="ana", score=70, test="mushra", trial="i1",
               condition="gan")
    log.append(sample_id="i1/ref", rater_id="ana", score=100, test="mushra", trial="i1",
               condition="reference")
    log.append(sample_id="t1", rater_id="ana", score=1, test="abx", trial="t1",
               condition="gan|real")
    assert len(log.to_frame()) == 4
    mushra = log.to_frame("mushra")
    assert mushra["score"].tolist() == [70, 100] and mushra.index.tolist() == [0, 1]
    assert mushra["condition"].tolist() == ["gan", "reference"]
    assert mushra["score"].dtype == np.int64
    assert log.to_frame("mos")["sample_id"].tolist() == ["s1"]
    assert log.to_frame("abx")["condition"].tolist() == ["gan|real"]
    with pytest.raises(ValueError, match="'mos', 'mushra', 'abx', 'ab'"):
        log.to_frame("ba")


def test_source_round_trips_and_is_validated(log: FeedbackLog) -> None:
    log.append(sample_id="s1", rater_id="ana", score=4, source="voice")
    log.append(sample_id="s2", rater_id="ana", score=3)
    assert [record["source"] for record in log.read()] == ["voice", None]
    with pytest.raises(FeedbackError, match="source"):
        log.append(sample_id="s3", rater_id="ana", score=3, source="")
    assert len(log.read()) == 2  # the rejected answer was not written


def test_lines_written_before_the_source_field_stay_valid(log: FeedbackLog) -> None:
    written = log.append(sample_id="s1", rater_id="ana", score=4)
    older = {key: value for key, value in written.items() if key != "source"}
    _append_by_hand(log.path, json.dumps(older | {"record_id": "f" * 32}).encode() + b"\n")
    records, problems = log.load()
    assert problems == []
    assert [record["source"] for record in records] == [None, None]
    assert records[1]["record_id"] == "f" * 32 and records[1]["score"] == 4
