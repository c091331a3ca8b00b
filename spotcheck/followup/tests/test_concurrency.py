"""Two officials acting on the same case at the same moment: one wins, one is refused.

Runs on PostgreSQL only (two real connections taking the row lock); SQLite in memory
has a single connection.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection, connections

from spotcheck.accounts.models import User
from spotcheck.followup.choices import CaseState, StepKind
from spotcheck.followup.models import CaseStep
from spotcheck.followup.services import case_close, case_transfer, cases_open_for_record
from spotcheck.followup.tests.factories import Scene
from spotcheck.testing.personas import Departments

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks need PostgreSQL (DATABASE_URL)"
    ),
]


def _race(*actions: Callable[[], object]) -> list[str]:
    """Run the actions in threads released together; return "ok" or the refusal of each."""
    barrier = threading.Barrier(len(actions))
    outcomes: list[str] = [""] * len(actions)

    def run(i: int, action: Callable[[], object]) -> None:
        try:
            barrier.wait()
            action()
            outcomes[i] = "ok"
        except ValidationError as exc:
            outcomes[i] = exc.messages[0]
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return outcomes


@time_machine.travel(dt.datetime(2026, 5, 8, 9, 0, tzinfo=dt.UTC), tick=False)
def test_two_officials_closing_and_transferring_at_once(
    scene: Scene,
    lead_admin: User,
    dept_admin: User,
    parent_dept_admin: User,
    departments: Departments,
) -> None:
    # given: both officials loaded the page at version 1
    (case,) = cases_open_for_record(actor=lead_admin, record=scene.record)

    # when
    outcomes = _race(
        lambda: case_close(
            actor=dept_admin,
            case=case,
            result="已补报年报",
            closed_on=dt.date(2026, 5, 8),
            version=1,
        ),
        lambda: case_transfer(
            actor=parent_dept_admin,
            case=case,
            to_department=departments.police,
            reason="涉及保安服务",
            version=1,
        ),
    )

    # then: exactly one went through, the other was told the case had moved on
    assert outcomes.count("ok") == 1
    refused = [o for o in outcomes if o != "ok"]
    assert len(refused) == 1
    assert refused[0].startswith("本事项已被他人办理")
    case.refresh_from_db()
    assert case.version == 2
    kinds = set(CaseStep.objects.filter(case=case).values_list("kind", flat=True))
    if outcomes[0] == "ok":
        assert (case.state, case.transfer_to) == (CaseState.CLOSED, None)
        assert kinds == {StepKind.OPENED, StepKind.CLOSE}
    else:
        assert (case.state, case.disposal_result) == (CaseState.TRANSFERRING, "")
        assert kinds == {StepKind.OPENED, StepKind.TRANSFER}


@time_machine.travel(dt.datetime(2026, 5, 8, 9, 0, tzinfo=dt.UTC), tick=False)
def test_two_officials_closing_without_a_version_both_see_the_state(
    scene: Scene, lead_admin: User, dept_admin: User, parent_dept_admin: User
) -> None:
    # given
    (case,) = cases_open_for_record(actor=lead_admin, record=scene.record)

    # when: no version given, the state check behind the lock still refuses the second
    outcomes = _race(
        lambda: case_close(
            actor=dept_admin, case=case, result="甲的结果", closed_on=dt.date(2026, 5, 8)
        ),
        lambda: case_close(
            actor=parent_dept_admin, case=case, result="乙的结果", closed_on=dt.date(2026, 5, 8)
        ),
    )

    # then
    assert sorted(outcomes) == ["ok", "处置事项当前为“已办结”，不能“办结”"]
    case.refresh_from_db()
    assert case.state == CaseState.CLOSED
    assert case.disposal_result in ("甲的结果", "乙的结果")
    assert CaseStep.objects.filter(case=case, kind=StepKind.CLOSE).count() == 1
