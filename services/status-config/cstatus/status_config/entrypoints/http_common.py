"""What every route of the admin API shares: roles, the unit of work, answers with ETags."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import JSONResponse

from cstatus.platform.http.auth import Principal
from cstatus.platform.http.depends import caller, state
from cstatus.platform.http.problem import problem_response
from cstatus.status_config.domain.errors import ConfigError
from cstatus.status_config.domain.model import Edit
from cstatus.status_config.domain.validation import etag
from cstatus.status_config.service.ports import UnitOfWorkFactory

__all__ = [
    "ADMIN",
    "READERS",
    "Admin",
    "Api",
    "ApiDep",
    "Reading",
    "answer",
    "on_config_error",
]

ADMIN = ("status:admin",)
READERS = ("status:admin", "status:viewer", "status:agent", "status:system")


@dataclass(frozen=True, slots=True)
class Api:
    """The collaborators of the routes, built once in `bootstrap` and kept in the app's state
    (`app.state.api`); routes ask for it as `ApiDep`."""

    unit_of_work: UnitOfWorkFactory
    clock: Callable[[], datetime]
    public_url: str = "http://127.0.0.1:8081"

    def edit(self, who: Principal) -> Edit:
        """A change made now by the caller (the token's subject)."""
        return Edit(at=self.clock(), actor=who.subject)


ApiDep = Annotated[Api, Depends(state(Api, "api"))]
Admin = Annotated[Principal, Depends(caller(*ADMIN))]
Reading = Annotated[Principal, Depends(caller(*READERS))]


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
