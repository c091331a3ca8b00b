"""Writes of directory imports: the import itself, and the jobs that run it in the background."""

from __future__ import annotations

import logging
import tempfile
import time
from typing import IO

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import File
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from spotcheck.accounts.models import Department, User
from spotcheck.accounts.selectors import department_subtree, writable_department_ids
from spotcheck.audit import events
from spotcheck.audit.services import audit_record
from spotcheck.imports.choices import ImportKind, ImportStatus
from spotcheck.imports.engine import ImportOptions, ImportReport, Progress, run_import
from spotcheck.imports.models import ImportJob
from spotcheck.imports.staging import Staging
from spotcheck.imports.validation import Scope

logger = logging.getLogger(__name__)

PROGRESS_EVERY_SECONDS = 1.0


def import_scope(*, actor: User | None, department: Department | None) -> Scope:
    """Return what an import by ``actor`` may touch, narrowed to ``department``'s subtree.

    A system import (command line, ``actor=None``) may touch every department unless a
    department is given. A department's own records default to that department.
    """
    allowed = writable_department_ids(actor) if actor is not None else None
    if actor is not None and allowed is not None and not allowed:
        raise PermissionDenied("无权导入名录")
    if department is None and actor is not None and allowed is not None:
        department = actor.department
    if department is None:
        return Scope(department_ids=allowed, default_department_id=None)
    subtree = frozenset(department_subtree(department).values_list("pk", flat=True))
    if allowed is not None and department.pk not in allowed:
        raise PermissionDenied(f"无权为“{department.name}”导入名录")
    ids = subtree if allowed is None else subtree & allowed
    return Scope(department_ids=ids, default_department_id=department.pk)


def directory_import(
    *,
    actor: User | None,
    stream: IO[bytes],
    name: str,
    options: ImportOptions,
    department: Department | None = None,
    progress: Progress | None = None,
    errors_out: IO[bytes] | None = None,
) -> ImportReport:
    """Import a directory file; one audit record with the counts when anything is applied."""
    if options.kind not in ImportKind.values:
        raise ValueError(f"unknown import kind: {options.kind}")
    scope = import_scope(actor=actor, department=department)

    def apply(staging: Staging, report: ImportReport) -> None:
        report.risk_changes = staging.apply(
            actor_id=actor.pk if actor is not None else None, now=timezone.now()
        )
        audit_record(
            actor=actor,
            event_type=events.DIRECTORY_IMPORTED,
            data={
                "kind": options.kind,
                "file": name,
                "rows": report.rows,
                "created": report.created,
                "updated": report.updated,
                "unchanged": report.unchanged,
                "rejected": report.rejected,
                "warnings": report.warnings,
                "risk_changes": report.risk_changes,
                "valid_only": options.valid_only,
                "department": department.name if department is not None else "",
            },
        )

    return run_import(
        stream=stream,
        name=name,
        options=options,
        scope=scope,
        apply=apply,
        progress=progress,
        errors_out=errors_out,
    )


@transaction.atomic
def import_job_create(
    *,
    actor: User,
    kind: str,
    upload: UploadedFile,
    encoding: str = "",
    valid_only: bool = False,
    dry_run: bool = False,
    department: Department | None = None,
) -> ImportJob:
    """Store an uploaded file and queue its import; the task starts after the commit."""
    import_scope(actor=actor, department=department)  # refuses a department outside scope
    if kind not in ImportKind.values:
        raise ValidationError({"kind": "请选择要导入的名录"})
    job = ImportJob(
        kind=kind,
        original_name=(upload.name or "upload")[:255],
        encoding=encoding,
        valid_only=valid_only,
        dry_run=dry_run,
        department=department,
        created_by=actor,
        phase="等待后台任务开始",
    )
    job.file.save(_stored_name(upload.name or "upload"), upload, save=False)
    job.full_clean()
    job.save()
    audit_record(
        actor=actor,
        event_type=events.DIRECTORY_IMPORT_QUEUED,
        target=job,
        data={
            "kind": kind,
            "file": job.original_name,
            "valid_only": valid_only,
            "dry_run": dry_run,
            "department": department.name if department is not None else "",
        },
    )
    transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def _stored_name(name: str) -> str:
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else "dat"
    return f"import-{timezone.now():%Y%m%d%H%M%S}.{suffix[:8]}"


