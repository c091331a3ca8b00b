"""Reads of import jobs: a job is seen by whoever uploaded it, and by platform admins."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from spotcheck.access.gates import access_platform_for_administering
from spotcheck.accounts.models import User
from spotcheck.accounts.selectors import user_can_write_any
from spotcheck.imports.models import ImportJob


def import_allowed(user: User) -> bool:
    """Tell whether the user may import into the directories at all."""
    return user.is_authenticated and user_can_write_any(user)


def import_job_list_for_user(user: User) -> QuerySet[ImportJob]:
    """Return the import jobs the user may see, newest first."""
    qs = ImportJob.objects.select_related("created_by", "department")
    if not import_allowed(user):
        return qs.none()
    if access_platform_for_administering(user):
        return qs
    return qs.filter(created_by=user)


def import_job_get_for_user(user: User, job_id: int) -> ImportJob:
    """Return one job the user may see, or raise Http404 without saying why."""
    try:
        return import_job_list_for_user(user).get(pk=job_id)
    except ImportJob.DoesNotExist:
        raise Http404 from None
