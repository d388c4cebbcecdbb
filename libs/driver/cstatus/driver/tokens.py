"""Development JWTs (HS256 with the development secret) for a tenant and a role."""

from __future__ import annotations

from cstatus.platform.http.auth import issue_dev_token
from cstatus.platform.settings import DEV_JWT_SECRET

__all__ = ["bearer", "token"]


def token(
    tenant: str,
    *roles: str,
    subject: str | None = None,
    secret: str = DEV_JWT_SECRET,
    ttl_s: int = 4 * 3600,
) -> str:
    """A development token of `tenant` with `roles` (subject: the first role's name)."""
    return issue_dev_token(
        secret,
        tenant=tenant,
        roles=list(roles),
        subject=subject or roles[0].split(":", 1)[-1],
        ttl_s=ttl_s,
    )


def bearer(
    tenant: str, role: str, subject: str | None = None, *, secret: str = DEV_JWT_SECRET
) -> dict[str, str]:
    """The `Authorization` header of a development token of `tenant` with one role."""
    return {"Authorization": f"Bearer {token(tenant, role, subject=subject, secret=secret)}"}
