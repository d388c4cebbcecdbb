"""The audit service running in-process on its own schema and consumer groups, and a feed that
publishes changes, rejections and CRM events onto the real topics."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import asyncpg
import httpx
import pytest
from aiokafka import AIOKafkaProducer

from cstatus.audit.bootstrap import create_app
from cstatus.audit.entrypoints import kafka as audit_kafka
from cstatus.audit.settings import AuditSettings
from cstatus.contracts import topics
from cstatus.contracts.changes import StatusChanged, StatusRef
from cstatus.contracts.customers import CustomerCreated, CustomerErased
from cstatus.contracts.envelope import CloudEvent, encode, message_key, new_event
from cstatus.contracts.rejections import StatusRejected
from cstatus.driver.offsets import Offsets
from cstatus.platform.http.auth import issue_dev_token
from cstatus.platform.settings import (
    DEV_JWT_SECRET,
    KafkaSettings,
    PostgresSettings,
    RedisSettings,
    TenantScope,
)

T0 = datetime(2026, 1, 1, tzinfo=UTC)
"""Rejections and CRM events happen at T0; tests script their changes from T0 on."""


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


@dataclass
class Audit:
    """The running service (through `client`), its tables (through `pg`) and a feed."""

    client: httpx.AsyncClient
    schema: str
    pg: asyncpg.Pool
    producer: AIOKafkaProducer

    @staticmethod
    def new_tenant() -> str:
        return unique("au")

    def headers(self, tenant: str, *roles: str) -> dict[str, str]:
        token = issue_dev_token(DEV_JWT_SECRET, tenant=tenant, roles=roles or ["status:viewer"])
        return {"Authorization": f"Bearer {token}"}

    async def get(self, tenant: str, path: str, **params: Any) -> Any:
        response = await self.client.get(path, params=params, headers=self.headers(tenant))
        assert response.status_code == 200, response.text
        return response.json()

    async def publish(self, topic: str, event: CloudEvent[Any]) -> None:
        key = message_key(event.tenant, event.subject)
        await self.producer.send_and_wait(topic, encode(event), key=key)

    async def change(
        self,
        tenant: str,
        customer: str,
        category: str,
        sequence: int,
        to: str | None,
        *,
        at: datetime,
        from_: str | None = None,
        source: str = "automatic",
        actor: str = "rules-engine",
        reason: str | None = None,
        exclude: bool = False,
        change_id: str | None = None,
        event_id: str | None = None,
    ) -> CloudEvent[StatusChanged]:
        def ref(code: str | None) -> StatusRef | None:
            return None if code is None else StatusRef(code=code, name=code.title())

        data = StatusChanged.model_validate(
            {
                "change_id": change_id or f"{customer}-{category}-{sequence}",
                "category_code": category,
                "from": ref(from_),
                "to": ref(to),
                "source": source,
                "actor": actor,
                "reason": reason,
                "effective_at": at,
                "sequence": sequence,
                "exclude_from_reports": exclude,
            }
        )
        event = new_event(
            data,
            id=event_id or unique("evt"),
            source="assignment",
            tenant=tenant,
            subject=customer,
            time=at,
        )
        await self.publish(topics.STATUS_CHANGES, event)
        return event

    async def reject(self, tenant: str, customer: str, ref_id: str, message: str) -> None:
        data = StatusRejected(
            ref_id=ref_id,
            category_code="lifecycle",
            status_code="active",
            reason_code="terminal",
            message=message,
        )
        event = new_event(
            data, id=unique("rej"), source="assignment", tenant=tenant, subject=customer, time=T0
        )
        await self.publish(topics.REJECTIONS, event)

    async def created(self, tenant: str, customer: str, first: str, last: str) -> None:
        data = CustomerCreated(customer_number=f"no-{customer}", first_name=first, last_name=last)
        event = new_event(
            data, id=unique("crm"), source="crm", tenant=tenant, subject=customer, time=T0
        )
        await self.publish(topics.CRM_CUSTOMERS, event)

    async def erased(self, tenant: str, customer: str) -> None:
        event = new_event(
            CustomerErased(),
            id=unique("crm"),
            source="crm",
            tenant=tenant,
            subject=customer,
            time=datetime.now(UTC),
        )
        await self.publish(topics.CRM_CUSTOMERS, event)

    async def rows(self, tenant: str, table: str = "change_log") -> list[asyncpg.Record]:
        rows: list[asyncpg.Record] = await self.pg.fetch(
            f"SELECT * FROM {self.schema}.{table} WHERE tenant = $1 ORDER BY id", tenant
        )
        return rows

    async def until(self, check: Callable[[], Awaitable[bool]], *, timeout_s: float = 30.0) -> None:
        """Poll `check` until it holds (consumption is asynchronous), failing after `timeout_s`."""
        deadline = asyncio.get_running_loop().time() + timeout_s
        while not await check():
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError("the audit service did not get there in time")
            await asyncio.sleep(0.1)

    async def rows_reach(self, tenant: str, count: int, table: str = "change_log") -> None:
        async def reached() -> bool:
            return len(await self.rows(tenant, table)) >= count

        await self.until(reached)


@pytest.fixture(scope="session")
async def audit(stack: Any, pg_pool: asyncpg.Pool) -> AsyncIterator[Audit]:
    schema = f"audit_{uuid.uuid4().hex[:10]}"
    prefix = f"t{uuid.uuid4().hex[:10]}-"
    # The group starts at the end of its topics: a stack that kept a large backlog (after a
    # benchmark) would otherwise be read whole before the tests' own events.
    async with Offsets(stack.kafka_bootstrap) as offsets:
        await offsets.place_at_end({prefix + audit_kafka.CONSUMER: audit_kafka.TOPICS})
    settings = AuditSettings(
        kafka=KafkaSettings(
            bootstrap=stack.kafka_bootstrap,
            group_prefix=prefix,
        ),
        tenants=TenantScope(prefix="au-"),
        postgres=PostgresSettings(dsn=stack.pg_dsn, pool_max=4),
        redis=RedisSettings(url=stack.redis_url),
    )
    app = create_app(settings, schema=schema)
    producer = AIOKafkaProducer(bootstrap_servers=stack.kafka_bootstrap)
    await producer.start()
    try:
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://test"
            ) as client,
        ):
            yield Audit(client, schema, pg_pool, producer)
    finally:
        await producer.stop()
        await pg_pool.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
