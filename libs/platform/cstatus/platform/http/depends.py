"""Dependencies of module-level routers: what `bootstrap.py` put in the app's state.

A route module declares `router = APIRouter(...)` at module level and asks for what it needs by
type: the caller (`caller(*roles)`, authenticated by the app's runtime) and the service objects
`bootstrap.py` built and stored on `app.state` (`state(kind, name)`). Nothing is built in a route
module, and a test can mount the same router on an app whose state holds in-memory twins.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar, cast

from fastapi import Request

from cstatus.platform.http.auth import Principal, allowed

__all__ = ["caller", "state"]

T = TypeVar("T")


def state(kind: type[T], name: str) -> Callable[[Request], T]:
    """A dependency returning `app.state.<name>` (a `kind`, set by `bootstrap.py`)."""

    def read(request: Request) -> T:
        return cast(T, getattr(request.app.state, name))

    read.__name__ = f"state_{name}"
    return read


def caller(*roles: str) -> Callable[[Request], Awaitable[Principal]]:
    """A dependency: the authenticated caller, who must hold at least one of `roles` (none: any
    valid token). The authenticator is the app's runtime's (`app.state.runtime`)."""
    wanted = frozenset(roles)

    async def dependency(request: Request) -> Principal:
        runtime: Any = request.app.state.runtime
        return allowed(await runtime.authenticate(request), wanted)

    return dependency
