"""Register the shared personas of ``spotcheck.testing.personas`` for every test."""

from spotcheck.testing.personas import (  # noqa: F401
    auditor,
    cache_resumed,
    catalogue,
    departments,
    dept_admin,
    inspector_record,
    inspector_user,
    lead_admin,
    other_dept_admin,
    other_inspector_record,
    other_inspector_user,
    parent_dept_admin,
    persona_client,
    platform_admin,
    regions,
    signal_handlers_kept,
)
