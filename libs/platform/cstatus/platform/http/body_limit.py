"""Refuses request bodies over a size limit (413) before any route reads them — before
authentication too, so an anonymous caller cannot make a service read and parse a huge body.

A declared `Content-Length` over the limit is refused at once; a body without one is read up to
the limit and refused as soon as it passes it, so an endless upload cannot fill the memory.
Every service has it (`ServiceRuntime.create_app`), with limits per path of its own.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cstatus.platform.http.problem import problem_response

__all__ = ["DEFAULT_BODY_LIMIT", "BodyLimit"]

DEFAULT_BODY_LIMIT = 64 * 1024
"""Bytes a JSON request body may have unless a service says otherwise for a path."""


class BodyLimit:
    def __init__(self, app: ASGIApp, *, limit_for: Callable[[str], int]) -> None:
        self._app = app
        self._limit_for = limit_for

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        response = problem_response(
            413,
            f"the request body is larger than {limit} bytes",
            code="body_too_large",
            instance=scope.get("path"),
        )
        await response(scope, receive, send)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("POST", "PUT", "PATCH"):
            await self._app(scope, receive, send)
            return
        limit = self._limit_for(scope["path"])
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await self._refuse(scope, receive, send, limit)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                await self._app(scope, receive, send)
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                await self._refuse(scope, receive, send, limit)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self._app(scope, replay, send)