def _enqueue(job_id: int) -> None:
    from spotcheck.imports.tasks import run_import_job  # here: tasks.py imports this module

    try:
        run_import_job.enqueue(job_id)
    except Exception as exc:  # the queue itself is down: say so on the job page
        logger.exception("could not enqueue import job %s", job_id)
        _finish_failed(job_id, f"无法提交后台任务：{exc}")


def _transition(job: ImportJob, status: str) -> None:
    if not job.can_move_to(status):
        raise ValidationError(f"导入任务不能从“{job.get_status_display()}”变为“{status}”")
    job.status = status


def import_job_claim(*, job_id: int) -> ImportJob | None:
    """Move a queued job to running; None when it is not queued (already run or running)."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status != ImportStatus.QUEUED:
            return None
        _transition(job, ImportStatus.RUNNING)
        job.started_at = timezone.now()
        job.phase = "正在读取文件"
        job.save(update_fields=["status", "started_at", "phase"])
    return job


def import_job_run(*, job_id: int) -> str:
    """Run a queued import job once; running it again does nothing."""
    job = import_job_claim(job_id=job_id)
    if job is None:
        return "skipped"
    try:
        report = _run(job)
    except Exception as exc:
        logger.exception("import job %s failed", job_id)
        _finish_failed(job_id, f"{type(exc).__name__}: {exc}")
        raise
    _finish(job, report)
    return job.status


def _run(job: ImportJob) -> ImportReport:
    options = ImportOptions(
        kind=job.kind, valid_only=job.valid_only, dry_run=job.dry_run, encoding=job.encoding
    )
    # the errors report goes to a temporary file first: it can be as long as the input
    with tempfile.TemporaryFile() as errors, job.file.open("rb") as stream:
        report = directory_import(
            actor=job.created_by,
            stream=stream,
            name=job.original_name,
            options=options,
            department=job.department,
            progress=_progress_writer(job.pk),
            errors_out=errors,
        )
        if report.rejected or report.warnings:
            errors.seek(0)
            job.errors_file.save(f"import-{job.pk}-errors.csv", File(errors), save=False)
    return report


def _progress_writer(job_id: int) -> Progress:
    last = [0.0]

    def write(done: int, total: int, phase: str) -> None:
        now = time.monotonic()
        if now - last[0] < PROGRESS_EVERY_SECONDS and not phase.startswith("正在核对"):
            return
        last[0] = now
        ImportJob.objects.filter(pk=job_id).update(rows_done=done, rows_total=total, phase=phase)

    return write


def _finish(job: ImportJob, report: ImportReport) -> None:
    with transaction.atomic():
        locked = ImportJob.objects.select_for_update().get(pk=job.pk)
        _transition(locked, ImportStatus.REJECTED if report.refused else ImportStatus.SUCCEEDED)
        locked.phase = ""
        locked.rows_done = report.rows
        locked.rows_total = report.rows
        locked.created_count = report.created
        locked.updated_count = report.updated
        locked.unchanged_count = report.unchanged
        locked.rejected_count = report.rejected
        locked.warning_count = report.warnings
        locked.applied = report.applied
        locked.messages = [report.summary(), *report.messages]
        locked.errors_file = job.errors_file.name or ""
        locked.finished_at = timezone.now()
        locked.save()
    job.refresh_from_db()


def _finish_failed(job_id: int, message: str) -> None:
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.is_finished:
            return
        _transition(job, ImportStatus.FAILED)
        job.phase = ""
        job.error_message = message[:2000]
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "phase", "error_message", "finished_at"])
