"""The inspector's area on the phone (现场检查), and the final record its reviewers read.

Pages are server-rendered; the on-site record page keeps its draft on the phone
(static/js/field-record.js) and sends it as JSON to ``record_sync`` / ``record_sign``,
each submission carrying a client-generated id so that a repeat is harmless. The review
itself (审核) is a workflow step: its view is ``spotcheck.workflow.record_views``.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    JsonResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from spotcheck.access.gates import access_records_for_inspecting
from spotcheck.accounts.models import User
from spotcheck.common.confirm import Confirmation, confirm_first
from spotcheck.common.pdf import pdf_response, render_pdf
from spotcheck.inspections.choices import RecordState, SignerRole
from spotcheck.inspections.forms import (
    NoticeDeliveryForm,
    PhotoForm,
    ReviewForm,
    ScheduleForm,
    parse_party,
    parse_sign,
    parse_sync,
)
from spotcheck.inspections.images import photo_max_bytes, photo_size_error
from spotcheck.inspections.models import (
    EntryConflict,
    GroupMember,
    JointRecord,
    RecordItem,
    RecordPhoto,
    RecordVersion,
)
from spotcheck.inspections.selectors.conflicts import (
    conflict_answer,
    conflicts_of,
    open_conflict_record_ids,
)
from spotcheck.inspections.selectors.field import (
    TaskLists,
    field_records_for_inspector,
    result_rules,
    result_rules_data,
)
from spotcheck.inspections.selectors.notice import notice_context, record_materials
from spotcheck.inspections.selectors.records import (
    group_members,
    joint_record_get_for_user,
    membership,
    own_items,
)
from spotcheck.inspections.selectors.review import (
    current_returns,
    current_reviews,
    lead_can_confirm,
    lead_confirm_queue,
    resignature_outstanding,
    resignature_requests,
    review_departments,
    review_queue_for_user,
    review_status,
    review_status_by_record,
    reviews_of,
)
from spotcheck.inspections.selectors.snapshot import record_snapshot
from spotcheck.inspections.services.entries import entry_conflict_settle, record_entries_save
from spotcheck.inspections.services.notice import notice_delivery_record, record_schedule
from spotcheck.inspections.services.photos import record_photo_add, record_photo_delete
from spotcheck.inspections.services.review import record_lead_confirm
from spotcheck.inspections.services.signing import record_party_resign, record_sign

STATIC_JS = Path(settings.BASE_DIR) / "static" / "js"


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _messages_of(exc: Exception) -> list[str]:
    if isinstance(exc, ValidationError):
        return exc.messages
    return [str(exc.args[0]) if exc.args else "操作失败"]


def _flash(request: HttpRequest, exc: Exception) -> None:
    messages.error(request, "；".join(_messages_of(exc)))


def _json_error(exc: Exception, status: int) -> JsonResponse:
    return JsonResponse({"ok": False, "errors": _messages_of(exc)}, status=status)


def _map_url(address: str) -> str:
    return f"https://uri.amap.com/search?keyword={quote(address)}&src=spotcheck&callnative=1"


# --------------------------------------------------------------------------- inspector area


def offline_pages(lists: TaskLists) -> tuple[list[str], int]:
    """The pages an inspector needs without a network, and the number of records they cover.

    The open work: records returned for correction, overdue, due today and this week, each
    with its overview and its fill page, and the 现场检查 page itself (the home screen
    app starts there). Submitted records, and those without a date or due after this
    week, are left out.
    """
    records = [*lists.returned, *lists.overdue, *lists.today, *lists.week]
    paths = [reverse("inspections:field_home")]
    for record in records:
        paths.append(reverse("inspections:field_record", args=[record.pk]))
        paths.append(reverse("inspections:field_fill", args=[record.pk]))
    return paths, len(records)


@login_required
def field_home(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    lists = field_records_for_inspector(user)
    paths, count = offline_pages(lists) if access_records_for_inspecting(user) else ([], 0)
    review_queue = review_queue_for_user(user)
    statuses = review_status_by_record(review_queue)  # a page's statuses in two queries
    return render(
        request,
        "inspections/field/home.html",
        {
            "lists": lists,
            "review_queue": [(r, statuses.get(r.pk, [])) for r in review_queue],
            "conflicted": open_conflict_record_ids(review_queue),
            "confirm_queue": lead_confirm_queue(user),
            "today": timezone.localdate(),
            "offline_pages": paths,
            "offline_count": count,
        },
    )


@login_required
def record_overview(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    record = joint_record_get_for_user(user, pk)
    member = membership(user, record)
    entity = record.entity
    address = entity.business_address or entity.address
    context = notice_context(record)
    context.update(
        {
            "member": member,
            "entity": entity,
            "address": address,
            "map_url": _map_url(address),
            "schedule_form": ScheduleForm(
                initial={
                    "planned_on": record.planned_on,
                    "materials": "\n".join(record_materials(record)),
                }
            ),
            "notice_form": NoticeDeliveryForm(
                initial={"delivered_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")}
            ),
            "notices": record.notices.all(),
            "my_department_id": member.department_id if member else None,
            "conflicts": conflicts_of(record),
            **_review_context(record),
        }
    )
    return render(request, "inspections/field/record.html", context)


def _review_context(record: JointRecord) -> dict[str, Any]:
    """Each department's review, the current returns and the signature they still wait for."""
    return {
        "review_status": review_status(record) if record.review_round else [],
        "returns": current_returns(record),
        "resign_outstanding": resignature_outstanding(record),
    }


