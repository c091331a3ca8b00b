"""Audit event types: dotted constants, one per kind of write."""

from __future__ import annotations

DEPARTMENT_CREATED = "department.created"
DEPARTMENT_UPDATED = "department.updated"
USER_CREATED = "user.created"
USER_UPDATED = "user.updated"
ENTITY_CREATED = "directory.entity.created"
ENTITY_UPDATED = "directory.entity.updated"
ENTITY_RISK_CHANGED = "directory.entity.risk_changed"
ENTITIES_BULK_CREATED = "directory.entities.bulk_created"
INSPECTOR_CREATED = "directory.inspector.created"
INSPECTOR_UPDATED = "directory.inspector.updated"
INSPECTORS_BULK_CREATED = "directory.inspectors.bulk_created"
AVOIDANCE_ADDED = "directory.avoidance.added"
AVOIDANCE_REMOVED = "directory.avoidance.removed"
DIRECTORY_EXPORTED = "directory.exported"
DEMO_LOADED = "demo.loaded"
