"""Tests for aigc_kit.interaction.merge: pooling a class's logs, each record counted once."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

import aigc_kit.interaction.merge as merge_module
from aigc_kit.interaction.feedback import FIELDS, FeedbackLog, legacy_record_id
from aigc_kit.interaction.merge import MergeError, MergeReport, merge_logs


def _log(folder: Path, name: str, rater: str, n: int, first_score: int = 1) -> FeedbackLog:
    log = FeedbackLog(folder / f"{name}.jsonl")
    for index in range(n):
        log.append(sample_id=f"s{index}", rater_id=rater, score=1 + (first_score + index) % 5)
    return log


def _legacy(sample_id: str, rater: str = "old", score: int = 3) -> dict:
    return {"sample_id": sample_id, "rater_id": rater, "score": score, "comment": None,
            "timestamp": "2023-11-02T09:30:00+00:00", "tag": "gan-v1"}


def _write_lines(path: Path, lines: list) -> None:
    path.write_bytes(b"".join(json.dumps(line).encode() + b"\n" for line in lines))


def _append_bytes(path: Path, data: bytes) -> None:
    with open(path, "ab") as file:
        file.write(data)


def _ids(path: Path) -> list[str]:
    return [json.loads(line)["record_id"] for line in path.read_text().splitlines()]


def _check_nothing_lost(report: MergeReport) -> None:
    assert report.read == report.merged + report.duplicates
    assert all(s.read == s.new + s.duplicates for s in report.sources)


def test_merge_keeps_every_record_in_order(tmp_path: Path) -> None:
    ana, bo = _log(tmp_path, "ana", "ana", 3), _log(tmp_path, "bo", "bo", 2)
    out = tmp_path / "class.jsonl"
    report = merge_logs([ana.path, bo.path], out)

    records = FeedbackLog(out).read()
    assert records == ana.read() + bo.read()
    assert (report.merged, report.new, report.duplicates, report.read) == (5, 5, 0, 5)
    assert [(s.path, s.read, s.new, s.duplicates) for s in report.sources] == [
        (ana.path, 3, 3, 0), (bo.path, 2, 2, 0)]
    assert report.previous is None and report.problems == () and report.conflicts == ()
    assert report.duplicate_raters == {}
    assert all(list(json.loads(line)) == list(FIELDS) for line in out.read_text().splitlines())
    _check_nothing_lost(report)


def test_same_file_twice_counts_once(tmp_path: Path) -> None:
    ana = _log(tmp_path, "ana", "ana", 4)
    out = tmp_path / "class.jsonl"
    report = merge_logs([ana.path, ana.path], out)
    assert FeedbackLog(out).read() == ana.read()
    assert [(s.new, s.duplicates) for s in report.sources] == [(4, 0), (0, 4)]
    assert report.duplicate_raters == {}  # the same file given twice is not two students
    _check_nothing_lost(report)


def test_log_copied_into_another_counts_once_and_warns(tmp_path: Path) -> None:
    ana, bo = _log(tmp_path, "ana", "ana", 3), _log(tmp_path, "bo", "bo", 2)
    _append_bytes(bo.path, ana.path.read_bytes())  # bo pasted ana's log into their own
    out = tmp_path / "class.jsonl"
    report = merge_logs([ana.path, bo.path], out)

    assert len(FeedbackLog(out).read()) == 5
    assert [(s.read, s.new, s.duplicates) for s in report.sources] == [(3, 3, 0), (5, 2, 3)]
    assert report.duplicate_raters == {"ana": (ana.path, bo.path)}
    assert f"rater 'ana' in {ana.path}, {bo.path}" in str(report)
    assert report.conflicts == ()
    _check_nothing_lost(report)


def test_duplicate_rater_in_two_files_is_merged_and_reported(tmp_path: Path) -> None:
    first = _log(tmp_path, "student1", "alex", 2)
    second = _log(tmp_path, "student2", "alex", 3, first_score=3)
    other = _log(tmp_path, "student3", "cy", 1)
    report = merge_logs([first.path, second.path, other.path], tmp_path / "class.jsonl")
    assert report.merged == 6 and report.duplicates == 0
    assert report.duplicate_raters == {"alex": (first.path, second.path)}
    text = str(report)
    assert "warning: 1 rater(s) in more than one file" in text
    assert "rater 'alex' in" in text and "'cy'" not in text


def test_conflicting_copies_keep_the_first_and_are_reported(tmp_path: Path) -> None:
    ana = _log(tmp_path, "ana", "ana", 2)
    edited = tmp_path / "edited.jsonl"
    records = ana.read()
    records[1] = records[1] | {"score": 5 if records[1]["score"] != 5 else 1, "comment": "x"}
    _write_lines(edited, records)
    out = tmp_path / "class.jsonl"
    report = merge_logs([ana.path, edited], out)

    assert FeedbackLog(out).read() == ana.read()  # the first copy is kept
    assert len(report.conflicts) == 1
    conflict = report.conflicts[0]
    assert conflict.record_id == records[1]["record_id"]
    assert (conflict.kept, conflict.skipped, conflict.fields) == (ana.path, edited,
                                                                  ("score", "comment"))
    assert "1 conflict(s), same record_id" in str(report) and records[1]["record_id"] in str(report)
    assert report.sources[1].duplicates == 2
    _check_nothing_lost(report)


def test_legacy_log_merges_with_explicit_stable_ids(tmp_path: Path) -> None:
    old = tmp_path / "old.jsonl"
    lines = [_legacy("s1"), _legacy("s2", score=5)]
    _write_lines(old, lines)
    new = _log(tmp_path, "new", "ana", 1)
    out = tmp_path / "class.jsonl"
    report = merge_logs([old, new.path, old], out)

    expected = [legacy_record_id(line) for line in lines]
    assert _ids(out)[:2] == expected  # written into the merged file
    assert all(record_id.startswith("legacy-") for record_id in expected)
    assert report.merged == 3 and report.sources[2].duplicates == 2
    merged = FeedbackLog(out).read()
    assert [record["score"] for record in merged[:2]] == [3, 5]
    assert {record["test"] for record in merged} == {"mos"}

    again = merge_logs([old], out)  # the explicit ids match the ones computed on reading
    assert (again.new, again.duplicates, again.merged, again.read) == (0, 2, 3, 5)
    assert again.conflicts == ()


def test_merging_again_adds_only_new_records(tmp_path: Path) -> None:
    ana, bo = _log(tmp_path, "ana", "ana", 3), _log(tmp_path, "bo", "bo", 2)
    out = tmp_path / "class.jsonl"
    merge_logs([ana.path, bo.path], out)
    before = out.read_bytes()

    late = bo.append(sample_id="late", rater_id="bo", score=2)
    cy = _log(tmp_path, "cy", "cy", 1)
    report = merge_logs([ana.path, bo.path, cy.path], out)

    assert out.read_bytes().startswith(before)  # the earlier records stay, first, unchanged
    assert _ids(out)[5:] == [late["record_id"], cy.read()[0]["record_id"]]
    assert report.previous is not None
    assert (report.previous.read, report.previous.new) == (5, 5)
    assert (report.new, report.merged, report.duplicates) == (2, 7, 5)
    assert "(before this merge): 5 record(s)" in str(report)
    _check_nothing_lost(report)


def test_cut_off_last_line_is_skipped_and_reported_as_such(tmp_path: Path) -> None:
    ana = _log(tmp_path, "ana", "ana", 2)
    _append_bytes(ana.path, b'{"record_id": "ab12", "sample_id": "s9", "rat')
    report = merge_logs([ana.path], tmp_path / "class.jsonl")

    assert report.merged == 2 and report.sources[0].damaged == 1
    (problem,) = report.problems
    assert (problem.path, problem.line, problem.cut_off) == (ana.path, 3, True)
    assert f"{ana.path}, line 3 (cut-off last line): cut off mid-write" in str(report)
    assert "1 damaged line(s) skipped" in report.sources[0].line()


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        ({"score": 9}, "score must be from 1 to 5 for test 'mos', got 9"),
        ({"test": "mushra", "score": 50, "condition": "gan"}, "test 'mushra' needs a trial"),
    ],
)
def test_invalid_record_is_listed_with_its_line(tmp_path: Path, bad: dict, reason: str) -> None:
    ana = _log(tmp_path, "ana", "ana", 2)
    record = ana.read()[0] | {"record_id": "f" * 32}
    _append_bytes(ana.path, json.dumps(record | bad).encode() + b"\n")
    ana.append(sample_id="after", rater_id="ana", score=1)
    report = merge_logs([ana.path], tmp_path / "class.jsonl")

    assert report.merged == 3
    (problem,) = report.problems
    assert (problem.line, problem.cut_off) == (3, False)
    assert f"{ana.path}, line 3 (invalid record): " in str(report) and reason in str(report)


def test_missing_source_raises_before_writing(tmp_path: Path) -> None:
    ana = _log(tmp_path, "ana", "ana", 2)
    out = tmp_path / "class.jsonl"
    merge_logs([ana.path], out)
    before = out.read_bytes()
    ana.append(sample_id="new", rater_id="ana", score=4)
    missing = tmp_path / "typo.jsonl"

    with pytest.raises(FileNotFoundError, match="typo.jsonl"):
        merge_logs([ana.path, missing], out)
    assert out.read_bytes() == before
    with pytest.raises(FileNotFoundError):
        merge_logs([missing], tmp_path / "fresh.jsonl")
    assert not (tmp_path / "fresh.jsonl").exists()
    assert sorted(path.name for path in tmp_path.iterdir()) == ["ana.jsonl", "class.jsonl"]


def test_no_sources_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(MergeError, match="at least one"):
        merge_logs([], tmp_path / "class.jsonl")
    assert not (tmp_path / "class.jsonl").exists()


def test_damaged_out_is_refused_not_overwritten(tmp_path: Path) -> None:
    ana = _log(tmp_path, "ana", "ana", 1)
    out = tmp_path / "notes.txt"
    out.write_text("my notes, not a rating log\n")
    with pytest.raises(MergeError, match=r"notes\.txt.*line 1"):
        merge_logs([ana.path], out)
    assert out.read_text() == "my notes, not a rating log\n"


def test_failed_write_leaves_out_and_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ana = _log(tmp_path, "ana", "ana", 2)
    out = tmp_path / "class.jsonl"
    merge_logs([ana.path], out)
    before = out.read_bytes()
    ana.append(sample_id="new", rater_id="ana", score=4)

    def crash(*args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(merge_module.os, "replace", crash)
    with pytest.raises(OSError, match="disk full"):
        merge_logs([ana.path], out)
    assert out.read_bytes() == before
    assert sorted(path.name for path in tmp_path.iterdir()) == ["ana.jsonl", "class.jsonl"]


def test_write_is_synced_and_renamed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ana = _log(tmp_path, "ana", "ana", 2)
    calls: list[str] = []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(merge_module.os, "fsync",
                        lambda fd: calls.append("fsync") or real_fsync(fd))
    monkeypatch.setattr(merge_module.os, "replace",
                        lambda src, dst: calls.append(f"replace {Path(dst).name}")
                        or real_replace(src, dst))
    merge_logs([ana.path], tmp_path / "class.jsonl")
    assert calls[:2] == ["fsync", "replace class.jsonl"]


def test_total_in_equals_merged_plus_duplicates(tmp_path: Path) -> None:
    logs = [_log(tmp_path, f"student{i}", f"r{i}", 5 + i) for i in range(4)]
    shutil.copy(logs[0].path, tmp_path / "copy.jsonl")
    _append_bytes(logs[2].path, logs[1].path.read_bytes())
    legacy = tmp_path / "legacy.jsonl"
    _write_lines(legacy, [_legacy("a"), _legacy("b"), _legacy("a")])  # one line twice
    sources = [log.path for log in logs] + [tmp_path / "copy.jsonl", legacy, logs[3].path]
    out = tmp_path / "class.jsonl"

    report = merge_logs(sources, out)
    valid_in = sum(len(FeedbackLog(path).read()) for path in sources)
    merged = FeedbackLog(out).read()
    assert valid_in == len(merged) + report.duplicates == report.read
    assert len(merged) == report.merged == 5 + 6 + 7 + 8 + 2
    assert len({record["record_id"] for record in merged}) == len(merged)
    _check_nothing_lost(report)