@login_required
@require_POST
def record_schedule_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    record = joint_record_get_for_user(user, pk)
    form = ScheduleForm(request.POST)
    if form.is_valid():
        try:
            record_schedule(
                actor=user,
                record=record,
                planned_on=form.cleaned_data["planned_on"],
                materials=form.cleaned_data["materials"],
            )
            messages.success(request, "检查安排已保存")
        except (ValidationError, PermissionDenied) as exc:
            _flash(request, exc)
    else:
        messages.error(request, "检查日期格式不正确")
    return redirect("inspections:field_record", pk=record.pk)


@login_required
@require_POST
def notice_delivery_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    record = joint_record_get_for_user(user, pk)
    form = NoticeDeliveryForm(request.POST)
    if form.is_valid():
        try:
            notice_delivery_record(actor=user, record=record, **form.cleaned_data)
            messages.success(request, "已登记检查通知的送达方式和时间")
        except (ValidationError, PermissionDenied) as exc:
            _flash(request, exc)
    else:
        messages.error(
            request, "；".join(str(e) for errors in form.errors.values() for e in errors)
        )
    return redirect("inspections:field_record", pk=record.pk)


@login_required
def notice_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    record = joint_record_get_for_user(_user(request), pk)
    pdf = render_pdf("inspections/field/notice_pdf.html", notice_context(record), request=request)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="notice-{record.pk}.pdf"'
    return response


# --------------------------------------------------------------------------- on-site record


@login_required
def record_fill(request: HttpRequest, pk: int) -> HttpResponse:
    """The on-site record: the member's own items to fill, kept on the phone (现场录入)."""
    user = _user(request)
    record = joint_record_get_for_user(user, pk)
    member = membership(user, record)
    if member is None:
        raise Http404
    rows = _fill_rows(list(own_items(user, record)))
    members = group_members(record)
    conflicts = conflicts_of(record)
    for r in rows:
        r["conflicts"] = [c for c in conflicts if c["item"] == r["row"].pk and c["open"]]
    return render(
        request,
        "inspections/field/fill.html",
        {
            "record": record,
            "member": member,
            "rows": rows,
            "members": members,
            "others": record.items.exclude(department_id=member.department_id).select_related(
                "item", "department"
            ),
            "field_state": _field_state(record, user, rows, members, conflicts),
            "signer_roles": SignerRole.choices,
            "reviews": reviews_of(record),
            "conflicts": conflicts,
            "open_conflicts": [c for c in conflicts if c["open"]],
            "resign_outstanding": resignature_outstanding(record),
        },
    )


