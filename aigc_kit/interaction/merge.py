"""Pooling a class's rating logs into one, counting every record once.

Each student rates in their own :class:`~aigc_kit.interaction.feedback.FeedbackLog`; the
instructor merges them with :func:`merge_logs` (or ``aigc-kit ratings merge LOG... --out
CLASS.jsonl``). Records are matched by ``record_id`` (legacy records, written before ids, by
their stable content id), so merging a log twice, or a log that was copied into another, adds
each record once; merging again into the same ``out`` adds only what is new. Nothing valid is
lost: every record read is either in the merged file or counted as a duplicate, and every
skipped line, conflict and suspicious rater is listed in the :class:`MergeReport`.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aigc_kit.interaction.feedback import (
    FIELDS,
    FeedbackLog,
    FeedbackProblem,
    encode_record,
)
from aigc_kit.runtime.atomic import write_atomically

__all__ = ["MergeConflict", "MergeError", "MergeReport", "SourceSummary", "merge_logs"]

PathLike = str | os.PathLike[str]


class MergeError(ValueError):
    """A merge that was refused before anything was written; the message says how to fix it.

    Notes
    -----
    Taught in ``08_interaction_feedback_loop``.
    """


@dataclass(frozen=True)
class SourceSummary:
    """What one log contributed to a merge.

    Attributes
    ----------
    path : pathlib.Path
        The log, as given.
    read : int
        Valid records read from it.
    new : int
        Records written to the merged file from it (for the previous ``out``: its records kept).
    duplicates : int
        Records skipped because a record with the same ``record_id`` was already merged
        (identical copies and conflicts alike); ``read == new + duplicates``.
    damaged : int
        Lines skipped as damaged (see :attr:`MergeReport.problems`).

    Notes
    -----
    Taught in ``08_interaction_feedback_loop``.
    """

    path: Path
    read: int
    new: int
    duplicates: int
    damaged: int

    def line(self) -> str:
        """One line for the report, e.g. ``"ana.jsonl: 20 read, 18 new, 2 duplicates"``."""
        damaged = f", {self.damaged} damaged line(s) skipped" if self.damaged else ""
        return (f"{self.path}: {self.read} read, {self.new} new, "
                f"{self.duplicates} duplicate(s){damaged}")


@dataclass(frozen=True)
class MergeConflict:
    """Two records with the same ``record_id`` but different content; the first was kept.

    Attributes
    ----------
    record_id : str
        The shared id.
    kept : pathlib.Path
        The log whose copy was kept (the first one merged).
    skipped : pathlib.Path
        The log whose differing copy was skipped.
    fields : tuple of str
        The fields whose values differ, in :data:`~aigc_kit.interaction.feedback.FIELDS` order.

    Notes
    -----
    Taught in ``08_interaction_feedback_loop``.
    """

    record_id: str
    kept: Path
    skipped: Path
    fields: tuple[str, ...]

    def __str__(self) -> str:
        return (f"record {self.record_id} in {self.skipped} differs from the copy kept from "
                f"{self.kept} in {', '.join(self.fields)}: skipped")


@dataclass(frozen=True)
class MergeReport:
    """The outcome of :func:`merge_logs`; ``str(report)`` is the human-readable report.

    Attributes
    ----------
    out : pathlib.Path
        The merged log.
    merged : int
        Records in the merged log.
    previous : SourceSummary or None
        The records ``out`` held before the merge (they come first), ``None`` if it did not
        exist.
    sources : tuple of SourceSummary
        One per source, in the order given.
    problems : tuple of FeedbackProblem
        Damaged lines skipped, of every source (an ``out`` with damaged lines is refused);
        ``problem.cut_off`` tells a cut-off last line from an invalid record.
    conflicts : tuple of MergeConflict
        Records sharing an id with an earlier record but differing in content.
    duplicate_raters : dict of str to tuple of pathlib.Path
        Raters with records in more than one source file, with those files: two students who
        chose the same id, or a log copied into another. Their records were merged.

    Notes
    -----
    Taught in ``08_interaction_feedback_loop``.
    """

    out: Path
    merged: int
    previous: SourceSummary | None
    sources: tuple[SourceSummary, ...]
    problems: tuple[FeedbackProblem, ...] = ()
    conflicts: tuple[MergeConflict, ...] = ()
    duplicate_raters: dict[str, tuple[Path, ...]] = field(default_factory=dict)

    @property
    def _all(self) -> tuple[SourceSummary, ...]:
        return self.sources if self.previous is None else (self.previous, *self.sources)

    @property
    def read(self) -> int:
        """Valid records read, from ``out`` and every source."""
        return sum(summary.read for summary in self._all)

    @property
    def new(self) -> int:
        """Records added to ``out`` by this merge (from the sources)."""
        return sum(summary.new for summary in self.sources)

    @property
    def duplicates(self) -> int:
        """Records skipped because their id was already merged; ``read == merged + this``."""
        return sum(summary.duplicates for summary in self._all)

    def lines(self) -> list[str]:
        """The report, one line per item: totals, each log, damaged lines, conflicts, raters."""
        lines = [
            f"merged {len(self.sources)} log(s) into {self.out}: {self.merged} record(s), "
            f"{self.new} new, {self.duplicates} duplicate(s) skipped, "
            f"{len(self.problems)} damaged line(s) skipped, {len(self.conflicts)} conflict(s)",
        ]
        if self.previous is not None:
            lines.append(f"  {self.previous.path} (before this merge): {self.previous.read} "
                         f"record(s), {self.previous.new} kept")
        lines += [f"  {summary.line()}" for summary in self.sources]
        lines += _section("{n} damaged line(s) skipped:",
                          [_problem_line(problem) for problem in self.problems])
        lines += _section("{n} conflict(s), same record_id but different content (the first "
                          "copy was kept):", [str(conflict) for conflict in self.conflicts])
        lines += _section("warning: {n} rater(s) in more than one file (two students with the "
                          "same id, or a log copied into another?); their records were merged:",
                          [_rater_line(rater, paths)
                           for rater, paths in self.duplicate_raters.items()])
        return lines

    def __str__(self) -> str:
        return "\n".join(self.lines())


def _section(title: str, items: list[str]) -> list[str]:
    """``title`` (``{n}``: the number of items) and the indented items; nothing if none."""
    return [title.format(n=len(items)), *(f"  {item}" for item in items)] if items else []


def _problem_line(problem: FeedbackProblem) -> str:
    kind = "cut-off last line" if problem.cut_off else "invalid record"
    return f"{problem.path}, line {problem.line} ({kind}): {problem.reason}"


def _rater_line(rater: str, paths: Iterable[Path]) -> str:
    return f"rater {rater!r} in {', '.join(str(path) for path in paths)}"


@dataclass
class _Merge:
    """The records merged so far, by id, and what was found on the way."""

    records: dict[str, dict[str, Any]] = field(default_factory=dict)
    origin: dict[str, Path] = field(default_factory=dict)
    conflicts: list[MergeConflict] = field(default_factory=list)

    def add(self, path: Path, records: list[dict[str, Any]]) -> tuple[int, int]:
        """Add ``records`` read from ``path``; returns ``(new, duplicates)``."""
        new = 0
        for record in records:
            record_id = record["record_id"]
            kept = self.records.get(record_id)
            if kept is None:
                self.records[record_id] = record
                self.origin[record_id] = path
                new += 1
            elif kept != record:
                differ = tuple(name for name in FIELDS if kept[name] != record[name])
                self.conflicts.append(
                    MergeConflict(record_id, self.origin[record_id], path, differ)
                )
        return new, len(records) - new


def _check_sources(sources: Sequence[Path]) -> None:
    """Raise before anything is read or written if no source is given or one is missing."""
    if not sources:
        raise MergeError("no rating logs to merge: give at least one source log")
    for path in sources:
        if not path.exists():
            raise FileNotFoundError(
                f"rating log {path} not found: check the path; nothing was merged or written"
            )


def _raters_in_several_files(
    loaded: list[tuple[Path, list[dict[str, Any]]]],
) -> dict[str, tuple[Path, ...]]:
    """Raters with records in more than one distinct source file (same file twice: once)."""
    files: dict[str, dict[Path, Path]] = {}
    for path, records in loaded:
        for record in records:
            files.setdefault(record["rater_id"], {}).setdefault(path.resolve(), path)
    return {rater: tuple(by_file.values()) for rater, by_file in files.items()
            if len(by_file) > 1}


def _load_previous(out: Path) -> list[dict[str, Any]]:
    """The records of an existing ``out``; refuse if it has damaged lines.

    ``out`` is only ever written whole (atomically), so a damaged line means it is not a
    merged log or was edited by hand: rewriting it would drop those lines for good.
    """
    records, problems = FeedbackLog(out).load()
    if problems:
        shown = "; ".join(f"line {problem.line}: {problem.reason}" for problem in problems[:3])
        raise MergeError(
            f"{out} already exists and has {len(problems)} damaged line(s) ({shown}): it is not "
            f"a merged rating log or was edited by hand. Fix or remove those lines, or choose "
            f"another output file; nothing was written"
        )
    return records


def _summary(
    path: Path, records: list[dict[str, Any]], problems: list[FeedbackProblem],
    counts: tuple[int, int],
) -> SourceSummary:
    return SourceSummary(path, len(records), counts[0], counts[1], len(problems))


def merge_logs(sources: Sequence[PathLike], out: PathLike) -> MergeReport:
    """Merge rating logs into ``out``, counting every record once.

    Parameters
    ----------
    sources : sequence of path
        The logs to merge (JSON Lines, see :mod:`aigc_kit.interaction.feedback`), in order.
    out : path
        The merged log. If it exists, its records come first and are kept, so merging again
        adds only the records that are new. It is replaced atomically: a temporary file in the
        same folder is written, synced and renamed over it, so a crash leaves either the old or
        the new file, never half of one.

    Returns
    -------
    MergeReport
        Per log: records read, new and duplicate; damaged lines skipped (a cut-off last line
        told apart from an invalid record); conflicts; raters found in more than one file.

    Raises
    ------
    MergeError
        If ``sources`` is empty, or ``out`` exists but has damaged lines (it is then not a
        merged log, and rewriting it would drop those lines); nothing is written then.
    FileNotFoundError
        If a source does not exist; nothing is written then.

    Notes
    -----
    Records are matched by ``record_id`` (legacy records by their stable content id, which is
    written explicitly into ``out``). The first copy of an id is kept; a later copy with
    different content is a conflict, skipped and listed in the report. Every valid record read
    is either in ``out`` or counted as a duplicate: ``report.read == report.merged +
    report.duplicates``.
    Taught in ``08_interaction_feedback_loop``.
    """
    paths = [Path(source) for source in sources]
    out = Path(out)
    _check_sources(paths)
    merge = _Merge()
    previous = None
    problems: list[FeedbackProblem] = []
    if out.exists():
        records = _load_previous(out)
        previous = _summary(out, records, [], merge.add(out, records))
    loaded = [(path, *FeedbackLog(path).load()) for path in paths]
    summaries = []
    for path, records, damaged in loaded:
        summaries.append(_summary(path, records, damaged, merge.add(path, records)))
        problems += damaged
    records = list(merge.records.values())
    write_atomically(out, lambda file: file.writelines(encode_record(r) for r in records))
    raters = _raters_in_several_files([(path, records) for path, records, _ in loaded])
    return MergeReport(out, len(merge.records), previous, tuple(summaries), tuple(problems),
                       tuple(merge.conflicts), raters)
