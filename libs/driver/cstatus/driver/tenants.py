"""Provisioning a tenant through status-config, and waiting until assignment knows a status."""

from __future__ import annotations

import asyncio
import time

import httpx

from cstatus.driver.tokens import bearer

__all__ = ["await_known", "provision"]


async def provision(
    http: httpx.AsyncClient, status_config: str, tenant: str, *, seed_defaults: bool = True
) -> None:
    """`PUT /v1/tenant`; fails with the service's answer unless it is created (201) or exists."""
    response = await http.put(
        f"{status_config}/v1/tenant",
        json={"seed_defaults": seed_defaults},
        headers=bearer(tenant, "status:admin"),
    )
    if response.status_code not in (200, 201):
        raise RuntimeError(f"provisioning {tenant}: {response.status_code} {response.text}")


async def await_known(
    http: httpx.AsyncClient,
    assignment: str,
    tenant: str,
    category: str,
    status: str,
    *,
    probe_customer: str = "config-probe",
    timeout_s: float = 60.0,
) -> None:
    """Wait until the assignment service knows `category:status` of `tenant`.

    The probe is a manual change of a customer kept for it: refused as `unknown_category` or
    `unknown_status` until that part of the configuration has arrived.
    """
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            response = await http.put(
                f"{assignment}/v1/customers/{probe_customer}/statuses/{category}",
                json={"status_code": status, "reason": "configuration probe"},
                headers=bearer(tenant, "status:agent"),
            )
            code = response.json().get("code", "") if response.content else ""
            if response.status_code < 500 and code not in ("unknown_category", "unknown_status"):
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"{tenant}: {category}:{status} unknown to assignment")
        await asyncio.sleep(0.2)