def _fill_rows(items: list[RecordItem]) -> list[dict[str, Any]]:
    """Each item to fill with its result options (indented by depth), choices and photos."""
    rules = result_rules()
    rows = []
    for item in items:
        options = sorted(item.item.result_codes.all(), key=lambda c: (c.sort, c.code))
        option_codes = {c.code for c in options}
        rows.append(
            {
                "row": item,
                "options": [
                    {
                        "code": c,
                        "depth": len([a for a in rules.ancestors(c.code) if a in option_codes]),
                    }
                    for c in options
                ],
                "chosen": [c.code for c in item.result_codes.all()],
                "photos": list(item.photos.all()),
            }
        )
    return rows


def _field_state(
    record: JointRecord,
    user: User,
    rows: list[dict[str, Any]],
    members: list[GroupMember],
    conflicts: list[dict[str, Any]],
) -> dict[str, Any]:
    """What the page's script keeps on the phone: the items, the addresses it sends to, the
    rules it checks with."""
    open_items = {c["item"] for c in conflicts if c["open"]}
    return {
        "record": record.pk,
        "user": user.pk,
        "frozen": record.is_frozen,
        "state": record.state,
        "version": record.version,
        "updated": record.updated_at.isoformat(),
        "sync_url": reverse("inspections:field_sync", args=[record.pk]),
        "sign_url": reverse("inspections:field_sign", args=[record.pk]),
        "photo_url": reverse("inspections:field_photo_upload", args=[record.pk]),
        "done_url": reverse("inspections:field_final", args=[record.pk]),
        "photo_max": photo_max_bytes(),
        "time_zone": settings.TIME_ZONE,
        "items": [
            {
                "id": r["row"].pk,
                "version": r["row"].version,
                "conflicted": r["row"].pk in open_items,
                "findings": r["row"].findings,
                "notes": r["row"].notes,
                "codes": r["chosen"],
                "options": [o["code"].code for o in r["options"]],
            }
            for r in rows
        ],
        "started_at": timezone.localtime(record.started_at).isoformat()
        if record.started_at
        else "",
        "ended_at": timezone.localtime(record.ended_at).isoformat() if record.ended_at else "",
        "members": [m.pk for m in members],
        "rules": result_rules_data(),
    }


def _json_body(request: HttpRequest) -> Any:
    try:
        return json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValidationError("提交的数据格式不正确") from exc


def _phone_submission(
    request: HttpRequest, pk: int, submit: Callable[[User, JointRecord, Any], dict[str, Any]]
) -> JsonResponse:
    """Run one idempotent submission from the phone and answer it as JSON.

    ``submit`` calls the service with the parsed body and returns the answer's fields.
    """
    user = _user(request)
    record = joint_record_get_for_user(user, pk)
    try:
        fields = submit(user, record, _json_body(request))
    except ValidationError as exc:
        return _json_error(exc, 400)
    except PermissionDenied as exc:
        return _json_error(exc, 403)
    return JsonResponse({"ok": True, **fields})


def _answer(outcome: Any, **extra: Any) -> dict[str, Any]:
    return {
        "duplicate": outcome.duplicate,
        "state": outcome.record.state,
        "state_label": str(outcome.record.get_state_display()),
        **extra,
    }


@login_required
@require_POST
def record_sync(request: HttpRequest, pk: int) -> JsonResponse:
    user = _user(request)
    record = joint_record_get_for_user(user, pk)
    try:
        outcome = record_entries_save(actor=user, record=record, **parse_sync(_json_body(request)))
    except ValidationError as exc:
        return _json_error(exc, 400)
    except PermissionDenied as exc:
        return _json_error(exc, 403)
    answer = _answer(
        outcome,
        version=outcome.version,
        saved_at=timezone.localtime().strftime("%H:%M:%S"),
        items=list(outcome.items),
    )
    if outcome.conflicts:
        answer.update(conflict_answer(outcome.record, outcome.conflicts))
        return JsonResponse({"ok": False, **answer}, status=409)
    return JsonResponse({"ok": True, **answer})


