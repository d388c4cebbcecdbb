"""What every route of the admin API shares: roles, the unit of work, answers with ETags."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse

from cstatus.platform.http.auth import Principal, require_roles
from cstatus.platform.http.problem import problem_response
from cstatus.status_config.domain.errors import ConfigError
from cstatus.status_config.domain.model import Edit
from cstatus.status_config.domain.validation import etag
from cstatus.status_config.service.ports import UnitOfWorkFactory

__all__ = ["ADMIN", "READERS", "Api", "answer", "on_config_error"]

ADMIN = ("status:admin",)
READERS = ("status:admin", "status:viewer", "status:agent", "status:system")

Authenticate = Callable[[Request], Awaitable[Principal]]


@dataclass(frozen=True, slots=True)
class Api:
    """The collaborators of the routes, built once in `bootstrap`."""

    unit_of_work: UnitOfWorkFactory
    authenticate: Authenticate
    clock: Callable[[], datetime]
    public_url: str = "http://127.0.0.1:8081"

    def edit(self, who: Principal) -> Edit:
        """A change made now by the caller (the token's subject)."""
        return Edit(at=self.clock(), actor=who.subject)

    @property
    def admin(self) -> Authenticate:
        return require_roles(self.authenticate, *ADMIN)

    @property
    def reader(self) -> Authenticate:
        return require_roles(self.authenticate, *READERS)


def answer(
    body: Any,
    *,
    version: int | None = None,
    status_code: int = 200,
    language: str | None = None,
    location: str | None = None,
) -> JSONResponse:
    headers: dict[str, str] = {}
    if version is not None:
        headers["ETag"] = etag(version)
    if language is not None:
        headers["Content-Language"] = language
    if location is not None:
        headers["Location"] = location
    return JSONResponse(body, status_code=status_code, headers=headers)


async def on_config_error(request: Request, exc: Exception) -> JSONResponse:
    """A refused change as problem+json, naming the field and why."""
    assert isinstance(exc, ConfigError)
    errors = [{"field": exc.field, "reason": exc.detail}] if exc.field else None
    return problem_response(
        exc.status, exc.detail, code=exc.code, instance=request.url.path, errors=errors
    )
