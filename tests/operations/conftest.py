"""The shared personas of ``spotcheck.testing.personas`` for the operations tests."""

from spotcheck.testing.personas import (  # noqa: F401
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
    regions,
    signal_handlers_kept,
)
