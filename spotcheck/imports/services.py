"""Writes of directory imports: the import itself, and the jobs that run it in the background."""

from __future__ import annotations

import datetime as dt
import logging
import tempfile
import threading
import time
from collections.abc import Callable
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import File
from django.core.files.uploadedfile import UploadedFile
from django.db import connection as db_connection
from django.db import transaction
from django.utils import timezone
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, BaseTaskBackend, task_backends
from django_tasks.exceptions import TaskResultDoesNotExist

from spotcheck.accounts.models import Department, User
from spotcheck.accounts.selectors import department_subtree, writable_department_ids
from spotcheck.audit import events
from spotcheck.audit.services import audit_record
from spotcheck.imports.choices import LOST_MESSAGE, STALE_MESSAGE, ImportKind, ImportStatus
from spotcheck.imports.engine import ImportOptions, ImportReport, Progress, run_import
from spotcheck.imports.models import ImportJob
from spotcheck.imports.staging import Staging
from spotcheck.imports.validation import Scope

logger = logging.getLogger(__name__)

PROGRESS_EVERY_SECONDS = 1.0
# a running job's worker writes a heartbeat this often; a job whose heartbeat is older
# than STALE_AFTER is given up as interrupted (see import_jobs_fail_stale)
HEARTBEAT_SECONDS = 15.0
STALE_AFTER = dt.timedelta(minutes=2)


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
    guard: Callable[[], None] | None = None,
) -> ImportReport:
    """Import a directory file; one audit record with the counts when anything is applied.

    ``guard`` runs inside the writing transaction, before the writes and again after
    them; it raises to stop the import (a background job given up as interrupted).
    """
    if options.kind not in ImportKind.values:
        raise ValueError(f"unknown import kind: {options.kind}")
    scope = import_scope(actor=actor, department=department)

    def apply(staging: Staging, report: ImportReport) -> None:
        if guard is not None:
            guard()
        _apply(staging, report)
        if guard is not None:
            guard()

    def _apply(staging: Staging, report: ImportReport) -> None:
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
        actor_id=actor.pk if actor is not None else None,
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
    """Store an uploaded file as a queued import job.

    The caller enqueues the job's task once this transaction has committed
    (``transaction.on_commit`` with ``spotcheck.imports.tasks.import_job_enqueue``), so
    a worker never sees a job whose row is not committed yet.
    """
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
    return job


def _stored_name(name: str) -> str:
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else "dat"
    return f"import-{timezone.now():%Y%m%d%H%M%S}.{suffix[:8]}"


def import_job_set_task(*, job_id: int, task_result_id: str) -> None:
    """Remember the id of the job's queued task, so a queue that loses it is noticed."""
    ImportJob.objects.filter(pk=job_id).update(task_result_id=task_result_id[:64])


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
        job.started_at = job.heartbeat_at = timezone.now()
        job.phase = "正在读取文件"
        job.save(update_fields=["status", "started_at", "heartbeat_at", "phase"])
    return job


def import_job_run(*, job_id: int) -> str:
    """Run a queued import job once; running it again, or after it was given up, does nothing."""
    import_jobs_fail_stale()
    job = import_job_claim(job_id=job_id)
    if job is None:
        return "skipped"
    try:
        with _Heartbeat(job_id) as beat:
            report = _run(job, beat)
    except Exception as exc:
        logger.exception("import job %s failed", job_id)
        import_job_fail(job_id=job_id, message=f"{type(exc).__name__}: {exc}")
        raise
    _finish(job, report)
    return job.status


def import_jobs_fail_stale(*, now: dt.datetime | None = None) -> list[int]:
    """Mark running jobs whose worker stopped answering, and queued jobs whose task the
    queue lost, as failed; return their ids.

    A running job's worker writes ``heartbeat_at`` every ``HEARTBEAT_SECONDS``; when it
    is older than ``STALE_AFTER`` the worker was killed (or its machine stopped). The
    import runs in one transaction, so such a job wrote nothing and can simply be
    imported again. Called whenever a worker starts a job and whenever a job page is
    shown, so no separate scheduler is needed.
    """
    limit = (now or timezone.now()) - STALE_AFTER
    failed = _fail_lost()
    for job_id in ImportJob.objects.filter(
        status=ImportStatus.RUNNING, heartbeat_at__lt=limit
    ).values_list("pk", flat=True):
        with transaction.atomic():
            # a worker in its writing transaction holds this row locked until it
            # commits (and writes the heartbeat just before): it is alive, skip it. A
            # killed worker's transaction is rolled back and its lock released.
            job = ImportJob.objects.select_for_update(skip_locked=True).filter(pk=job_id).first()
            if job is None or job.status != ImportStatus.RUNNING:
                continue
            if (job.heartbeat_at or limit) >= limit:
                continue
            _transition(job, ImportStatus.FAILED)
            job.phase = ""
            job.error_message = STALE_MESSAGE
            job.finished_at = timezone.now()
            job.save(update_fields=["status", "phase", "error_message", "finished_at"])
            failed.append(job_id)
            logger.warning(
                "import job %s given up: no heartbeat since %s", job_id, job.heartbeat_at
            )
    return failed


