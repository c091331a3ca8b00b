"""Run one directory import: read, validate, stage, check, and apply or refuse.

Reading and validating streams the file in batches into temporary tables; checking and
applying happen in one transaction, so a file is applied completely, or (with
``valid_only``) its valid rows are, or nothing is. See docs/domain/directory-import.md.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass, field
from typing import IO, Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from spotcheck.directory.exports import safe_cell
from spotcheck.imports import pipeline
from spotcheck.imports.columns import columns_for, header_key
from spotcheck.imports.readers import UnreadableFile, open_table
from spotcheck.imports.staging import BATCH_ROWS, FirstLoad, Staging
from spotcheck.imports.validation import Scope, validator_for

logger = logging.getLogger(__name__)

Progress = Callable[[int, int, str], None]
ERRORS_HEADER = ["行号", "列", "值", "原因"]


@dataclass(frozen=True)
class ImportOptions:
    """What the user asked for: which directory, and how strict."""

    kind: str
    valid_only: bool = False
    dry_run: bool = False
    encoding: str = ""


@dataclass
class ImportReport:
    """What an import did, for the command line, the job page and the audit record."""

    kind: str
    dry_run: bool = False
    valid_only: bool = False
    description: str = ""
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    warnings: int = 0
    risk_changes: int = 0
    applied: bool = False
    first_load: bool = False  # written while read, into an empty directory
    fatal: str = ""
    messages: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        """0: everything applied (or would be); 1: rows were rejected; 2: unreadable file."""
        if self.fatal:
            return 2
        return 1 if self.rejected else 0

    @property
    def refused(self) -> bool:
        """Tell whether nothing was (or would be) applied because of errors."""
        return bool(self.fatal) or (self.rejected > 0 and not self.valid_only)

    def counts_line(self) -> str:
        return f"新增 {self.created}，更新 {self.updated}，未变化 {self.unchanged}"

    def summary(self) -> str:
        """Say in one Chinese sentence what happened."""
        if self.fatal:
            return f"文件无法导入：{self.fatal}"
        rejected = f"，有误 {self.rejected} 行" if self.rejected else ""
        warnings = f"，警告 {self.warnings} 条" if self.warnings else ""
        if self.refused:
            return (
                f"共 {self.rows} 行，其中 {self.rejected} 行有误，未导入任何数据"
                f"（可修正后重新导入，或选择“仅导入有效行”）。有效行若导入将{self.counts_line()}"
            )
        if self.dry_run:
            return (
                f"试运行，未写入名录库：共 {self.rows} 行，"
                f"将{self.counts_line()}{rejected}{warnings}"
            )
        nothing = (
            "；名录库已是最新，没有需要修改的记录" if not (self.created or self.updated) else ""
        )
        return f"已导入：共 {self.rows} 行，{self.counts_line()}{rejected}{warnings}{nothing}"


def run_import(
    *,
    stream: IO[bytes],
    name: str,
    options: ImportOptions,
    scope: Scope,
    apply: Callable[[Staging, ImportReport], None],
    progress: Progress | None = None,
    errors_out: IO[bytes] | None = None,
    today: dt.date | None = None,
    actor_id: int | None = None,
) -> ImportReport:
    """Import one file; ``apply`` writes the checked rows (and the audit record).

    A big CSV file into an empty directory on PostgreSQL is written while it is read
    (``FirstLoad``); should it meet an error or a duplicate code, that attempt is rolled
    back whole and the file is imported the usual way, which reports them."""
    report = _new_report(options)
    known = {header_key(c.header) for c in columns_for(options.kind)}
    try:
        table = open_table(stream, name, known_headers=known, encoding=options.encoding)
    except UnreadableFile as exc:
        _refuse_file(report, exc, errors_out)
        return report
    report.description = table.description
    staging: Staging | None = None
    try:
        validator = validator_for(options.kind, table.header, scope, today or timezone.localdate())
        report.messages.extend(validator.messages)
        staging = Staging(validator, scope)
        if _first_load_fits(table, options, scope, staging):
            staging.create()
            if _first_load(table, staging, report, progress, apply, errors_out, actor_id):
                return report
            staging.drop()
            staging = Staging(validator, scope)
            report = _new_report(options, table.description, validator.messages)
        staging.create()
        _load(table, validator, staging, report, progress)
        if report.rows == 0:
            raise UnreadableFile("文件只有表头，没有数据行")
        if progress:
            progress(report.rows, report.rows, "正在核对并写入名录库")
        _check_and_apply(staging, report, options, apply, errors_out)
    except UnreadableFile as exc:
        _refuse_file(report, exc, errors_out)
    finally:
        if staging is not None:
            staging.drop()
        table.close()
    return report


def _new_report(
    options: ImportOptions, description: str = "", messages: list[str] | None = None
) -> ImportReport:
    """An empty report of an import with these options (a given-up first load starts one)."""
    return ImportReport(
        kind=options.kind,
        dry_run=options.dry_run,
        valid_only=options.valid_only,
        description=description,
        messages=list(messages or []),
    )


def _check_and_apply(
    staging: Staging,
    report: ImportReport,
    options: ImportOptions,
    apply: Callable[[Staging, ImportReport], None],
    errors_out: IO[bytes] | None,
) -> None:
    """In one transaction: check the staged rows against the directory, count them, apply
    them unless the file is refused or this is a dry run, and write the errors report."""
    with transaction.atomic():
        staging.check()
        counts = staging.counts()
        report.created, report.updated = counts.created, counts.updated
        report.unchanged, report.rejected = counts.unchanged, counts.rejected
        report.warnings = counts.warnings
        if not report.refused and not options.dry_run:
            apply(staging, report)
            report.applied = True
        _write_errors(errors_out, report, staging)


def _refuse_file(report: ImportReport, exc: UnreadableFile, errors_out: IO[bytes] | None) -> None:
    """Report a file that cannot be imported at all: nothing counted, the reason written."""
    report.fatal = exc.message
    report.created = report.updated = report.unchanged = 0
    _write_errors(errors_out, report, None)


# a CSV file at least this big, into an empty directory, is a first load (``FirstLoad``)
FIRST_LOAD_MIN_BYTES = 8 << 20


class _GiveUp(Exception):
    """A first load met what only the usual way of importing reports."""


def _first_load_fits(table: Any, options: ImportOptions, scope: Scope, staging: Staging) -> bool:
    return (
        staging.dialect.postgres
        and staging.entities
        and not options.dry_run
        and scope.department_ids is None
        and table.size >= FIRST_LOAD_MIN_BYTES
        and pipeline.usable(table.csv_source)
        and not staging.model.objects.exists()
    )


def _first_load(
    table: Any,
    staging: Staging,
    report: ImportReport,
    progress: Progress | None,
    apply: Callable[[Staging, ImportReport], None],
    errors_out: IO[bytes] | None,
    actor_id: int | None,
) -> bool:
    """Write the file into the empty directory as it is read; False when given up (then
    nothing of it remains)."""
    first = FirstLoad(staging, actor_id=actor_id, now=timezone.now())
    total = table.total_estimate
    try:
        with transaction.atomic():
            if not first.begin():
                raise _GiveUp("名录库已不是空的")
            with closing(
                pipeline.pieces(
                    table.csv_source, staging.validator, size=table.size, ahead=FirstLoad.AHEAD
                )
            ) as pieces:
                for piece in pieces:
                    if any(not warning for *_, warning in piece.issues):
                        raise _GiveUp("有行未通过校验")
                    report.rows += piece.rows
                    staging.add_piece(piece)
                    if staging.pending() >= FirstLoad.BATCH_ROWS:
                        staging.flush()
                        first.write()
                        if progress:
                            progress(report.rows, max(total, report.rows), "正在校验并写入名录库")
            staging.flush()
            first.write()
            if report.rows == 0:
                raise UnreadableFile("文件只有表头，没有数据行")
            if staging.has_duplicate_keys():
                raise _GiveUp("文件中有重复的代码")
            if progress:
                progress(report.rows, report.rows, "正在建立名录库索引")
            first.finish()
            counts = staging.counts()
            report.created, report.warnings = counts.created, counts.warnings
            report.first_load = True
            report.messages.append("名录库原为空：本次按首次导入边校验边写入")
            apply(staging, report)
            report.applied = True
            _write_errors(errors_out, report, staging)
    except (_GiveUp, IntegrityError) as exc:
        # (a code seen twice may meet the unique index before the check at the end)
        logger.info("first load given up (%s); importing the usual way", exc)
        return False
    finally:
        first.close()
    return True


def _load(
    table: Any, validator: Any, staging: Staging, report: ImportReport, progress: Progress | None
) -> None:
    total = table.total_estimate
    if staging.dialect.postgres and pipeline.usable(table.csv_source):
        # CSV files: cut into pieces, checked (big files: in worker processes) and
        # streamed into COPY as text
        with closing(pipeline.pieces(table.csv_source, validator, size=table.size)) as pieces:
            for piece in pieces:
                report.rows += piece.rows
                staging.add_piece(piece)
                if staging.pending() >= BATCH_ROWS:
                    staging.flush()
                    if progress:
                        progress(report.rows, max(total, report.rows), "正在读取和校验")
        staging.flush()
        return
    for raw in table.rows:
        result = validator.validate(raw)
        if result is None:
            continue
        report.rows += 1
        staging.add(result)
        if staging.pending() >= BATCH_ROWS:
            staging.flush()
            if progress:
                progress(report.rows, max(total, report.rows), "正在读取和校验")
    staging.flush()


def _write_errors(out: IO[bytes] | None, report: ImportReport, staging: Staging | None) -> None:
    """Write the rejected rows as CSV (UTF-8 with BOM, so Excel opens it)."""
    if out is None:
        return
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="")
    writer = csv.writer(text)
    writer.writerow(ERRORS_HEADER)
    if report.fatal:
        writer.writerow(["", "", "", f"文件无法导入：{report.fatal}"])
    elif staging is not None:
        for issue in staging.issues():
            reason = f"警告：{issue.reason}" if issue.warning else issue.reason
            writer.writerow([issue.row_no, issue.column, safe_cell(issue.value), safe_cell(reason)])
    text.flush()
    text.detach()
