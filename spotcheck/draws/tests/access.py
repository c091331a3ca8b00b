# ruff: noqa: E501  -- one row per URL, one column per persona
"""The draw page, its steps and the drawn objects (rows of the access matrix, docs/access.md).

The task is the campaigns world's published joint task, before any draw: whoever may see
the task sees the draw page; only the lead office (and the platform admin) prepares,
announces, draws or abandons.  Steps out of order are refused with a message on the page
they came from (DONE: a redirect back); a refused outsider gets 404 and nothing is written.

A second published task has an abandoned attempt and a redraw request naming the auditor:
whoever sees the task may post a decision, and only the named approver's counts (the
others are told so on the page, tests/test_redraw.py); the lead office may withdraw it.
"""

from __future__ import annotations

from types import SimpleNamespace

from django.urls import reverse

from spotcheck.campaigns.choices import TaskState
from spotcheck.campaigns.models import Task
from spotcheck.campaigns.tests.factories import make_task
from spotcheck.draws.ceremony import draw_abandon, draw_prepare
from spotcheck.draws.choices import AttemptStatus
from spotcheck.draws.models import DepartmentClaim, DrawAttempt
from spotcheck.testing.access_matrix import DONE, LOGIN, NOT_FOUND, OK, Case, Request, World


def _published(w: World, number: str) -> Task:
    items = w.app["campaigns"]
    return make_task(
        w.departments,
        w.regions,
        w.users["lead_admin"],
        [
            (w.departments.lead_office, [items.lead_item]),
            (w.departments.market, [items.market_item]),
            (w.departments.police, [items.police_item]),
        ],
        number=number,
        state=TaskState.PUBLISHED,
    )


def build(w: World) -> SimpleNamespace:
    """A published task whose draw is prepared (the lead office and the market admin commit),
    and one whose first attempt was abandoned and whose redraw waits for the auditor."""
    lead, officials = w.users["lead_admin"], [w.users["lead_admin"], w.users["dept_admin"]]
    task = _published(w, "晋州市政府办抽查〔2026〕11号")
    draw_prepare(actor=lead, task=task, officials=officials)
    redraw = _published(w, "晋州市政府办抽查〔2026〕19号")
    first = draw_prepare(actor=lead, task=redraw, officials=officials)
    draw_abandon(actor=lead, attempt=first, reason="一名官员无法到场")
    draw_prepare(
        actor=lead,
        task=redraw,
        officials=officials,
        redraw_reason="第一次抽取已放弃",
        approved_by=w.users["auditor"],
    )
    return SimpleNamespace(task=task, redraw=redraw)


def _pk(w: World) -> int:
    return w.app["campaigns"].task.pk


def _post(name: str, back: str, data: dict[str, object] | None = None):  # type: ignore[no-untyped-def]
    return lambda w: Request(
        "post", reverse(name, args=[_pk(w)]), data or {}, reverse(back, args=[_pk(w)])
    )


def _prepare(w: World) -> Request:
    """Open an attempt with two officials of different departments (a refused form is
    sent back with its errors, so the organisers' request has to be a valid one)."""
    officials = [str(w.users["lead_admin"].pk), str(w.users["dept_admin"].pk)]
    return _post("draws:prepare", PAGE, {"officials": officials})(w)  # type: ignore[no-any-return]


