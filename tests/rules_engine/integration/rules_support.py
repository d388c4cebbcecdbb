"""Helpers shared by the rules engine's integration tests: events, configurations, tokens, and a
simulated assignment service."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx

from cstatus.contracts import topics
from cstatus.contracts.changes import Explanation, StatusChanged, StatusRef
from cstatus.contracts.configuration import (
    CategoryConfig,
    ConfigPublished,
    Rule,
    StatusConfig,
    TenantConfiguration,
)
from cstatus.contracts.envelope import CloudEvent, EventData, new_event
from cstatus.contracts.fields import SystemState
from cstatus.platform.http.auth import issue_dev_token
from cstatus.platform.settings import DEV_JWT_SECRET

NOW = datetime.now(UTC)
FIRST_SEQUENCE = 1000
"""Our simulated changes start here, so changes another suite's in-process assignment service may
publish for our tenant (sequence 1, 2, …) are stale to the engine."""
TODAY = NOW.date()


def new_tenant(prefix: str = "re-") -> str:
    return f"{prefix}{uuid.uuid4().hex[:10]}"


def event(data: EventData, tenant: str, customer: str, at: datetime = NOW) -> CloudEvent[Any]:
    return new_event(
        data, id=uuid.uuid4().hex, source="test", tenant=tenant, subject=customer, time=at
    )


def status(
    code: str,
    priority: int = 0,
    *,
    default: bool = False,
    rule: Rule | None = None,
    sticky: bool = False,
    state: SystemState | None = None,
) -> StatusConfig:
    return StatusConfig(
        id=code,
        code=code,
        name=code.title(),
        colour="#336699",
        priority=priority,
        is_default=default,
        sticky=sticky,
        system_state=state,
        rule=rule,
    )


def config(tenant: str, code: str, *statuses: StatusConfig, version: int = 1) -> CloudEvent[Any]:
    category = CategoryConfig(
        id=code,
        code=code,
        name=code.title(),
        update_mode="automatic",
        manual_override_allowed=True,
        statuses=statuses,
    )
    data = ConfigPublished(
        tenant=tenant, version=version, config=TenantConfiguration(categories=(category,))
    )
    return event(data, tenant, tenant)


def token(tenant: str, role: str = "status:admin") -> dict[str, str]:
    return {
        "Authorization": f"Bearer {issue_dev_token(DEV_JWT_SECRET, tenant=tenant, roles=[role])}"
    }


class Assignment:
    """Simulates the assignment service: applies a status and waits until the engine knows it."""

    def __init__(self, publish: Any, engine: httpx.AsyncClient, tenant: str) -> None:
        self._publish, self._engine, self._tenant = publish, engine, tenant
        self._sequence: dict[tuple[str, str], int] = {}

    async def apply(
        self,
        customer: str,
        category: str,
        code: str,
        *,
        source: str = "automatic",
        state: SystemState | None = None,
        rule: str = "test",
    ) -> None:
        key = (customer, category)
        self._sequence[key] = self._sequence.get(key, FIRST_SEQUENCE - 1) + 1
        change = StatusChanged(
            change_id=uuid.uuid4().hex,
            category_code=category,
            from_=None,
            to=StatusRef(code=code, name=code.title(), system_state=state),
            source=source,  # type: ignore[arg-type]
            actor="assignment",
            explanation=Explanation(rule=rule),
            effective_at=NOW,
            sequence=self._sequence[key],
            exclude_from_reports=False,
        )
        await self._publish(topics.STATUS_CHANGES, event(change, self._tenant, customer))
        await until(lambda a: evaluation(a, category)["current"] == code, self, customer)

    def sequence(self, customer: str, category: str) -> int:
        """The sequence of the last change applied to the customer's category."""
        return self._sequence[(customer, category)]

    async def activity(self, customer: str) -> dict[str, Any]:
        response = await self._engine.get(
            f"/v1/customers/{customer}/activity", headers=token(self._tenant, "status:viewer")
        )
        return response.json() if response.status_code == 200 else {}


def evaluation(activity: dict[str, Any], category: str) -> dict[str, Any]:
    found = [e for e in activity.get("evaluations", []) if e["category_code"] == category]
    return found[0] if found else {"current": None}


async def until(predicate: Any, assignment: Assignment, customer: str) -> dict[str, Any]:
    """Poll the activity endpoint until `predicate(activity)` holds (bounded)."""
    async with asyncio.timeout(30):
        while not predicate(activity := await assignment.activity(customer)):
            await asyncio.sleep(0.05)
    return activity


async def jobs_done(pg_pool: Any, tenant: str) -> None:
    """Until the engine's re-evaluation jobs of `tenant` (its first configuration makes every
    automatic category one) have finished: the background worker evaluates at the engine's clock,
    so a test that travels in time waits for them first (else the worker may propose, at the
    travelled time, what the test expects a sweep to propose)."""
    async with asyncio.timeout(30):
        while True:
            schemas = await pg_pool.fetch(
                "SELECT schemaname FROM pg_tables"
                " WHERE tablename = 'reevaluations' AND schemaname LIKE 't_rules_%'"
            )
            for row in schemas:
                found = await pg_pool.fetchrow(
                    "SELECT count(*) AS jobs, count(*) FILTER (WHERE finished_at IS NULL) AS open"
                    f" FROM {row['schemaname']}.reevaluations WHERE tenant = $1",
                    tenant,
                )
                if found["jobs"] and not found["open"]:
                    return
            await asyncio.sleep(0.05)
