"""The integration API, version 1.  Same selectors, same scope, same services as the pages.

Reads go through the ``*_for_user`` selectors (a record outside the caller's scope is
404); writes go through the services (which check scope and write the audit trail).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet, prefetch_related_objects
from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, permissions, serializers
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from spotcheck.accounts.selectors import department_list_for_user, user_can_write_any
from spotcheck.api import serializers as s
from spotcheck.api.sync import entities_sync, inspectors_sync
from spotcheck.campaigns.selectors import (
    task_get_for_user,
    task_get_public,
    task_list_for_user,
    task_list_public,
)
from spotcheck.catalogue.selectors import result_code_list
from spotcheck.directory.selectors import (
    entity_get_for_user,
    entity_list_for_user,
    inspector_get_for_user,
    inspector_list_for_user,
)
from spotcheck.draws.choices import AttemptStatus
from spotcheck.draws.models import DrawnObject
from spotcheck.draws.selectors import public_draw_record
from spotcheck.inspections.images import photo_size_error
from spotcheck.inspections.models import JointRecord
from spotcheck.inspections.selectors.conflicts import conflict_answer
from spotcheck.inspections.selectors.records import (
    joint_record_get_for_user,
    joint_record_list_for_user,
)
from spotcheck.inspections.services.entries import ItemEntry, SaveOutcome, record_entries_save
from spotcheck.inspections.services.photos import record_photo_add
from spotcheck.inspections.services.signing import PartySignoff, record_sign
from spotcheck.workflow.records import record_review


class _Filters(serializers.Serializer[dict[str, Any]]):
    """Query parameters are validated like bodies: a bad value is a 400, not a 500."""

    def parse(self, request: Request) -> dict[str, Any]:
        self.initial_data = request.query_params
        self.is_valid(raise_exception=True)
        return {k: v for k, v in self.validated_data.items() if v not in (None, "")}


class _EntityFilters(_Filters):
    uscc = serializers.CharField(max_length=18, required=False)
    updated_since = serializers.DateTimeField(required=False)


class _TaskFilters(_Filters):
    state = serializers.CharField(max_length=20, required=False)


class _RecordFilters(_Filters):
    task = serializers.IntegerField(min_value=1, max_value=2**63 - 1, required=False)


def _id(value: Any) -> int:
    """A path id beyond the database's integer range is simply not found."""
    if int(value) > 2**63 - 1:
        raise Http404
    return int(value)


class DepartmentList(generics.ListAPIView):  # type: ignore[type-arg]
    """部门：调用者可见的部门（同步名录时用其编号）。"""

    serializer_class = s.DepartmentOut

    def get_queryset(self) -> QuerySet[Any]:
        return department_list_for_user(self.request.user).order_by("path", "id")


@extend_schema(parameters=[_EntityFilters])
class EntityList(generics.ListAPIView):  # type: ignore[type-arg]
    """检查对象名录：调用者范围内的检查对象。"""

    serializer_class = s.EntityOut

    def get_queryset(self) -> QuerySet[Any]:
        filters = _EntityFilters().parse(self.request)
        qs = entity_list_for_user(self.request.user).select_related("region")
        qs = qs.prefetch_related("supervising_departments", "tags").order_by("id")
        if "uscc" in filters:
            qs = qs.filter(uscc=filters["uscc"])
        if "updated_since" in filters:
            qs = qs.filter(updated_at__gte=filters["updated_since"])
        return qs


class EntityDetail(generics.RetrieveAPIView):  # type: ignore[type-arg]
    """一个检查对象；不在调用者范围内时 404。"""

    serializer_class = s.EntityOut

    def get_object(self) -> Any:
        return entity_get_for_user(self.request.user, _id(self.kwargs["pk"]))


class _SyncView(APIView):
    def check_writer(self, request: Request) -> None:
        if not user_can_write_any(request.user):
            raise PermissionDenied("您的角色不能修改名录库")