def _prepared(name: str, data: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    """A step on the prepared draw, with data the step refuses (so nothing is written)."""

    def request(w: World) -> Request:
        pk = w.app["draws"].task.pk
        return Request("post", reverse(name, args=[pk]), data or {}, reverse(PAGE, args=[pk]))

    return request


def _requested(name: str, data: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    """A decision on the pending redraw request (the auditor's approval does go through)."""

    def request(w: World) -> Request:
        pk = w.app["draws"].redraw.pk
        return Request("post", reverse(name, args=[pk]), data or {}, reverse(PAGE, args=[pk]))

    return request


def _attempts() -> int:
    return DrawAttempt.objects.count()


def _pending() -> int:
    return DrawAttempt.objects.filter(status=AttemptStatus.REQUESTED).count()


def _grouping() -> tuple[list[str], int]:
    """The tasks' states and the claims: a refused grouping step changes neither."""
    states = list(Task.objects.order_by("pk").values_list("state", flat=True))
    return states, DepartmentClaim.objects.count()


PAGE = "draws:draw_page"
# irreversible steps ask first (spotcheck/common/confirm.py); the matrix posts the confirmed step
CONFIRMED = {"confirmed": "1"}
OBJECTS = "draws:objects"
TASK = "campaigns:task_detail"
VIEWERS_POST = (LOGIN, DONE, DONE, DONE, DONE, DONE, NOT_FOUND, NOT_FOUND, DONE)
NOBODY = (
    LOGIN,
    NOT_FOUND,
    NOT_FOUND,
    NOT_FOUND,
    NOT_FOUND,
    NOT_FOUND,
    NOT_FOUND,
    NOT_FOUND,
    NOT_FOUND,
)
ORGANISERS_POST = (
    LOGIN,
    DONE,
    DONE,
    NOT_FOUND,
    NOT_FOUND,
    NOT_FOUND,
    NOT_FOUND,
    NOT_FOUND,
    NOT_FOUND,
)

# fmt: off
CASES: dict[str, Case] = {
    #                                                                                                   anonymous platform lead  dept  other parent insp       other      auditor
    "draws:draw_page": Case(lambda w: Request("get", reverse(PAGE, args=[_pk(w)])),                    (LOGIN,    OK,      OK,   OK,   OK,   OK,    NOT_FOUND, NOT_FOUND, OK)),
    "draws:prepare":   Case(_prepare, ORGANISERS_POST, _attempts),
    # without a prepared draw there is nothing to commit to, announce, reveal or abandon
    "draws:commit":    Case(_post("draws:commit", PAGE),   NOBODY, _attempts),
    "draws:announce":  Case(_post("draws:announce", PAGE), NOBODY, _attempts),
    "draws:reveal":    Case(_post("draws:reveal", PAGE),   NOBODY, _attempts),
    "draws:abandon":   Case(_post("draws:abandon", PAGE),  NOBODY, _attempts),
    "draws:run":       Case(_post("draws:run", PAGE, CONFIRMED),      ORGANISERS_POST, _attempts),
    # on the prepared draw: a malformed secret, no commitments yet, no reason given
    "draws:commit prepared":   Case(_prepared("draws:commit", {"secret": "不是十六进制"}), VIEWERS_POST, _attempts),
    "draws:reveal prepared":   Case(_prepared("draws:reveal", {"secret": "不是十六进制"}), VIEWERS_POST, _attempts),
    "draws:announce prepared": Case(_prepared("draws:announce"), ORGANISERS_POST, _attempts),
    "draws:abandon prepared":  Case(_prepared("draws:abandon"), ORGANISERS_POST, _attempts),
    "draws:dispatch":  Case(_post("draws:dispatch", PAGE, CONFIRMED), ORGANISERS_POST, _attempts),
    "draws:dispatch_withdraw": Case(_post("draws:dispatch_withdraw", OBJECTS, CONFIRMED), ORGANISERS_POST, _attempts),
    # before the draw there is no bundle, neither the current one nor a numbered attempt's
    "draws:bundle":    Case(lambda w: Request("get", reverse("draws:bundle", args=[_pk(w)])),          (LOGIN,    NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND)),
    "draws:attempt_bundle": Case(lambda w: Request("get", reverse("draws:attempt_bundle", args=[_pk(w), 1])), (LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND)),
    # a redraw decision: nothing pending on the prepared task; on the other task whoever
    # sees it may post (only the named auditor's approval counts), withdrawal needs a reason
    "draws:redraw_approve":         Case(_post("draws:redraw_approve", PAGE), NOBODY, _pending),
    "draws:redraw_refuse":          Case(_post("draws:redraw_refuse", PAGE), NOBODY, _pending),
    "draws:redraw_approve pending": Case(_requested("draws:redraw_approve"), VIEWERS_POST, _pending),
    "draws:redraw_refuse pending":  Case(_requested("draws:redraw_refuse"), VIEWERS_POST, _pending),
    "draws:abandon pending":        Case(_requested("draws:abandon"), ORGANISERS_POST, _pending),
    "draws:objects":   Case(lambda w: Request("get", reverse(OBJECTS, args=[_pk(w)])),                 (LOGIN,    OK,      OK,   OK,   OK,   OK,    NOT_FOUND, NOT_FOUND, OK)),
    # an object of another task (none here) is 404 even for the organiser
    "draws:replace":   Case(lambda w: Request("post", reverse("draws:replace", args=[_pk(w), 999999]), {"reason": "closed"}), (LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND), _attempts),
    "draws:confirm":   Case(_post("draws:confirm", OBJECTS, CONFIRMED), VIEWERS_POST, _attempts),
    # grouping on the published task (not yet confirmed): the organisers start and match,
    # every official who sees the task may try to claim; all are refused with a message
    "draws:grouping_start": Case(_post("draws:grouping_start", TASK), ORGANISERS_POST, _grouping),
    "draws:claim":     Case(_post("draws:claim", TASK),    VIEWERS_POST, _grouping),
    "draws:match":  Case(_post("draws:match", TASK, CONFIRMED),    ORGANISERS_POST, _grouping),
}
# fmt: on
