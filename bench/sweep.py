"""The daily sweep (SPEC §3): a tenant of generated customers and reservations, swept as of the day
after its last sweep (the daily, incremental case) and then 30 days later (a month's jump).

Before the sweeps the same tenant is previewed (SPEC 1.9, `POST /v1/previews`): gold needing one
reservation more, evaluated over every customer and changing nothing (`preview.seconds`)."""

from __future__ import annotations

import asyncio
import contextlib
import time
from datetime import UTC, date, datetime, timedelta
from typing import Any

import asyncpg
import httpx

from bench.sweep_data import Generated, delete_tenant, find_unswept, generate
from bench.system import (
    GOLD_MIN,
    LOYALTY_WINDOW_DAYS,
    System,
    provision_tenant,
    wait_engine_config,
)
from cstatus.driver.offsets import Offsets

__all__ = ["measure_sweep"]


async def _sweep(system: System, tenant: str, as_of: date) -> tuple[float, dict[str, Any]]:
    headers = {"Authorization": f"Bearer {system.token(tenant, 'status:system')}"}
    async with httpx.AsyncClient(base_url=system.rules_engine_url, headers=headers) as http:
        began = time.monotonic()
        response = await http.post("/v1/sweeps", json={"as_of": as_of.isoformat()}, timeout=900)
        seconds = time.monotonic() - began
    response.raise_for_status()
    found: dict[str, Any] = response.json()
    print(f"  sweep as of {as_of}: {seconds:.2f}s {found}", flush=True)
    return seconds, found


async def _preview(system: System, tenant: str) -> dict[str, Any]:
    """A preview of gold needing one reservation more, over every customer of the tenant."""
    headers = {"Authorization": f"Bearer {system.token(tenant, 'status:admin')}"}
    rule = {
        "type": "count",
        "metric": "reservations",
        "min": GOLD_MIN + 1,
        "window_days": LOYALTY_WINDOW_DAYS,
    }
    body = {"rule": {"category_code": "loyalty", "status_code": "gold", "rule": rule}}
    async with httpx.AsyncClient(base_url=system.rules_engine_url, headers=headers) as http:
        began = time.monotonic()
        response = await http.post("/v1/previews", json=body, timeout=1800)
        seconds = time.monotonic() - began
    response.raise_for_status()
    found = response.json()
    moves = {f"{m['from']}->{m['to']}": m["customers"] for m in found["moves"]}
    print(f"  preview gold min {GOLD_MIN + 1}: {seconds:.1f}s {found['customers']:,} customers"
          f" {moves}", flush=True)  # fmt: skip
    return {
        "seconds": round(seconds, 3),
        "engine_seconds": found["seconds"],
        "customers": found["customers"],
        "moved_customers": found["moved_customers"],
        "moves": moves,
    }


async def _wait_ready(system: System, timeout_s: float = 180) -> None:
    """The rules engine may be restarting (other users of the box): wait for /health/ready."""
    deadline = time.monotonic() + timeout_s
    async with httpx.AsyncClient(base_url=system.rules_engine_url, timeout=5) as http:
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.HTTPError):
                if (await http.get("/health/ready")).status_code == 200:
                    return
            await asyncio.sleep(1)
    raise TimeoutError(f"the rules engine is not ready after {timeout_s:.0f}s")


async def _data(
    system: System, conn: asyncpg.Connection, run_id: str, customers: int, reservations: int
) -> tuple[Generated, bool]:
    """A fresh tenant, or one generated earlier today and never swept; whether it was reused."""
    day = datetime.now(UTC).date()
    found = await find_unswept(conn, day, customers, reservations)
    if found is not None:
        print(f"  reusing {found.tenant}, generated earlier today and not swept", flush=True)
        return found, True
    tenant = f"bench-sweep-{run_id}"
    await provision_tenant(system, tenant)
    await wait_engine_config(system, tenant)
    print(f"  generating {customers:,} customers / {reservations:,} reservations", flush=True)
    data = await generate(conn, tenant, day, customers, reservations)
    print(f"  generated in {data.seconds:.0f}s; last sweep recorded as {day}", flush=True)
    return data, False


async def measure_sweep(
    system: System,
    offsets: Offsets,
    *,
    run_id: str,
    customers: int,
    reservations: int,
    keep: bool,
) -> dict[str, Any]:
    conn = await asyncpg.connect(system.pg_dsn)
    try:
        data, reused = await _data(system, conn, run_id, customers, reservations)
        found: dict[str, Any] = {
            "tenant": data.tenant,
            "tenant_reused": reused,
            "tenant_rows_removed": not keep,
            "customers": data.customers,
            "reservations": data.reservations,
            "generation_seconds": round(data.seconds, 1),
            "day": data.day.isoformat(),
            "expected_changes": data.expected_daily_changes,
        }
        try:
            await _wait_ready(system)
            try:
                found["preview"] = await _preview(system, data.tenant)
            except Exception as error:  # the sweeps are measured all the same
                found["preview"] = {"error": f"{type(error).__name__}: {error}"}
            seconds, daily = await _sweep(system, data.tenant, data.day + timedelta(days=1))
            found |= {"seconds": round(seconds, 3), **_counts("", daily)}
            seconds, jump = await _sweep(system, data.tenant, data.day + timedelta(days=30))
            found |= {"jump_30d_seconds": round(seconds, 3), **_counts("jump_30d_", jump)}
        except Exception as error:  # keep what was measured; the rows are removed all the same
            found["error"] = f"{type(error).__name__}: {error}"
        finally:
            # the proposals come back as changes that write holdings: let them land first
            found["proposals_consumed_before_cleanup"] = await offsets.settle(timeout_s=300)
            if not keep:
                started = time.monotonic()
                await delete_tenant(conn, data.tenant)
                print(f"  removed {data.tenant}'s rows in {time.monotonic() - started:.0f}s")
    finally:
        await conn.close()
    return found


def _counts(prefix: str, answer: dict[str, Any]) -> dict[str, Any]:
    return {f"{prefix}candidates": answer["candidates"], f"{prefix}proposed": answer["proposed"]}
