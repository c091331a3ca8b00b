"""Pages of directory imports: upload, job progress and report, templates, errors file."""

from __future__ import annotations

from functools import partial
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from spotcheck.imports.choices import ImportKind
from spotcheck.imports.forms import ImportUploadForm
from spotcheck.imports.selectors import (
    import_allowed,
    import_job_get_for_user,
    import_job_list_for_user,
)
from spotcheck.imports.services import import_job_create, import_jobs_fail_stale
from spotcheck.imports.tasks import import_job_enqueue
from spotcheck.imports.template_file import template_xlsx

_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _attachment(filename: str) -> str:
    return f"attachment; filename*=UTF-8''{quote(filename, safe='')}"


@login_required
def import_upload(request: HttpRequest) -> HttpResponse:
    if not import_allowed(request.user):
        raise Http404
    initial = {"kind": request.GET.get("kind", ImportKind.ENTITIES)}
    form = ImportUploadForm(
        request.POST or None, request.FILES or None, user=request.user, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            job = import_job_create(
                actor=request.user,
                kind=data["kind"],
                upload=data["file"],
                encoding=data["encoding"],
                valid_only=data["valid_only"],
                dry_run=data["dry_run"],
                department=data["department"],
            )
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, exc.messages[0] if isinstance(exc, ValidationError) else str(exc))
        else:
            transaction.on_commit(partial(import_job_enqueue, job.pk))
            messages.info(request, "文件已上传，正在后台导入")
            return redirect("directory:import_job", pk=job.pk)
    import_jobs_fail_stale()
    return render(
        request,
        "directory/import_upload.html",
        {"form": form, "jobs": import_job_list_for_user(request.user)[:10]},
    )


@login_required
def import_job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    import_jobs_fail_stale()
    job = import_job_get_for_user(request.user, pk)
    return render(request, "directory/import_job.html", {"job": job})


@login_required
def import_job_status(request: HttpRequest, pk: int) -> HttpResponse:
    import_jobs_fail_stale()
    job = import_job_get_for_user(request.user, pk)
    return render(request, "directory/import_job_status.html", {"job": job})


@login_required
def import_job_errors(request: HttpRequest, pk: int) -> FileResponse:
    job = import_job_get_for_user(request.user, pk)
    if not job.errors_file:
        raise Http404
    response = FileResponse(job.errors_file.open("rb"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = _attachment(f"导入错误报告-{job.pk}.csv")
    return response


@login_required
def import_template(request: HttpRequest, kind: str) -> HttpResponse:
    if not import_allowed(request.user) or kind not in ImportKind.values:
        raise Http404
    name = "检查对象" if kind == ImportKind.ENTITIES else "执法检查人员"
    response = HttpResponse(template_xlsx(kind), content_type=_XLSX)
    response["Content-Disposition"] = _attachment(f"{name}导入模板.xlsx")
    return response
