"""Validation errors and unknown routes are problem+json with the failing fields."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI
from pydantic import BaseModel, Field

from cstatus.platform.http.problem import PROBLEM_JSON, Problem, install_problem_handlers

pytestmark = pytest.mark.unit


class Body(BaseModel):
    code: str = Field(pattern=r"^\S+$")


def _app() -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)

    @app.post("/things")
    async def create(body: Body) -> dict[str, str]:
        if body.code == "taken":
            raise Problem(409, "code already used", code="duplicate_code")
        return {"code": body.code}

    return app


async def _post(json: object) -> httpx.Response:
    transport = httpx.ASGITransport(app=_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        return await client.post("/things", json=json)


async def test_invalid_body_names_the_field() -> None:
    response = await _post({"code": "has space"})
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM_JSON
    assert [e["field"] for e in response.json()["errors"]] == ["code"]


async def test_domain_problem_keeps_its_code() -> None:
    response = await _post({"code": "taken"})
    assert response.status_code == 409
    assert response.json()["code"] == "duplicate_code"


async def test_unknown_route_is_problem_json() -> None:
    transport = httpx.ASGITransport(app=_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        response = await client.get("/nope")
    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM_JSON
