"""The import pages: who may import, the upload-to-report flow, progress, failures."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import openpyxl
import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from spotcheck.accounts.models import User
from spotcheck.audit.models import AuditEvent
from spotcheck.directory.models import Entity
from spotcheck.directory.tests.factories import make_uscc
from spotcheck.imports.choices import ImportStatus
from spotcheck.imports.columns import ENTITY_COLUMNS, INSPECTOR_COLUMNS
from spotcheck.imports.models import ImportJob
from spotcheck.imports.services import import_job_run
from spotcheck.imports.tests.helpers import WaitFor, csv_bytes, entity_row
from spotcheck.testing.personas import Catalogue

UPLOAD = reverse("directory:import_upload")
SignIn = Callable[[str], Client]


def _upload(client: Client, data: bytes, **fields: object) -> object:
    payload = {"kind": "entities", "file": SimpleUploadedFile("名录.csv", data), **fields}
    return client.post(UPLOAD, payload)


@pytest.mark.parametrize("persona", ["inspector", "auditor"])
def test_people_who_cannot_change_directories_get_404(persona_client: SignIn, persona: str) -> None:
    # when
    response = persona_client(persona).get(UPLOAD)

    # then
    assert response.status_code == 404


def test_anonymous_visitors_are_sent_to_login(persona_client: SignIn) -> None:
    # when
    response = persona_client("anonymous").get(UPLOAD)

    # then
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_the_upload_page_offers_the_form_and_templates(
    persona_client: SignIn, catalogue: Catalogue
) -> None:
    # when
    response = persona_client("dept_admin").get(UPLOAD, {"kind": "inspectors"})

    # then
    assert response.status_code == 200
    html = response.content.decode()
    assert '<option value="inspectors" selected>执法检查人员</option>' in html
    assert "本部门（晋州市市场监督管理局）" in html
    assert reverse("directory:import_template", args=["entities"]) in html


def test_the_directory_lists_link_to_the_import_page(
    persona_client: SignIn, catalogue: Catalogue
) -> None:
    # when
    html = persona_client("dept_admin").get(reverse("directory:entity_list")).content.decode()

    # then
    assert f'href="{UPLOAD}?kind=entities" data-testid="import-link"' in html


def test_an_empty_upload_is_refused_by_the_form(
    persona_client: SignIn, catalogue: Catalogue
) -> None:
    # when
    response = _upload(persona_client("dept_admin"), b"")

    # then
    assert response.status_code == 200
    assert "文件是空的（0 字节），请检查是否选错了文件" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_a_refused_file_field_points_at_its_error_text(
    persona_client: SignIn, catalogue: Catalogue
) -> None:
    # when
    response = _upload(persona_client("dept_admin"), b"")

    # then: the file box is invalid and described by the element that says why
    html = response.content.decode()
    attrs = response.context["form"].fields["file"].widget.attrs
    assert attrs["aria-invalid"] == "true"
    assert attrs["aria-describedby"] == "id_file-error"
    assert html.count('id="id_file-error"') == 1
    assert not ImportJob.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_upload_runs_in_the_background_and_reports(
    persona_client: SignIn, catalogue: Catalogue, dept_admin: User, tasks: WaitFor
) -> None:
    # given
    client = persona_client("dept_admin")
    data = csv_bytes([entity_row(1), entity_row(2, 成立日期="2019-02-30")])

    # when
    response = _upload(client, data, valid_only="on")

    # then
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("directory:import_job", args=[job.pk])
    job = tasks(job)
    assert job.status == ImportStatus.SUCCEEDED
    assert (job.created_count, job.rejected_count, job.applied) == (1, 1, True)
    assert job.created_by == dept_admin
    assert Entity.objects.filter(uscc=make_uscc(5001)).exists()
    page = client.get(response["Location"]).content.decode()
    assert "已导入：共 2 行，新增 1，更新 0，未变化 0，有误 1 行" in page
    assert "hx-get" not in page
    errors = client.get(reverse("directory:import_job_errors", args=[job.pk]))
    assert b"".join(errors.streaming_content).decode("utf-8-sig") == (
        "行号,列,值,原因\r\n3,成立日期,2019-02-30,不存在的日期“2019-02-30”\r\n"
    )
    assert list(
        AuditEvent.objects.filter(event_type__startswith="directory.import")
        .order_by("id")
        .values_list("event_type", flat=True)
    ) == ["directory.import.queued", "directory.import.applied"]


@pytest.mark.django_db(transaction=True)
def test_a_file_with_errors_is_not_imported_by_default(
    persona_client: SignIn, catalogue: Catalogue, tasks: WaitFor
) -> None:
    # given
    client = persona_client("platform_admin")
    data = csv_bytes([entity_row(1), entity_row(2, 名称="")])

    # when
    _upload(client, data)

    # then
    job = tasks(ImportJob.objects.get())
    assert (job.status, job.rejected_count, job.applied) == (ImportStatus.REJECTED, 1, False)
    assert Entity.objects.count() == 4
    page = client.get(reverse("directory:import_job", args=[job.pk])).content.decode()
    assert "其中 1 行有误，未导入任何数据" in page
    assert reverse("directory:import_job_errors", args=[job.pk]) in page


@pytest.mark.django_db(transaction=True)
def test_an_unreadable_upload_is_rejected_with_its_reason(
    persona_client: SignIn, catalogue: Catalogue, tasks: WaitFor
) -> None:
    # given
    client = persona_client("platform_admin")

    # when
    client.post(
        UPLOAD,
        {"kind": "entities", "file": SimpleUploadedFile("名录.xlsx", csv_bytes([entity_row(1)]))},
    )

    # then
    job = tasks(ImportJob.objects.get())
    assert job.status == ImportStatus.REJECTED
    assert job.messages[0].startswith("文件无法导入：文件扩展名是 .xlsx，但内容不是 Excel 工作簿")


def test_a_running_job_page_polls_for_progress(
    persona_client: SignIn, catalogue: Catalogue, dept_admin: User
) -> None:
    # given
    job = ImportJob.objects.create(
        kind="entities",
        original_name="名录.csv",
        status=ImportStatus.RUNNING,
        rows_done=2500,
        rows_total=10000,
        phase="正在读取和校验",
        created_by=dept_admin,
    )
    client = persona_client("dept_admin")

    # when
    page = client.get(reverse("directory:import_job", args=[job.pk])).content.decode()
    status = client.get(reverse("directory:import_job_status", args=[job.pk])).content.decode()

    # then
    polling = f'hx-get="{reverse("directory:import_job_status", args=[job.pk])}"'
    assert polling in page
    assert polling in status
    assert 'hx-trigger="every 1s"' in status
    assert '<progress class="w-100" max="100" value="25"' in status
    assert "已处理 2500 行，约 10000 行（25%）" in status
    assert '<meta name="htmx-config" content=\'{"includeIndicatorStyles":false}\'>' in page
    assert "vendor/htmx/htmx.min.js" in page
    assert " style=" not in page
    assert "onclick" not in page


def test_another_users_job_is_404(
    persona_client: SignIn, catalogue: Catalogue, dept_admin: User
) -> None:
    # given
    job = ImportJob.objects.create(kind="entities", original_name="a.csv", created_by=dept_admin)

    # when
    response = persona_client("other_dept_admin").get(
        reverse("directory:import_job", args=[job.pk])
    )

    # then
    assert response.status_code == 404


def test_a_failed_task_shows_its_error_and_writes_nothing(
    persona_client: SignIn, catalogue: Catalogue, dept_admin: User
) -> None:
    # given: a job whose stored file has gone
    job = ImportJob.objects.create(
        kind="entities", original_name="名录.csv", file="imports/missing.csv", created_by=dept_admin
    )

    # when
    with pytest.raises(FileNotFoundError):
        import_job_run(job_id=job.pk)

    # then
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
    assert job.error_message.startswith("FileNotFoundError:")
    page = persona_client("dept_admin").get(reverse("directory:import_job", args=[job.pk]))
    html = page.content.decode()
    assert "后台任务运行出错，名录库没有任何改动" in html
    assert "FileNotFoundError:" in html
    assert Entity.objects.count() == 4


def test_running_a_finished_job_again_does_nothing(catalogue: Catalogue, dept_admin: User) -> None:
    # given
    job = ImportJob.objects.create(kind="entities", original_name="名录.csv", created_by=dept_admin)
    job.file.save("imports/a.csv", ContentFile(csv_bytes([entity_row(1)])))
    assert import_job_run(job_id=job.pk) == ImportStatus.SUCCEEDED

    # when
    again = import_job_run(job_id=job.pk)

    # then
    assert again == "skipped"
    assert AuditEvent.objects.filter(event_type="directory.import.applied").count() == 1
    assert Entity.objects.count() == 5


@pytest.mark.django_db(transaction=True)
def test_the_database_backend_worker_runs_queued_imports(
    persona_client: SignIn, catalogue: Catalogue, settings: Any
) -> None:
    # given
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    _upload(persona_client("dept_admin"), csv_bytes([entity_row(1)]))
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.QUEUED

    # when
    call_command("db_worker", "--batch", "--interval", "0", stdout=io.StringIO())

    # then
    job.refresh_from_db()
    assert (job.status, job.created_count) == (ImportStatus.SUCCEEDED, 1)


@pytest.mark.parametrize(
    ("kind", "columns"), [("entities", ENTITY_COLUMNS), ("inspectors", INSPECTOR_COLUMNS)]
)
def test_the_template_has_headers_an_example_and_notes(
    persona_client: SignIn, catalogue: Catalogue, kind: str, columns: list
) -> None:
    # when
    response = persona_client("dept_admin").get(reverse("directory:import_template", args=[kind]))

    # then
    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    assert workbook.sheetnames[1] == "填写说明"
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    assert list(rows[0]) == [c.header for c in columns]
    assert len(rows) == 2
