# ruff: noqa: E501  -- one row per URL, one column per persona
"""Who may open which directory page (rows of the access matrix, docs/access.md).

* anonymous visitors are sent to the login page;
* platform admins, auditors and the lead office read everything;
* a department admin reads and writes their department's subtree only, so the
  石家庄 parent department admin also sees 晋州市市场监督管理局's records;
* inspectors see no entities and only their own inspector record;
* auditors and inspectors never get a create or edit page;
* the lead office writes only its own subtree.

"own" records belong to 晋州市市场监督管理局 (dept_admin's department, under
parent_dept_admin); "other" records to 晋州市公安局 (other_dept_admin's department).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.urls import reverse

from spotcheck.directory.models import Avoidance, Entity
from spotcheck.directory.tests.factories import AvoidanceFactory, EntityFactory
from spotcheck.imports.models import ImportJob
from spotcheck.testing.access_matrix import DONE, LOGIN, NOT_FOUND, OK, Case, Request, World


@dataclass(frozen=True)
class DirectoryWorld:
    own_entity: Entity
    other_entity: Entity
    own_avoidance: Avoidance
    other_avoidance: Avoidance
    own_import: ImportJob


def build(w: World) -> DirectoryWorld:
    own_entity = EntityFactory(
        name="晋州市甲食品有限公司", supervising_departments=[w.departments.market]
    )
    other_entity = EntityFactory(
        name="晋州市乙保安服务有限公司", supervising_departments=[w.departments.police]
    )
    own_import = ImportJob.objects.create(
        kind="entities", original_name="名录.csv", created_by=w.users["dept_admin"]
    )
    own_import.errors_file.save("errors.csv", ContentFile(b"\xef\xbb\xbf"))
    admin = w.users["platform_admin"]
    return DirectoryWorld(
        own_entity=own_entity,
        other_entity=other_entity,
        # each inspector already avoids the *other* department's entity
        own_avoidance=AvoidanceFactory(
            inspector=w.own_inspector, entity=other_entity, declared_by=admin
        ),
        other_avoidance=AvoidanceFactory(
            inspector=w.other_inspector, entity=own_entity, declared_by=admin
        ),
        own_import=own_import,
    )


def _d(w: World) -> DirectoryWorld:
    return w.app["directory"]


def _entity(w: World, which: str) -> int:
    return (_d(w).own_entity if which == "own" else _d(w).other_entity).pk


def _inspector(w: World, which: str) -> int:
    return (w.own_inspector if which == "own" else w.other_inspector).pk


def _avoidance_add(which: str):  # type: ignore[no-untyped-def]
    # the new avoidance pairs the inspector with their own department's entity
    def request(w: World) -> Request:
        inspector = _inspector(w, which)
        entity = _d(w).own_entity if which == "own" else _d(w).other_entity
        return Request(
            "post",
            reverse("directory:avoidance_add", args=[inspector]),
            {
                "entity_code": entity.uscc,
                "reason_type": "former_employer",
                "reason": "三年前曾在该企业任职",
            },
            reverse("directory:inspector_detail", args=[inspector]),
        )

    return request


def _avoidance_remove(which: str):  # type: ignore[no-untyped-def]
    def request(w: World) -> Request:
        inspector = _inspector(w, which)
        avoidance = _d(w).own_avoidance if which == "own" else _d(w).other_avoidance
        return Request(
            "post",
            reverse("directory:avoidance_remove", args=[inspector, avoidance.pk]),
            {"reason": "当事人已离职，利害关系消除"},
            reverse("directory:inspector_detail", args=[inspector]),
        )

    return request


def _avoidances() -> list[int]:
    return sorted(Avoidance.objects.values_list("pk", flat=True))


def _job(name: str):  # type: ignore[no-untyped-def]
    return lambda w: Request("get", reverse(name, args=[_d(w).own_import.pk]))


# fmt: off
CASES: dict[str, Case] = {
    #                                                                                                    anonymous  platform   lead       dept       other dept parent     inspector  other insp auditor
    "directory:entity_list":            Case(lambda w: Request("get", reverse("directory:entity_list")),     (LOGIN,     OK,        OK,        OK,        OK,        OK,        OK,        OK,        OK)),
    "directory:entity_create":          Case(lambda w: Request("get", reverse("directory:entity_create")),   (LOGIN,     OK,        OK,        OK,        OK,        OK,        NOT_FOUND, NOT_FOUND, NOT_FOUND)),
    "directory:entity_detail own":      Case(lambda w: Request("get", reverse("directory:entity_detail", args=[_entity(w, "own")])),   (LOGIN, OK, OK, OK, NOT_FOUND, OK, NOT_FOUND, NOT_FOUND, OK)),
    "directory:entity_detail other":    Case(lambda w: Request("get", reverse("directory:entity_detail", args=[_entity(w, "other")])), (LOGIN, OK, OK, NOT_FOUND, OK, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK)),
    "directory:entity_edit own":        Case(lambda w: Request("get", reverse("directory:entity_edit", args=[_entity(w, "own")])),     (LOGIN, OK, NOT_FOUND, OK, NOT_FOUND, OK, NOT_FOUND, NOT_FOUND, NOT_FOUND)),
    "directory:entity_edit other":      Case(lambda w: Request("get", reverse("directory:entity_edit", args=[_entity(w, "other")])),   (LOGIN, OK, NOT_FOUND, NOT_FOUND, OK, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND)),
    "directory:inspector_list":         Case(lambda w: Request("get", reverse("directory:inspector_list")),   (LOGIN,     OK,        OK,        OK,        OK,        OK,        OK,        OK,        OK)),
    "directory:inspector_create":       Case(lambda w: Request("get", reverse("directory:inspector_create")), (LOGIN,     OK,        OK,        OK,        OK,        OK,        NOT_FOUND, NOT_FOUND, NOT_FOUND)),
    "directory:inspector_detail own":   Case(lambda w: Request("get", reverse("directory:inspector_detail", args=[_inspector(w, "own")])),   (LOGIN, OK, OK, OK, NOT_FOUND, OK, OK, NOT_FOUND, OK)),
    "directory:inspector_detail other": Case(lambda w: Request("get", reverse("directory:inspector_detail", args=[_inspector(w, "other")])), (LOGIN, OK, OK, NOT_FOUND, OK, NOT_FOUND, NOT_FOUND, OK, OK)),
    "directory:inspector_edit own":     Case(lambda w: Request("get", reverse("directory:inspector_edit", args=[_inspector(w, "own")])),     (LOGIN, OK, NOT_FOUND, OK, NOT_FOUND, OK, NOT_FOUND, NOT_FOUND, NOT_FOUND)),
    "directory:inspector_edit other":   Case(lambda w: Request("get", reverse("directory:inspector_edit", args=[_inspector(w, "other")])),   (LOGIN, OK, NOT_FOUND, NOT_FOUND, OK, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND)),
    "directory:avoidance_add own":      Case(_avoidance_add("own"),      (LOGIN,     DONE,      NOT_FOUND, DONE,      NOT_FOUND, DONE,      NOT_FOUND, NOT_FOUND, NOT_FOUND), _avoidances),
    "directory:avoidance_add other":    Case(_avoidance_add("other"),    (LOGIN,     DONE,      NOT_FOUND, NOT_FOUND, DONE,      NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND), _avoidances),
    "directory:avoidance_remove own":   Case(_avoidance_remove("own"),   (LOGIN,     DONE,      NOT_FOUND, DONE,      NOT_FOUND, DONE,      NOT_FOUND, NOT_FOUND, NOT_FOUND), _avoidances),
    "directory:avoidance_remove other": Case(_avoidance_remove("other"), (LOGIN,     DONE,      NOT_FOUND, NOT_FOUND, DONE,      NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND), _avoidances),
    # directory imports: whoever may change records may import; a job is seen by its uploader and platform admins
    "directory:import_upload":          Case(lambda w: Request("get", reverse("directory:import_upload")),                     (LOGIN, OK, OK, OK, OK, OK, NOT_FOUND, NOT_FOUND, NOT_FOUND)),
    "directory:import_template":        Case(lambda w: Request("get", reverse("directory:import_template", args=["entities"])), (LOGIN, OK, OK, OK, OK, OK, NOT_FOUND, NOT_FOUND, NOT_FOUND)),
    "directory:import_job own":         Case(_job("directory:import_job"),        (LOGIN, OK, NOT_FOUND, OK, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND)),
    "directory:import_job_status own":  Case(_job("directory:import_job_status"), (LOGIN, OK, NOT_FOUND, OK, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND)),
    "directory:import_job_errors own":  Case(_job("directory:import_job_errors"), (LOGIN, OK, NOT_FOUND, OK, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND)),
}
# fmt: on
