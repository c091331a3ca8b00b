"""Issue and revoke API tokens."""

from __future__ import annotations

import hashlib
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from spotcheck.accounts.models import User
from spotcheck.api.models import ApiToken
from spotcheck.audit import events
from spotcheck.audit.services import audit_record


def key_digest(key: str) -> str:
    """Return the stored form of a key."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


@transaction.atomic
def api_token_issue(*, actor: User | None, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token for ``user``; return it with the key, which is shown this once only."""
    if not user.is_active:
        raise ValidationError({"user": "停用的用户不能签发接口令牌"})
    key = secrets.token_urlsafe(32)
    token = ApiToken(
        user=user,
        name=name,
        key_prefix=key[:8],
        key_sha256=key_digest(key),
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    token.full_clean()
    token.save()
    audit_record(
        actor=actor,
        event_type=events.API_TOKEN_ISSUED,
        target=token,
        data={"user": user.username, "role": user.role, "name": name, "prefix": token.key_prefix},
    )
    return token, key


@transaction.atomic
def api_token_revoke(*, actor: User | None, token: ApiToken) -> ApiToken:
    """Revoke a token at once; revoking twice changes nothing."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is not None:
        return token
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit_record(
        actor=actor,
        event_type=events.API_TOKEN_REVOKED,
        target=token,
        data={"user": token.user.username, "prefix": token.key_prefix},
    )
    return token
