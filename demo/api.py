"""The four services' public HTTP APIs, as the demo calls them (development tokens per role)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx

from cstatus.driver.tokens import token
from cstatus.platform.settings import AuthSettings

__all__ = ["SERVICES", "Api", "ApiError", "Refusal"]

SERVICES = {
    "status-config": "http://127.0.0.1:8081",
    "assignment": "http://127.0.0.1:8082",
    "rules-engine": "http://127.0.0.1:8083",
    "audit": "http://127.0.0.1:8084",
}


class ApiError(RuntimeError):
    """A call the demo needed answered with something it did not expect."""


@dataclass(frozen=True, slots=True)
class Refusal:
    """A change the assignment service refused over HTTP (problem+json)."""

    action: str
    status: int
    code: str
    detail: str


@dataclass
class Api:
    """One HTTP client for every service; `call` mints the token of the role it is asked for."""

    tenant: str
    client: httpx.AsyncClient
    _tokens: dict[str, str] = field(default_factory=dict)

    def token(self, role: str, subject: str = "demo") -> str:
        key = f"{role}/{subject}"
        if key not in self._tokens:
            secret = AuthSettings().jwt_secret.get_secret_value()
            self._tokens[key] = token(self.tenant, role, subject=subject, secret=secret)
        return self._tokens[key]

    async def call(
        self,
        method: str,
        service: str,
        path: str,
        *,
        role: str = "status:viewer",
        subject: str = "demo",
        json: Any = None,
        params: Any = None,
    ) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.token(role, subject)}"}
        return await self.client.request(
            method, SERVICES[service] + path, headers=headers, json=json, params=params
        )

    async def ok(self, method: str, service: str, path: str, **kwargs: Any) -> Any:
        """The JSON of a call that must succeed (2xx), else `ApiError` with the problem."""
        response = await self.call(method, service, path, **kwargs)
        if response.is_success:
            return response.json() if response.content else None
        raise ApiError(f"{method} {service}{path} → {response.status_code}: {response.text[:500]}")

    async def refused(
        self, action: str, method: str, service: str, path: str, **kwargs: Any
    ) -> Refusal:
        """A call that must be refused (4xx problem+json): its status, code and detail."""
        response = await self.call(method, service, path, **kwargs)
        if response.is_success or response.status_code >= 500:
            raise ApiError(
                f"{action}: expected a refusal, got {response.status_code}: {response.text[:300]}"
            )
        problem = response.json()
        return Refusal(action, response.status_code, problem.get("code", "?"), problem["detail"])
