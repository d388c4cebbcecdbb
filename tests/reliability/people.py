"""What people do through the services' APIs during a scenario: the admin provisions the tenant
and changes its configuration, desk agents change statuses one by one or in bulk. Each call is
tried again while the service is down or restarting, as a person (or their browser) would."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
from workload import CATEGORIES, NEW_CATEGORY, ConfigChange, HttpChange

from cstatus.driver.tenants import await_known, provision
from cstatus.driver.tokens import bearer

__all__ = ["apply_config", "apply_person", "call", "configure"]


async def call(
    http: httpx.AsyncClient,
    method: str,
    url: str,
    *,
    ok: tuple[int, ...],
    deadline_s: float = 120.0,
    **kwargs: Any,
) -> httpx.Response:
    """A person's call, tried again while the service is down or restarting."""
    deadline = time.monotonic() + deadline_s
    while True:
        try:
            response = await http.request(method, url, timeout=10, **kwargs)
            if response.status_code in ok:
                return response
            if response.status_code < 500 and response.status_code not in (404, 409, 429):
                raise RuntimeError(f"{method} {url}: {response.status_code} {response.text}")
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"{method} {url}: no success in {deadline_s:.0f}s")
        await asyncio.sleep(0.5)


async def configure(http: httpx.AsyncClient, urls: dict[str, str], tenant: str) -> dict[str, str]:
    """Provision the tenant with the workload's categories; status code → id of its own ones."""
    await provision(http, urls["status-config"], tenant)
    admin = bearer(tenant, "status:admin")
    ids: dict[str, str] = {}
    for code, category in CATEGORIES.items():
        if not category["seeded"]:
            ids.update(await _create_category(http, urls, admin, code, category))
    for category, status in (
        ("loyalty", "gold"),
        ("account", "key_account"),
        ("relationship", "vip"),
        ("lifecycle", "internal"),
    ):
        await await_known(http, urls["assignment"], tenant, category, status, timeout_s=120)
    return ids


async def _create_category(
    http: httpx.AsyncClient,
    urls: dict[str, str],
    admin: dict[str, str],
    code: str,
    category: dict[str, Any],
) -> dict[str, str]:
    """One category with its statuses through status-config; status code → id."""
    created = await call(
        http,
        "POST",
        f"{urls['status-config']}/v1/categories",
        ok=(201, 409),  # 409 code_taken: created by an earlier try whose answer was lost
        headers=admin,
        json={
            "code": code,
            "name": code.title(),
            "update_mode": category["update_mode"],
            "manual_override_allowed": True,
            "reason_required": False,
        },
    )
    category_id = created.json().get("id") or await _category_id(http, urls, admin, code)
    ids: dict[str, str] = {}
    for status_code, status in category["statuses"].items():
        body: dict[str, Any] = {
            "code": status_code,
            "name": status_code.title(),
            "colour": "#336699",
            "priority": status["priority"],
            "is_default": bool(status.get("default")),
        }
        if "properties" in status:
            body["properties"] = status["properties"]
        if "rule" in status:
            body["rule"] = status["rule"]
        made = await call(
            http,
            "POST",
            f"{urls['status-config']}/v1/categories/{category_id}/statuses",
            ok=(201, 409),  # 409: created by an earlier try whose answer was lost
            headers=admin,
            json=body,
        )
        ids[status_code] = made.json().get("id") or await _status_id(
            http, urls, admin, category_id, status_code
        )
    return ids


async def _status_id(
    http: httpx.AsyncClient, urls: dict[str, str], admin: dict[str, str], category: str, code: str
) -> str:
    listed = await call(
        http,
        "GET",
        f"{urls['status-config']}/v1/categories/{category}/statuses",
        ok=(200,),
        headers=admin,
    )
    return str(next(s["id"] for s in listed.json()["items"] if s["code"] == code))


async def _category_id(
    http: httpx.AsyncClient, urls: dict[str, str], admin: dict[str, str], code: str
) -> str:
    listed = await call(
        http, "GET", f"{urls['status-config']}/v1/categories", ok=(200,), headers=admin
    )
    return str(next(c["id"] for c in listed.json()["items"] if c["code"] == code))


async def apply_person(http: httpx.AsyncClient, urls: dict[str, str], step: HttpChange) -> None:
    agent = bearer(step.tenant, "status:agent", "desk-agent")
    if step.kind == "manual":
        (customer,) = step.customers
        await call(
            http,
            "PUT",
            f"{urls['assignment']}/v1/customers/{customer}/statuses/{step.category}",
            ok=(200, 201),
            headers=agent,
            json={"status_code": step.status, "reason": step.reason},
        )
    else:
        await call(
            http,
            "POST",
            f"{urls['assignment']}/v1/bulk-status-changes",
            ok=(202,),
            headers=agent,
            json={
                "category_code": step.category,
                "status_code": step.status,
                "reason": step.reason,
                "customer_ids": list(step.customers),
            },
        )


async def apply_config(
    http: httpx.AsyncClient, urls: dict[str, str], ids: dict[str, str], step: ConfigChange
) -> None:
    admin = bearer(step.tenant, "status:admin")
    if step.kind == "new_category":
        await _create_category(http, urls, admin, step.category, NEW_CATEGORY)
        return
    status_id = ids[step.status]
    if step.kind == "rule_min":
        rule = {**CATEGORIES[step.category]["statuses"][step.status]["rule"], "min": step.value}
        await call(
            http,
            "PUT",
            f"{urls['status-config']}/v1/statuses/{status_id}/rule",
            ok=(200, 201),
            headers=admin,
            json=rule,
        )
    else:
        await call(
            http,
            "PATCH",
            f"{urls['status-config']}/v1/statuses/{status_id}",
            ok=(200,),
            headers=admin,
            json={"properties": step.value},
        )