def _fail_lost() -> list[int]:
    """Mark queued jobs whose task the queue no longer knows as failed; return their ids.

    A Redis that restarts empty takes its waiting tasks with it; the job would stay 排队中
    for ever. The queue is asked about each queued job's task; a queue that cannot be
    reached tells nothing, and those jobs are left as they are. (The database backend
    keeps its tasks in the database, so there nothing is ever lost.)
    """
    lost = []
    for job_id, result_id in (
        ImportJob.objects.filter(status=ImportStatus.QUEUED)
        .exclude(task_result_id="")
        .values_list("pk", "task_result_id")
    ):
        try:
            _task_queue().get_result(result_id)
            continue
        except TaskResultDoesNotExist:
            pass
        except Exception:  # the queue is away or hangs: it cannot tell, ask again later
            logger.warning("could not ask the task queue about import job %s", job_id)
            break
        with transaction.atomic():
            job = ImportJob.objects.select_for_update().filter(pk=job_id).first()
            if job is None or job.status != ImportStatus.QUEUED:
                continue
            _transition(job, ImportStatus.FAILED)
            job.phase = ""
            job.error_message = LOST_MESSAGE
            job.finished_at = timezone.now()
            job.save(update_fields=["status", "phase", "error_message", "finished_at"])
        lost.append(job_id)
        logger.warning("import job %s given up: its queued task %s is gone", job_id, result_id)
    return lost


def _task_queue() -> BaseTaskBackend:
    """The task backend that import jobs are queued on (``run_import_job`` uses the default)."""
    return task_backends[DEFAULT_TASK_BACKEND_ALIAS]


class JobGivenUp(Exception):
    """The job was marked failed while it ran: its import must not be applied."""


def _guard(job_id: int) -> Callable[[], None]:
    def check() -> None:
        job = ImportJob.objects.select_for_update().get(pk=job_id)
        if job.status != ImportStatus.RUNNING:
            raise JobGivenUp(f"import job {job_id} is {job.status}, not applied")
        ImportJob.objects.filter(pk=job_id).update(heartbeat_at=timezone.now())

    return check


class _Heartbeat:
    """A thread that writes the job's heartbeat while the import runs (own connection),
    and the progress the import reports from inside its transaction (a first load)."""

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        self.stop = threading.Event()
        self.wake = threading.Event()
        self.pending: tuple[int, int, str] | None = None
        self.thread = threading.Thread(target=self._beat, name=f"import-{job_id}", daemon=True)

    def __enter__(self) -> _Heartbeat:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.wake.set()
        self.thread.join()

    def progress(self, done: int, total: int, phase: str) -> None:
        """Have the thread write this progress (the latest one wins)."""
        self.pending = (done, total, phase)
        self.wake.set()

    def _beat(self) -> None:
        due = time.monotonic() + HEARTBEAT_SECONDS
        try:
            while not self.stop.is_set():
                self.wake.wait(max(due - time.monotonic(), 0.0))
                self.wake.clear()
                pending, self.pending = self.pending, None
                if self.stop.is_set() or (pending is None and time.monotonic() < due):
                    continue
                fields: dict[str, Any] = {"heartbeat_at": timezone.now()}
                if pending is not None:
                    fields.update(rows_done=pending[0], rows_total=pending[1], phase=pending[2])
                try:
                    ImportJob.objects.filter(pk=self.job_id, status=ImportStatus.RUNNING).update(
                        **fields
                    )
                except Exception:  # a missed beat is not worth stopping the import for
                    logger.exception("heartbeat of import job %s not written", self.job_id)
                due = time.monotonic() + HEARTBEAT_SECONDS
        finally:
            db_connection.close()


def _run(job: ImportJob, beat: _Heartbeat) -> ImportReport:
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
            progress=_progress_writer(job.pk, beat),
            errors_out=errors,
            guard=_guard(job.pk),
        )
        if report.rejected or report.warnings:
            errors.seek(0)
            job.errors_file.save(f"import-{job.pk}-errors.csv", File(errors), save=False)
    return report


def _progress_writer(job_id: int, beat: _Heartbeat | None = None) -> Progress:
    last = [0.0]
    outer = len(db_connection.atomic_blocks)  # transactions the import runs inside

    def write(done: int, total: int, phase: str) -> None:
        now = time.monotonic()
        if now - last[0] < PROGRESS_EVERY_SECONDS and not phase.startswith("正在核对"):
            return
        last[0] = now
        if beat is not None and len(db_connection.atomic_blocks) > outer:
            # a first load reads inside its writing transaction: what it wrote here would
            # show only at its commit, so the heartbeat's own connection writes it
            beat.progress(done, total, phase)
            return
        ImportJob.objects.filter(pk=job_id).update(
            rows_done=done, rows_total=total, phase=phase, heartbeat_at=timezone.now()
        )

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


def import_job_fail(*, job_id: int, message: str) -> None:
    """Mark a job that has not finished as failed, with the message its page shows."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.is_finished:
            return
        _transition(job, ImportStatus.FAILED)
        job.phase = ""
        job.error_message = message[:2000]
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "phase", "error_message", "finished_at"])
