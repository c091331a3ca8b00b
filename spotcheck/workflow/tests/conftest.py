"""The task of the steps' tests (``step_factories.build_joint``); 已匹配 unless a test moves it."""

from __future__ import annotations

import pytest

from spotcheck.accounts.models import User
from spotcheck.campaigns.choices import TaskState
from spotcheck.directory.models import Inspector
from spotcheck.testing.personas import Catalogue, Departments, Regions
from spotcheck.workflow.tests.step_factories import Joint, build_joint


@pytest.fixture
def joint(
    departments: Departments,
    regions: Regions,
    lead_admin: User,
    catalogue: Catalogue,
    inspector_record: Inspector,
    other_inspector_record: Inspector,
) -> Joint:
    return build_joint(
        departments,
        regions,
        lead_admin,
        catalogue,
        inspector_record,
        other_inspector_record,
        state=TaskState.MATCHED,
    )
