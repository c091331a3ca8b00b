# ruff: noqa: E501  -- one row per URL, one column per persona
"""The 后续处置 case pages (rows of the access matrix, docs/access.md).

A task of the lead office in which the market department takes part; one group (the
market inspector only) checked two entities and found a problem on each:

* the "own" case is held by 晋州市市场监督管理局 and has a 责令改正 step with a PDF;
* the "transferring" case was handed by the market department to 晋州市公安局 and
  waits for it to accept.

Platform admin, lead office and auditor read every case; a department admin the cases
its subtree holds, found, held or is asked to receive; an inspector the cases of its
group's records.  Only the holding department (or above it, or the platform admin)
records a measure, only the receiving one accepts: a reader who may not act gets the
case page back with the refusal (400) and nothing is written; outsiders get 404.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from spotcheck.campaigns.choices import TaskState
from spotcheck.campaigns.models import Task
from spotcheck.campaigns.tests.factories import make_task
from spotcheck.catalogue.models import ResultCode
from spotcheck.directory.models import Entity
from spotcheck.directory.tests.factories import EntityFactory
from spotcheck.followup.choices import Measure
from spotcheck.followup.models import Case as FollowUpCase
from spotcheck.followup.models import CaseEvidence, CaseStep
from spotcheck.followup.services import case_record_measure, case_transfer, cases_open_for_record
from spotcheck.inspections.models import InspectionGroup
from spotcheck.inspections.tests.factories import make_group, make_record
from spotcheck.testing.access_matrix import DONE, LOGIN, NOT_FOUND, OK, Case, Request, World

REFUSED = "400"  # the case page again, with the refusal on top: nothing written

PDF = b"%PDF-1.4\n%%EOF\n"


@dataclass(frozen=True)
class FollowUpWorld:
    task: Task
    own: FollowUpCase
    transferring: FollowUpCase
    evidence: CaseEvidence


def _open_case(w: World, task: Task, group: InspectionGroup, entity: Entity) -> FollowUpCase:
    """A record of ``entity`` whose market item found a problem that needs follow-up."""
    record = make_record(task, entity, group, [w.app["campaigns"].market_item])
    row = record.items.get()
    row.result_codes.set(ResultCode.objects.filter(code__in=["A", "2", "B"]))
    (case,) = cases_open_for_record(actor=None, record=record)
    return case


def build(w: World) -> FollowUpWorld:
    items = w.app["campaigns"]
    task = make_task(
        w.departments,
        w.regions,
        w.users["lead_admin"],
        [
            (w.departments.lead_office, [items.lead_item]),
            (w.departments.market, [items.market_item]),
        ],
        number="晋州市政府办抽查〔2026〕12号",
        state=TaskState.MATCHED,
    )
    group = make_group(task, [w.own_inspector])
    own = _open_case(w, task, group, w.app["directory"].own_entity)
    own = case_record_measure(
        actor=w.users["dept_admin"],
        case=own,
        measure=Measure.ORDER_CORRECTION,
        note="责令7日内补报",
        files=[SimpleUploadedFile("通知书.pdf", PDF, "application/pdf")],
    )
    transferring = _open_case(
        w,
        task,
        group,
        EntityFactory(
            name="晋州市戊保安器材经销部", supervising_departments=[w.departments.market]
        ),
    )
    transferring = case_transfer(
        actor=w.users["dept_admin"],
        case=transferring,
        to_department=w.departments.police,
        reason="涉及保安服务，属公安机关管辖",
    )
    return FollowUpWorld(
        task=task,
        own=own,
        transferring=transferring,
        evidence=CaseEvidence.objects.get(step__case=own),
    )


def _f(w: World) -> FollowUpWorld:
    return w.app["followup"]


def _case(w: World, which: str) -> FollowUpCase:
    return _f(w).own if which == "own" else _f(w).transferring


def _detail(which: str):  # type: ignore[no-untyped-def]
    return lambda w: Request("get", reverse("followup:case_detail", args=[_case(w, which).pk]))


def _act(which: str, action: str, data: dict[str, str]):  # type: ignore[no-untyped-def]
    def request(w: World) -> Request:
        pk = _case(w, which).pk
        version = FollowUpCase.objects.get(pk=pk).version
        return Request(
            "post",
            reverse("followup:case_act", args=[pk, action]),
            {f"{action}-version": str(version), **{f"{action}-{k}": v for k, v in data.items()}},
            reverse("followup:case_detail", args=[pk]),
        )

    return request


def _evidence(which: str):  # type: ignore[no-untyped-def]
    # "unknown": the own case's evidence asked for under the other case's number
    def request(w: World) -> Request:
        pk = _case(w, which).pk
        url = reverse("followup:evidence_download", args=[pk, _f(w).evidence.pk])
        return Request("get", url)

    return request


def _steps() -> int:
    return CaseStep.objects.count()


# fmt: off
CASES: dict[str, Case] = {
    #                                                                                                    anonymous platform lead       dept       other      parent     insp       other      auditor
    "followup:case_list":                Case(lambda w: Request("get", reverse("followup:case_list")),  (LOGIN,    OK,      OK,        OK,        OK,        OK,        OK,        OK,        OK)),
    "followup:case_detail own":          Case(_detail("own"),                                            (LOGIN,    OK,      OK,        OK,        NOT_FOUND, OK,        OK,        NOT_FOUND, OK)),
    # the receiving department reads the case it is asked to take over
    "followup:case_detail transferring": Case(_detail("transferring"),                                   (LOGIN,    OK,      OK,        OK,        OK,        OK,        OK,        NOT_FOUND, OK)),
    # the holder (and above it, and the platform admin) records a measure
    "followup:case_act own":             Case(_act("own", "measure", {"measure": Measure.ORDER_CORRECTION, "note": "再次责令改正"}),
                                                                                                         (LOGIN,    DONE,    REFUSED,   DONE,      NOT_FOUND, DONE,      REFUSED,   NOT_FOUND, REFUSED), _steps),
    # only the receiving department (or the platform admin) accepts a transfer
    "followup:case_act transferring":    Case(_act("transferring", "accept", {"note": "接收"}),          (LOGIN,    DONE,    REFUSED,   REFUSED,   DONE,      REFUSED,   REFUSED,   NOT_FOUND, REFUSED), _steps),
    # an action that does not exist
    "followup:case_act unknown":         Case(_act("own", "delete", {}),                                 (LOGIN,    NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND), _steps),
    "followup:evidence_download own":    Case(_evidence("own"),                                          (LOGIN,    OK,      OK,        OK,        NOT_FOUND, OK,        OK,        NOT_FOUND, OK)),
    # evidence of one case asked for under another case: 404 even for those who read both
    "followup:evidence_download unknown": Case(_evidence("transferring"),                                (LOGIN,    NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND)),
}
# fmt: on
