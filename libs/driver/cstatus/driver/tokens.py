"""Development JWTs (HS256 with the development secret) for a tenant and a role."""

from __future__ import annotations

from cstatus.platform.http.auth import issue_dev_token
from cstatus.platform.settings import DEV_JWT_SECRET

__all__ = ["bearer"]


def bearer(
    tenant: str, role: str, subject: str | None = None, *, secret: str = DEV_JWT_SECRET
) -> dict[str, str]:
    """The `Authorization` header of a development token of `tenant` with one role."""
    jwt = issue_dev_token(
        secret, tenant=tenant, roles=[role], subject=subject or role.split(":", 1)[-1]
    )
    return {"Authorization": f"Bearer {jwt}"}
