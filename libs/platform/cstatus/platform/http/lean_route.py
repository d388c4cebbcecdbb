"""A lean route: one hot endpoint served without the framework's routing, dependency injection and
request validation layers (issue 13: `POST /v1/checks`, which upstream systems call on every
booking and payment, spent ~60 % of its CPU in them).

The lean path serves only the plain case: a bearer token this process has already verified (and
not expired) holding one of the route's roles, no tenant header naming another tenant, no trace
context to continue (and tracing off), and a body the route's model accepts. Anything else — no
or an unknown token, a wrong role, a body that does not validate, an error while answering —
falls through to the app with the body replayed, so refusals and errors keep their problem+json
shape by construction and a token is verified the one usual way. Placed inside the body limit,
the request timer and the trace context middlewares, which therefore apply unchanged; the
timer's `route` label is the route's path.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from cstatus.platform.http.auth import TENANT_HEADER, Authenticator, Principal
from cstatus.platform.tracing import recording

__all__ = ["LeanRoute", "LeanRoutes"]

log = logging.getLogger(__name__)

_TENANT_HEADER = TENANT_HEADER.lower().encode("latin-1")
_JSON = (b"content-type", b"application/json")


@dataclass(frozen=True, slots=True)
class LeanRoute:
    method: str
    path: str
    roles: frozenset[str]
    body: type[BaseModel]
    answer: Callable[[Principal, Any], Awaitable[bytes]]
    """The JSON of a 200 answer to a valid body from an authorized caller."""


@dataclass(frozen=True, slots=True)
class _Matched:
    path: str
    """What the request timer and trace context read from `scope["route"]`."""


class LeanRoutes:
    """ASGI middleware serving `routes` lean, everything else through the app."""

    def __init__(self, app: Any, *, routes: tuple[LeanRoute, ...], auth: Authenticator) -> None:
        self._app = app
        self._routes = {(r.method, r.path): r for r in routes}
        self._auth = auth

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        route = (
            self._routes.get((scope["method"], scope["path"])) if scope["type"] == "http" else None
        )
        if route is None or recording():
            await self._app(scope, receive, send)
            return
        principal = self._caller(scope, route)
        if principal is None:
            await self._app(scope, receive, send)
            return
        body, more = await _read(receive)
        answer = None
        if not more:
            try:
                answer = await route.answer(principal, route.body.model_validate_json(body))
            except ValidationError:
                pass  # the app answers with its usual 422
            except Exception:
                log.debug("lean %s %s failed; the app answers", route.method, route.path)
        if answer is None:
            await self._app(scope, _replay(body, more, receive), send)
            return
        scope["route"] = _Matched(route.path)
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [_JSON, (b"content-length", str(len(answer)).encode())],
            }
        )
        await send({"type": "http.response.body", "body": answer})

    def _caller(self, scope: Any, route: LeanRoute) -> Principal | None:
        token = None
        for name, value in scope["headers"]:
            if name == b"authorization":
                scheme, _, rest = value.decode("latin-1").partition(" ")
                token = rest.strip() if scheme.lower() == "bearer" else None
            elif name in (_TENANT_HEADER, b"traceparent", b"tracestate"):
                return None  # checked, or continued, the usual way
        principal = self._auth.known(token) if token else None
        if principal is None or not (principal.roles & route.roles):
            return None
        return principal


async def _read(receive: Any) -> tuple[bytes, bool]:
    """The whole body (the body limit outside has bounded it), or what came before a
    disconnect (`more` is then True: the app sees the same)."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks), True
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks), False


def _replay(body: bytes, disconnected: bool, receive: Any) -> Callable[[], Awaitable[Any]]:
    sent = False

    async def replay() -> Any:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": disconnected}
        return await receive()

    return replay