@login_required
@require_POST
def conflict_settle_view(request: HttpRequest, pk: int, conflict_pk: int) -> HttpResponse:
    user = _user(request)
    record = joint_record_get_for_user(user, pk)
    conflict = get_object_or_404(EntryConflict, record=record, pk=conflict_pk)
    choice = request.POST.get("choice", "")
    member = membership(user, record)
    may_settle = (
        conflict.is_open
        and member is not None
        and member.department_id == conflict.item.department_id
    )
    if may_settle and choice in ("draft", "merge"):
        # replacing the current entry asks first (the page's script asks in the browser)
        asked = confirm_first(
            request,
            Confirmation(
                title="确认替换服务器上的内容",
                consequences=[
                    f"“{conflict.item.item.name}”的检查情况和结果选项将替换为"
                    + ("冲突的内容" if choice == "draft" else "合并后的内容"),
                    "被替换的内容仍留在冲突记录中，两位检查人员都能看到",
                ],
                button="确认替换",
                back_url=reverse("inspections:field_fill", args=[record.pk]),
            ),
        )
        if asked is not None:
            return asked
    codes = tuple(c for c in request.POST.getlist("codes") if c)
    try:
        entry_conflict_settle(
            actor=user,
            conflict=conflict,
            choice=choice,
            findings=request.POST.get("findings", "")[:5000],
            codes=codes,
            notes=request.POST.get("notes", "")[:1000],
            correction_reason=request.POST.get("correction_reason", "")[:1000],
        )
        messages.success(request, f"已处理“{conflict.item.item.name}”的录入冲突")
    except (ValidationError, PermissionDenied) as exc:
        _flash(request, exc)
    return redirect("inspections:field_fill", pk=record.pk)


@login_required
@require_POST
def record_sign_view(request: HttpRequest, pk: int) -> JsonResponse:
    def submit(user: User, record: JointRecord, body: Any) -> dict[str, Any]:
        outcome = record_sign(actor=user, record=record, **parse_sign(body))
        return _answer(outcome, next=reverse("inspections:field_final", args=[record.pk]))

    return _phone_submission(request, pk, submit)


@login_required
@require_POST
def photo_upload(request: HttpRequest, pk: int) -> JsonResponse:
    user = _user(request)
    record = joint_record_get_for_user(user, pk)
    upload = request.FILES.get("photo")
    # refuse an oversized file before reading it
    if upload is not None and (too_big := photo_size_error(upload.size or 0)):
        return _json_error(ValidationError(too_big), 400)
    form = PhotoForm(request.POST, request.FILES)
    if not form.is_valid():
        return JsonResponse(
            {"ok": False, "errors": [str(e) for errs in form.errors.values() for e in errs]},
            status=400,
        )
    item = record.items.filter(pk=form.cleaned_data["item"]).first()
    if item is None:
        return _json_error(ValidationError("照片所属的检查事项不在本记录表中"), 400)
    try:
        photo, created = record_photo_add(
            actor=user,
            record=record,
            item=item,
            data=form.cleaned_data["photo"].read(),
            client_id=form.cleaned_data["client_id"],
        )
    except ValidationError as exc:
        return _json_error(exc, 400)
    except PermissionDenied as exc:
        return _json_error(exc, 403)
    return JsonResponse(
        {
            "ok": True,
            "duplicate": not created,
            "id": photo.pk,
            "url": reverse("inspections:field_photo", args=[photo.pk]),
            "delete_url": reverse("inspections:field_photo_delete", args=[photo.pk]),
        }
    )


