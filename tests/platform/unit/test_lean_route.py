"""A lean route serves only the plain case of its endpoint; every refusal and error falls through
to the framework's route, so answers keep their problem+json shape."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from fastapi import Depends, FastAPI
from prometheus_client import CollectorRegistry, generate_latest
from pydantic import BaseModel, Field

from cstatus.platform.http.auth import (
    TENANT_HEADER,
    Authenticator,
    Principal,
    issue_dev_token,
    require_roles,
)
from cstatus.platform.http.lean_route import LeanRoute, LeanRoutes
from cstatus.platform.http.problem import PROBLEM_JSON, install_problem_handlers
from cstatus.platform.ops_metrics import RequestTimer
from cstatus.platform.settings import DEV_JWT_SECRET, AuthSettings

pytestmark = pytest.mark.unit


class Ask(BaseModel):
    customer_id: str = Field(pattern=r"^[a-z0-9-]{1,20}$")
    fail: bool = False


def _app() -> tuple[FastAPI, CollectorRegistry]:
    app = FastAPI()
    install_problem_handlers(app)
    authenticate = Authenticator(AuthSettings(env="test"))
    reader = require_roles(authenticate, "status:viewer")
    registry = CollectorRegistry()

    async def answer(tenant: str, body: Ask, via: str) -> dict[str, Any]:
        if body.fail:
            raise RuntimeError("the store is away")
        return {"tenant": tenant, "customer_id": body.customer_id, "via": via}

    @app.post("/v1/ask")
    async def ask(body: Ask, principal: Principal = Depends(reader)) -> dict[str, Any]:
        if body.fail:
            return {"tenant": principal.tenant, "via": "framework", "failed": True}
        return await answer(principal.tenant, body, "framework")

    async def lean(principal: Principal, body: Ask) -> bytes:
        return json.dumps(await answer(principal.tenant, body, "lean")).encode()

    route = LeanRoute("POST", "/v1/ask", frozenset({"status:viewer"}), Ask, lean)
    app.add_middleware(LeanRoutes, routes=(route,), auth=authenticate)
    app.add_middleware(RequestTimer, registry=registry)
    return app, registry


def _token(*roles: str, tenant: str = "t1") -> dict[str, str]:
    token = issue_dev_token(DEV_JWT_SECRET, tenant=tenant, roles=roles)
    return {"Authorization": f"Bearer {token}"}


async def _post(app: FastAPI, body: Any, headers: dict[str, str]) -> httpx.Response:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        return await client.post("/v1/ask", json=body, headers=headers)


async def test_a_known_token_and_a_valid_body_are_served_lean_with_the_same_answer() -> None:
    app, registry = _app()
    viewer = _token("status:viewer")
    first = await _post(app, {"customer_id": "c-1"}, viewer)  # verifies the token the usual way
    second = await _post(app, {"customer_id": "c-1"}, viewer)
    assert first.json() == {"tenant": "t1", "customer_id": "c-1", "via": "framework"}
    assert second.status_code == 200
    assert second.headers["content-type"] == "application/json"
    assert second.json() == {"tenant": "t1", "customer_id": "c-1", "via": "lean"}
    timed = generate_latest(registry).decode()
    assert 'route="/v1/ask",status="200"} 2.0' in timed  # both, under the route's template


@pytest.mark.parametrize(
    ("body", "extra", "status"),
    [
        ({"customer_id": "NOT VALID"}, {}, 422),
        ({"customer_id": "c-1", "unknown": 1}, {}, 200),  # what the model allows, it allows
        ({"customer_id": "c-1"}, {TENANT_HEADER: "t2"}, 403),
    ],
)
async def test_refusals_fall_through_to_the_framework(
    body: dict[str, Any], extra: dict[str, str], status: int
) -> None:
    app, _ = _app()
    viewer = _token("status:viewer")
    await _post(app, {"customer_id": "c-1"}, viewer)  # the token is known from here on
    reply = await _post(app, body, viewer | extra)
    assert reply.status_code == status
    if status != 200:
        assert reply.headers["content-type"] == PROBLEM_JSON
    else:
        assert reply.json()["via"] == "lean"


async def test_unknown_tokens_and_wrong_roles_are_checked_the_usual_way() -> None:
    app, _ = _app()
    assert (await _post(app, {"customer_id": "c-1"}, {})).status_code == 401
    forged = {"Authorization": "Bearer not-a-token"}
    assert (await _post(app, {"customer_id": "c-1"}, forged)).status_code == 401
    admin = _token("status:admin")
    await _post(app, {"customer_id": "c-1"}, admin)
    refused = await _post(app, {"customer_id": "c-1"}, admin)  # known, but not a reader
    assert refused.status_code == 403
    assert refused.headers["content-type"] == PROBLEM_JSON


async def test_an_error_while_answering_lean_is_answered_by_the_framework() -> None:
    app, _ = _app()
    viewer = _token("status:viewer")
    await _post(app, {"customer_id": "c-1"}, viewer)
    reply = await _post(app, {"customer_id": "c-1", "fail": True}, viewer)
    assert reply.json() == {"tenant": "t1", "via": "framework", "failed": True}


async def test_a_request_continuing_a_trace_goes_through_the_framework() -> None:
    app, _ = _app()
    viewer = _token("status:viewer")
    await _post(app, {"customer_id": "c-1"}, viewer)
    parent = {"traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"}
    reply = await _post(app, {"customer_id": "c-1"}, viewer | parent)
    assert reply.json()["via"] == "framework"
