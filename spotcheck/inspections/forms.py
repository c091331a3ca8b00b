"""Forms of the field work, and the parsing of what the phone sends as JSON."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from spotcheck.common.forms import BootstrapFormMixin, DateInput, DateTimeLocalInput
from spotcheck.inspections.choices import NoticeMethod, ReviewDecision
from spotcheck.inspections.services.entries import ItemEntry
from spotcheck.inspections.services.signing import PartySignoff


class ScheduleForm(BootstrapFormMixin, forms.Form):
    planned_on = forms.DateField(label="检查日期", required=False, widget=DateInput())
    materials = forms.CharField(
        label="需准备的材料（一次告知）",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="每行一项；会写进检查通知书和通知短信",
    )


class NoticeDeliveryForm(BootstrapFormMixin, forms.Form):
    method = forms.ChoiceField(
        label="告知方式", choices=NoticeMethod.choices, widget=forms.RadioSelect
    )
    delivered_at = forms.DateTimeField(
        label="告知时间",
        widget=DateTimeLocalInput(),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    note = forms.CharField(label="说明", required=False, max_length=255)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["method"].widget.attrs["class"] = "btn-check"


class ReviewForm(BootstrapFormMixin, forms.Form):
    decision = forms.ChoiceField(
        label="审核结论", choices=ReviewDecision.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label="审核意见",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="退回时必填：告诉检查人员需要修改什么",
    )
    resign_required = forms.BooleanField(
        label="要求检查对象重新签字",
        required=False,
        help_text="退回时可选：检查对象重新签字（或记录拒签）后，检查人员才能提交更正、重新送审",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["decision"].widget.attrs["class"] = "btn-check"


class PhotoForm(forms.Form):
    item = forms.IntegerField()
    client_id = forms.UUIDField()
    photo = forms.FileField(allow_empty_file=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["photo"].error_messages["required"] = "请选择照片"
        self.fields["photo"].error_messages["empty"] = "照片文件是空的"
        self.fields["client_id"].error_messages["invalid"] = "照片编号无效"


def _uuid(value: Any, label: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except (ValueError, TypeError, AttributeError) as exc:
        raise ValidationError(f"{label}无效，请刷新页面后重试") from exc


def _when(value: Any, label: str) -> dt.datetime | None:
    if value in (None, ""):
        return None
    parsed = parse_datetime(str(value))
    if parsed is None:
        raise ValidationError(f"{label}格式不正确")
    if timezone.is_naive(parsed):
        # a time typed or picked on the phone is a Beijing wall-clock time
        parsed = timezone.make_aware(parsed, timezone.get_default_timezone())
    return timezone.localtime(parsed, timezone.get_default_timezone())


def _coord(value: Any, low: int, high: int) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value)).quantize(Decimal("0.000001"))
    except InvalidOperation as exc:
        raise ValidationError("位置数据不正确") from exc
    if not low <= number <= high:
        raise ValidationError("位置数据不正确")
    return number


def _text(value: Any, limit: int = 5000) -> str:
    text = "" if value is None else str(value)
    if len(text) > limit:
        raise ValidationError(f"文字过长（不超过 {limit} 字）")
    return text


def parse_sync(payload: Any) -> dict[str, Any]:
    """Turn the phone's JSON into the arguments of ``record_entries_save``."""
    if not isinstance(payload, dict):
        raise ValidationError("提交的数据格式不正确")
    raw_items = payload.get("items") or []
    if not isinstance(raw_items, list):
        raise ValidationError("提交的数据格式不正确")
    entries = []
    for raw in raw_items:
        if not isinstance(raw, dict):
            raise ValidationError("提交的数据格式不正确")
        codes = raw.get("codes") or []
        if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
            raise ValidationError("检查结果格式不正确")
        try:
            item_id = int(raw.get("id"))
        except (TypeError, ValueError) as exc:
            raise ValidationError("提交的检查事项无效") from exc
        base = raw.get("version")
        if base is not None and (isinstance(base, bool) or not isinstance(base, int) or base < 0):
            raise ValidationError("检查事项的版本号无效，请刷新页面")
        entries.append(
            ItemEntry(
                item_id=item_id,
                findings=_text(raw.get("findings")),
                codes=tuple(codes),
                notes=_text(raw.get("notes"), 1000),
                base_version=base,
            )
        )
    return {
        "submission_id": _uuid(payload.get("submission_id"), "提交编号"),
        "entries": entries,
        "started_at": _when(payload.get("started_at"), "检查开始时间"),
        "ended_at": _when(payload.get("ended_at"), "检查结束时间"),
        "latitude": _coord(payload.get("latitude"), -90, 90),
        "longitude": _coord(payload.get("longitude"), -180, 180),
        "correction_reason": _text(payload.get("correction_reason"), 1000),
    }


def parse_party(party: Any) -> PartySignoff:
    """The enterprise's side of what the phone sends: a signature, or a refusal."""
    if not isinstance(party, dict):
        raise ValidationError("提交的数据格式不正确")
    return PartySignoff(
        name=_text(party.get("name"), 50),
        role=_text(party.get("role"), 20),
        signature=_text(party.get("signature"), 2_000_000),
        refused=bool(party.get("refused")),
        refusal_reason=_text(party.get("refusal_reason"), 1000),
        witness_name=_text(party.get("witness_name"), 50),
        witness_id=_text(party.get("witness_id"), 40),
        witness_signature=_text(party.get("witness_signature"), 2_000_000),
    )


def parse_sign(payload: Any) -> dict[str, Any]:
    """Turn the phone's JSON into the arguments of ``record_sign``."""
    if not isinstance(payload, dict):
        raise ValidationError("提交的数据格式不正确")
    party = payload.get("party") or {}
    members = payload.get("members") or {}
    if not isinstance(party, dict) or not isinstance(members, dict):
        raise ValidationError("提交的数据格式不正确")
    try:
        member_signatures = {int(k): str(v) for k, v in members.items()}
    except (TypeError, ValueError) as exc:
        raise ValidationError("检查人员签名数据不正确") from exc
    return {
        "submission_id": _uuid(payload.get("submission_id"), "提交编号"),
        "party": PartySignoff(
            name=_text(party.get("name"), 50),
            role=_text(party.get("role"), 20),
            signature=_text(party.get("signature"), 2_000_000),
            refused=bool(party.get("refused")),
            refusal_reason=_text(party.get("refusal_reason"), 1000),
            witness_name=_text(party.get("witness_name"), 50),
            witness_id=_text(party.get("witness_id"), 40),
            witness_signature=_text(party.get("witness_signature"), 2_000_000),
        ),
        "member_signatures": member_signatures,
    }