class EntitySync(_SyncView):
    """同步检查对象：按统一社会信用代码新增或更新，每行单独生效并返回结果。"""

    @extend_schema(request=s.EntitySyncIn, responses={200: s.SyncOut})
    def post(self, request: Request) -> Response:
        self.check_writer(request)
        body = s.EntitySyncIn(data=request.data)
        body.is_valid(raise_exception=True)
        return Response(entities_sync(actor=request.user, rows=body.validated_data["entities"]))


class InspectorList(generics.ListAPIView):  # type: ignore[type-arg]
    """执法检查人员名录：调用者范围内的人员。"""

    serializer_class = s.InspectorOut

    def get_queryset(self) -> QuerySet[Any]:
        qs = inspector_list_for_user(self.request.user)
        return qs.prefetch_related("specialities").order_by("id")


class InspectorDetail(generics.RetrieveAPIView):  # type: ignore[type-arg]
    """一名执法检查人员；不在调用者范围内时 404。"""

    serializer_class = s.InspectorOut

    def get_object(self) -> Any:
        return inspector_get_for_user(self.request.user, _id(self.kwargs["pk"]))


class InspectorSync(_SyncView):
    """同步执法检查人员：按执法证号新增或更新，每行单独生效并返回结果。"""

    @extend_schema(request=s.InspectorSyncIn, responses={200: s.SyncOut})
    def post(self, request: Request) -> Response:
        self.check_writer(request)
        body = s.InspectorSyncIn(data=request.data)
        body.is_valid(raise_exception=True)
        return Response(inspectors_sync(actor=request.user, rows=body.validated_data["inspectors"]))


@extend_schema(parameters=[_TaskFilters])
class TaskList(generics.ListAPIView):  # type: ignore[type-arg]
    """抽查任务：调用者可见的任务。"""

    serializer_class = s.TaskOut

    def get_queryset(self) -> QuerySet[Any]:
        filters = _TaskFilters().parse(self.request)
        qs = task_list_for_user(self.request.user, state=filters.get("state", ""))
        return qs.prefetch_related("participants__items").order_by("id")


class TaskDetail(generics.RetrieveAPIView):  # type: ignore[type-arg]
    """一个抽查任务；不在调用者范围内时 404。"""

    serializer_class = s.TaskOut

    def get_object(self) -> Any:
        return task_get_for_user(self.request.user, _id(self.kwargs["pk"]))


def _draws(task: Any) -> dict[str, Any]:
    objects = DrawnObject.objects.filter(attempt__task=task, attempt__status=AttemptStatus.DRAWN)
    return {
        "attempts": public_draw_record(task),
        "objects": list(objects.order_by("stratum", "id")),
    }


class TaskDraws(APIView):
    """任务的抽取记录（公告、种子、结果）和抽取名单。"""

    @extend_schema(responses={200: s.TaskDrawsOut})
    def get(self, request: Request, pk: int) -> Response:
        task = task_get_for_user(request.user, _id(pk))
        return Response(s.TaskDrawsOut(_draws(task)).data)


@extend_schema(parameters=[_RecordFilters])
class RecordList(generics.ListAPIView):  # type: ignore[type-arg]
    """检查记录（一企一表）：调用者可见的记录，只读。"""

    serializer_class = s.JointRecordOut

    def get_queryset(self) -> QuerySet[Any]:
        filters = _RecordFilters().parse(self.request)
        qs = joint_record_list_for_user(self.request.user, task_id=filters.get("task"))
        return qs.order_by("id")


class RecordDetail(generics.RetrieveAPIView):  # type: ignore[type-arg]
    """一张检查记录及各部门的检查事项结果、检查组成员；不在调用者范围内时 404。"""

    serializer_class = s.JointRecordDetailOut

    def get_object(self) -> Any:
        record = joint_record_get_for_user(self.request.user, _id(self.kwargs["pk"]))
        prefetch_related_objects([record], "items__item__result_codes")
        return record


