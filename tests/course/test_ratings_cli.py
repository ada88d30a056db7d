"""The ``aigc-kit ratings merge`` command, end to end through ``main``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aigc_kit.course.cli import main
from aigc_kit.interaction.feedback import FeedbackLog


def _class_logs(folder: Path) -> list[Path]:
    """Two students' logs; the second has a cut-off last line."""
    ana, bo = FeedbackLog(folder / "ana.jsonl"), FeedbackLog(folder / "bo.jsonl")
    for index in range(3):
        ana.append(sample_id=f"s{index}", rater_id="ana", score=index + 1)
    bo.append(sample_id="s0", rater_id="bo", score=5)
    bo.append(sample_id="i1/ref", rater_id="bo", score=98, test="mushra", trial="i1",
              condition="reference")
    with open(bo.path, "ab") as file:
        file.write(b'{"record_id": "0123", "sample_id": "s1", "rater_id": "bo", "sc')
    return [ana.path, bo.path]


def test_merge_prints_the_report_and_exits_0(tmp_path: Path, capsys) -> None:
    ana, bo = _class_logs(tmp_path)
    out = tmp_path / "class" / "class.jsonl"
    assert main(["ratings", "merge", str(ana), str(bo), str(ana), "--out", str(out)]) == 0

    printed = capsys.readouterr().out
    assert f"merged 3 log(s) into {out}: 5 record(s), 5 new, 3 duplicate(s) skipped" in printed
    assert f"{ana}: 3 read, 3 new, 0 duplicate(s)" in printed
    assert f"{bo}: 2 read, 2 new, 0 duplicate(s), 1 damaged line(s) skipped" in printed
    assert f"{bo}, line 3 (cut-off last line): cut off mid-write" in printed
    records = FeedbackLog(out).read()
    assert [record["rater_id"] for record in records] == ["ana"] * 3 + ["bo"] * 2
    assert records[-1]["test"] == "mushra"


def test_merge_again_adds_only_new_records(tmp_path: Path, capsys) -> None:
    ana, bo = _class_logs(tmp_path)
    out = tmp_path / "class.jsonl"
    assert main(["ratings", "merge", str(ana), "--out", str(out)]) == 0
    assert main(["ratings", "merge", str(ana), str(bo), "--out", str(out)]) == 0
    printed = capsys.readouterr().out.split("merged ")[-1]
    assert printed.startswith(f"2 log(s) into {out}: 5 record(s), 2 new, 3 duplicate(s)")
    assert f"{out} (before this merge): 3 record(s), 3 kept" in printed
    assert len(FeedbackLog(out).read()) == 5


def test_duplicate_rater_warning_is_printed(tmp_path: Path, capsys) -> None:
    ana, _ = _class_logs(tmp_path)
    twin = FeedbackLog(tmp_path / "twin.jsonl")
    twin.append(sample_id="s9", rater_id="ana", score=2)
    assert main(["ratings", "merge", str(ana), str(twin.path), "--out",
                 str(tmp_path / "class.jsonl")]) == 0
    printed = capsys.readouterr().out
    assert f"rater 'ana' in {ana}, {twin.path}" in printed


def test_missing_log_exits_2_and_writes_nothing(tmp_path: Path, capsys) -> None:
    ana, _ = _class_logs(tmp_path)
    out = tmp_path / "class.jsonl"
    missing = tmp_path / "nobody.jsonl"
    assert main(["ratings", "merge", str(ana), str(missing), "--out", str(out)]) == 2
    captured = capsys.readouterr()
    assert f"aigc-kit ratings merge: rating log {missing} not found" in captured.err
    assert captured.out == "" and not out.exists()


def test_damaged_out_exits_2_and_is_kept(tmp_path: Path, capsys) -> None:
    ana, _ = _class_logs(tmp_path)
    out = tmp_path / "README.md"
    out.write_text("# not a log\n")
    assert main(["ratings", "merge", str(ana), "--out", str(out)]) == 2
    assert "choose another output file" in capsys.readouterr().err
    assert out.read_text() == "# not a log\n"


@pytest.mark.parametrize(
    ("argv", "expected"),
    [(["ratings", "merge", "--out", "class.jsonl"], "LOG"),
     (["ratings", "merge", "a.jsonl"], "--out"),
     (["ratings"], "merge")],
)
def test_missing_arguments_exit_2(tmp_path: Path, capsys, argv: list[str], expected: str) -> None:
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "required" in err and expected in err


def test_help_documents_ratings_merge(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "ratings" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["ratings", "merge", "--help"])
    text = capsys.readouterr().out
    assert "LOG" in text and "--out CLASS.jsonl" in text and "record_id" in text


def test_merged_file_has_every_id(tmp_path: Path, capsys) -> None:
    ana, bo = _class_logs(tmp_path)
    out = tmp_path / "class.jsonl"
    assert main(["ratings", "merge", str(ana), str(bo), "--out", str(out)]) == 0
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(lines) == 5 and all(len(line["record_id"]) == 32 for line in lines)