@login_required
@require_GET
def photo_view(request: HttpRequest, photo_pk: int) -> FileResponse:
    photo = get_object_or_404(RecordPhoto.objects.select_related("record"), pk=photo_pk)
    joint_record_get_for_user(_user(request), photo.record_id)  # 404 outside the user's scope
    response = FileResponse(photo.image.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    response["Content-Disposition"] = f'inline; filename="photo-{photo.pk}.jpg"'
    return response


@login_required
@require_POST
def photo_delete(request: HttpRequest, photo_pk: int) -> JsonResponse:
    user = _user(request)
    photo = get_object_or_404(RecordPhoto.objects.select_related("record", "item"), pk=photo_pk)
    joint_record_get_for_user(user, photo.record_id)  # 404 outside the user's scope
    try:
        record_photo_delete(actor=user, photo=photo)
    except ValidationError as exc:
        return _json_error(exc, 400)
    except PermissionDenied as exc:
        return _json_error(exc, 403)
    return JsonResponse({"ok": True})


@login_required
@require_GET
def signature_view(request: HttpRequest, pk: int, kind: str, ref: int = 0) -> FileResponse:
    record = joint_record_get_for_user(_user(request), pk)
    if kind == "party" and record.party_signature:
        file = record.party_signature
    elif kind == "witness" and record.witness_signature:
        file = record.witness_signature
    elif kind == "member":
        sig = get_object_or_404(record.signatures, pk=ref)
        file = sig.image
    else:
        raise Http404
    response = FileResponse(file.open("rb"), content_type="image/png")
    response["Cache-Control"] = "private, max-age=3600"
    return response


# --------------------------------------------------------------------------- final record


def _data_uri(name: str, content_type: str) -> str:
    with default_storage.open(name, "rb") as fh:
        return f"data:{content_type};base64,{base64.b64encode(fh.read()).decode('ascii')}"


def _final_context(
    request: HttpRequest, record: JointRecord, snapshot: dict[str, Any], *, embed: bool
) -> dict[str, Any]:
    """Attach image sources to the snapshot: URLs on the web page, data URIs in the PDF."""
    photos = {
        p.pk: p
        for p in RecordPhoto.objects.filter(
            pk__in=[pid for i in snapshot["items"] for pid in i["photos"]]
        )
    }
    for item in snapshot["items"]:
        item["photo_srcs"] = [
            _data_uri(photos[pid].image.name, "image/jpeg")
            if embed
            else reverse("inspections:field_photo", args=[pid])
            for pid in item["photos"]
            if pid in photos
        ]
    party = snapshot["party"]
    signatures = {s.image.name: s for s in record.signatures.all()}
    for key, kind in (("signature", "party"), ("witness_signature", "witness")):
        name = party.get(key)
        if name:
            party[f"{key}_src"] = (
                _data_uri(name, "image/png")
                if embed
                else reverse("inspections:field_signature", args=[record.pk, kind])
            )
    for sig in snapshot["signatures"]:
        stored = signatures.get(sig["image"])
        if stored is not None:
            sig["src"] = (
                _data_uri(stored.image.name, "image/png")
                if embed
                else reverse(
                    "inspections:field_signature_member", args=[record.pk, "member", stored.pk]
                )
            )
    return {"record": record, "s": snapshot}


def _snapshot_for(request: HttpRequest, record: JointRecord) -> tuple[dict[str, Any], Any]:
    number = request.GET.get("v")
    if number:
        version = get_object_or_404(RecordVersion, record=record, number=number)
        return dict(version.snapshot), version
    return record_snapshot(record), None


@login_required
def record_final(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    record = joint_record_get_for_user(user, pk)
    snapshot, version = _snapshot_for(request, record)
    context = _final_context(request, record, snapshot, embed=False)
    departments = review_departments(user, record)
    done = current_reviews(record)
    context.update(
        {
            "version": version,
            "versions": record.versions.select_related("created_by"),
            "reviews": reviews_of(record),
            "can_review": record.state == RecordState.SUBMITTED
            and any(d not in done for d in departments),
            "review_form": ReviewForm(),
            "can_confirm": lead_can_confirm(user, record),
            "member": membership(user, record),
            "conflicts": conflicts_of(record),
            **_review_context(record),
        }
    )
    return render(request, "inspections/field/final.html", context)


@login_required
def record_final_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    record = joint_record_get_for_user(_user(request), pk)
    snapshot, _version = _snapshot_for(request, record)
    pdf = render_pdf(
        "inspections/field/final_pdf.html",
        _final_context(request, record, snapshot, embed=True),
        request=request,
    )
    return pdf_response(pdf, filename=f"联合检查记录表-{record.number}.pdf")


# --------------------------------------------------------------------------- re-signature


@login_required
def record_resign_view(request: HttpRequest, pk: int) -> HttpResponse:
    """检查对象重新签字: the page (GET) and its submission from the phone (POST, JSON)."""
    if request.method == "POST":

        def submit(user: User, record: JointRecord, body: Any) -> dict[str, Any]:
            if not isinstance(body, dict):
                raise ValidationError("提交的数据格式不正确")
            record_party_resign(actor=user, record=record, party=parse_party(body.get("party")))
            return {"next": reverse("inspections:field_fill", args=[record.pk])}

        return _phone_submission(request, pk, submit)
    user = _user(request)
    record = joint_record_get_for_user(user, pk)
    member = membership(user, record)
    if member is None:
        raise Http404
    return render(
        request,
        "inspections/field/resign.html",
        {
            "record": record,
            "member": member,
            "requests": resignature_requests(record),
            "outstanding": resignature_outstanding(record),
            "signer_roles": SignerRole.choices,
        },
    )


@login_required
@require_POST
def lead_confirm_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    record = joint_record_get_for_user(user, pk)
    try:
        record_lead_confirm(actor=user, record=record)
        messages.success(request, "牵头部门已确认联合检查记录表")
    except (ValidationError, PermissionDenied) as exc:
        _flash(request, exc)
    return redirect("inspections:field_final", pk=record.pk)


# --------------------------------------------------------------------------- offline


@never_cache
@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker, served under /field/ so that its scope covers the field pages."""
    try:
        body = (STATIC_JS / "field-sw.js").read_text(encoding="utf-8")
    except OSError:
        return HttpResponseBadRequest()
    response = HttpResponse(body, content_type="application/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/field/"
    return response


# the field work's icons on the home screen: (file under static/, size, purpose)
APP_ICONS = (
    ("icons/field-48.png", 48, "any"),
    ("icons/field-72.png", 72, "any"),
    ("icons/field-96.png", 96, "any"),
    ("icons/field-144.png", 144, "any"),
    ("icons/field-192.png", 192, "any"),
    ("icons/field-512.png", 512, "any"),
    ("icons/field-maskable-512.png", 512, "maskable"),
)
APP_THEME_COLOUR = "#0a58ca"


@require_GET
def web_app_manifest(request: HttpRequest) -> HttpResponse:
    """The web app manifest: 现场检查 on the phone's home screen, opened full screen.

    Public like the service worker: the browser fetches it without the session cookie.
    """
    home = reverse("inspections:field_home")
    manifest = {
        "id": home,
        "name": "现场检查 · 双随机、一公开监管平台",
        "short_name": "现场检查",
        "description": "执法检查人员在手机上查看检查安排、填写一企一表，没有网络时也能录入。",
        "lang": "zh-CN",
        "dir": "ltr",
        "start_url": home,
        "scope": home,
        "display": "standalone",
        "orientation": "portrait",
        "theme_color": APP_THEME_COLOUR,
        "background_color": "#ffffff",
        "icons": [
            {
                "src": static(path),
                "sizes": f"{size}x{size}",
                "type": "image/png",
                "purpose": purpose,
            }
            for path, size, purpose in APP_ICONS
        ],
    }
    body = json.dumps(manifest, ensure_ascii=False, indent=2)
    return HttpResponse(body, content_type="application/manifest+json; charset=utf-8")