class ResultCodeList(generics.ListAPIView):  # type: ignore[type-arg]
    """检查结果代码表及其规则（排他、须选下级、主体状态类），录入检查结果时用。"""

    serializer_class = s.ResultCodeOut
    pagination_class = None

    def get_queryset(self) -> QuerySet[Any]:
        return result_code_list()


# --------------------------------------------------------------------------- result entry
#
# The same services as the phone pages (spotcheck/inspections/services/): they check that
# the caller is a member of the record's group and writes only its department's items
# (谁检查、谁录入: 403 otherwise), apply the result-code rules and the freeze, and write the
# audit trail.  A record outside the caller's scope is 404 before anything is parsed.


def _record(request: Request, pk: int) -> JointRecord:
    return joint_record_get_for_user(request.user, _id(pk))


def _submission(outcome: SaveOutcome, submission_id: Any) -> dict[str, Any]:
    return {
        "submission_id": submission_id,
        "duplicate": outcome.duplicate,
        "record": outcome.record.pk,
        "state": outcome.record.state,
        "version": outcome.version,
    }


_REFUSALS = {
    400: OpenApiResponse(
        response=s.RefusalOut,
        description="数据不符合要求，或记录表的状态不允许（已签字冻结、已审核通过等）："
        "{字段: [说明]}，不属于某个字段的说明在 non_field_errors 中",
    ),
    403: OpenApiResponse(
        response=s.DetailOut, description="调用者不能办理此项（不是检查组成员、其他部门的事项等）"
    ),
    404: OpenApiResponse(response=s.DetailOut, description="记录表不存在或不在调用者范围内"),
}


class RecordEntriesSave(APIView):
    """录入检查结果（谁检查、谁录入）：只能录入调用者所在部门的检查事项。

    与手机现场录入相同：按 submission_id 幂等；签字确认后再提交即为更正，须填 correction_reason。
    每个事项须带上所基于的版本（version，取自记录详情）：该事项已被他人修改的，不覆盖，
    服务器保留当前内容，把本次内容作为冲突保存，返回 409 及双方内容；其余事项照常写入。
    """

    @extend_schema(
        request=s.EntriesIn,
        responses={
            200: s.EntriesOut,
            409: OpenApiResponse(
                response=s.ConflictAnswerOut,
                description="录入冲突：所基于的版本已被他人修改，本次内容未覆盖，作为冲突保存；"
                "conflicts 中为服务器上的当前内容（now）和本次提交的内容（incoming）。"
                "其他未冲突的事项已写入（见 items）",
            ),
            **_REFUSALS,
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        record = _record(request, pk)
        body = s.EntriesIn(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        outcome = record_entries_save(
            actor=request.user,
            record=record,
            submission_id=data["submission_id"],
            entries=[
                ItemEntry(
                    item_id=e["id"],
                    findings=e["findings"],
                    codes=tuple(e["codes"]),
                    notes=e["notes"],
                    base_version=e["version"],
                )
                for e in data["items"]
            ],
            started_at=data["started_at"],
            ended_at=data["ended_at"],
            latitude=data["latitude"],
            longitude=data["longitude"],
            correction_reason=data["correction_reason"],
        )
        answer = {**_submission(outcome, data["submission_id"]), "items": list(outcome.items)}
        if outcome.conflicts:
            answer.update(conflict_answer(outcome.record, outcome.conflicts))
            return Response(s.ConflictAnswerOut(answer).data, status=409)
        return Response(s.EntriesOut(answer).data)


class RecordPhotoAdd(APIView):
    """上传检查事项的证据照片（multipart）：按内容检查，重新编码为 JPEG；按 client_id 幂等。"""

    parser_classes = [MultiPartParser]

    @extend_schema(
        request={"multipart/form-data": s.PhotoIn}, responses={200: s.PhotoOut, **_REFUSALS}
    )
    def post(self, request: Request, pk: int) -> Response:
        record = _record(request, pk)
        upload = request.FILES.get("photo")
        # refuse an oversized file before reading it
        if upload is not None and (too_big := photo_size_error(upload.size or 0)):
            raise ValidationError({"photo": [too_big]})
        body = s.PhotoIn(data=request.data)
        body.is_valid(raise_exception=True)
        item = record.items.filter(pk=body.validated_data["item"]).first()
        if item is None:
            raise ValidationError({"item": ["照片所属的检查事项不在本记录表中"]})
        photo, created = record_photo_add(
            actor=request.user,
            record=record,
            item=item,
            data=body.validated_data["photo"].read(),
            client_id=body.validated_data["client_id"],
        )
        answer = {
            "id": photo.pk,
            "client_id": photo.client_id,
            "item": photo.item_id,
            "width": photo.width,
            "height": photo.height,
            "size": photo.size,
            "sha256": photo.sha256,
            "duplicate": not created,
        }
        return Response(s.PhotoOut(answer).data)


class RecordSign(APIView):
    """签字确认并提交审核：检查对象签名（或拒签情况与见证人）和检查组每名成员的签名。

    签名为签字板导出的 PNG（data:image/png;base64,…）；签字后记录表冻结。按 submission_id 幂等。
    """

    @extend_schema(request=s.SignIn, responses={200: s.SubmissionOut, **_REFUSALS})
    def post(self, request: Request, pk: int) -> Response:
        record = _record(request, pk)
        body = s.SignIn(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        party = data["party"]
        outcome = record_sign(
            actor=request.user,
            record=record,
            submission_id=data["submission_id"],
            party=PartySignoff(
                name=party["name"],
                role=party["role"],
                signature=party["signature"],
                refused=party["refused"],
                refusal_reason=party["refusal_reason"],
                witness_name=party["witness_name"],
                witness_id=party["witness_id"],
                witness_signature=party["witness_signature"],
            ),
            member_signatures={m["member"]: m["signature"] for m in data["members"]},
        )
        return Response(s.SubmissionOut(_submission(outcome, data["submission_id"])).data)


class RecordReview(APIView):
    """部门审核（通过或退回）调用者范围内各部门的检查事项；每轮一次，退回须写审核意见。"""

    @extend_schema(request=s.ReviewIn, responses={200: s.ReviewOut, **_REFUSALS})
    def post(self, request: Request, pk: int) -> Response:
        record = _record(request, pk)
        body = s.ReviewIn(data=request.data)
        body.is_valid(raise_exception=True)
        rows = record_review(
            actor=request.user,
            record=record,
            decision=body.validated_data["decision"],
            comment=body.validated_data["comment"],
            resign_required=body.validated_data["resign_required"],
        )
        record.refresh_from_db(fields=["state", "review_round"])
        answer = {
            "record": record.pk,
            "decision": body.validated_data["decision"],
            "departments": [r.department_id for r in rows],
            "review_round": record.review_round,
            "state": record.state,
        }
        return Response(s.ReviewOut(answer).data)


class PublicTaskList(generics.ListAPIView):  # type: ignore[type-arg]
    """公示的抽查任务（已离开草稿的任务），无需令牌。"""

    serializer_class = s.TaskOut
    permission_classes = [permissions.AllowAny]
    authentication_classes: list[Any] = []

    def get_queryset(self) -> QuerySet[Any]:
        return task_list_public().order_by("id")


class PublicTaskDraws(APIView):
    """公示任务的抽取记录，无需令牌。"""

    permission_classes = [permissions.AllowAny]
    authentication_classes: list[Any] = []

    @extend_schema(responses={200: s.TaskDrawsOut})
    def get(self, request: Request, pk: int) -> Response:
        task = task_get_public(_id(pk))
        draws = _draws(task)
        if not task.publish_object_list:
            draws["objects"] = []
        return Response(s.TaskDrawsOut(draws).data)
