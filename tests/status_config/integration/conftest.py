"""The status-config app in-process, on a PostgreSQL schema of its own, with real Kafka."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import asyncpg
import httpx
import pytest

from cstatus.platform.http.auth import issue_dev_token
from cstatus.platform.settings import (
    DEV_JWT_SECRET,
    KafkaSettings,
    PostgresSettings,
    RedisSettings,
)
from cstatus.status_config.bootstrap import create_app
from cstatus.status_config.settings import StatusConfigSettings

Client = Callable[..., httpx.AsyncClient]


@pytest.fixture(scope="session")
async def status_config_app(stack: Any, pg_pool: asyncpg.Pool) -> AsyncIterator[Any]:
    schema = f"t_sc_{uuid.uuid4().hex[:10]}"
    settings = StatusConfigSettings(
        kafka=KafkaSettings(bootstrap=stack.kafka_bootstrap, group_prefix=f"t{uuid.uuid4().hex}-"),
        postgres=PostgresSettings(dsn=stack.pg_dsn, pool_max=4),
        redis=RedisSettings(url=stack.redis_url),
    )
    app = create_app(settings, schema=schema)
    async with app.router.lifespan_context(app):
        yield app
    await pg_pool.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


@pytest.fixture
def tenant() -> str:
    return f"t-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def client(status_config_app: Any, tenant: str) -> Client:
    """`client(role, tenant=…)` → an HTTP client of the app holding that role's token."""

    def make(*roles: str, tenant: str = tenant, token: str | None = None) -> httpx.AsyncClient:
        bearer = token or issue_dev_token(
            DEV_JWT_SECRET, tenant=tenant, roles=roles or ["status:admin"]
        )
        return httpx.AsyncClient(
            transport=httpx.ASGITransport(app=status_config_app),
            base_url="http://test",
            headers={"Authorization": f"Bearer {bearer}"},
        )

    return make


@pytest.fixture
async def admin(client: Client) -> AsyncIterator[httpx.AsyncClient]:
    """An admin of a freshly provisioned tenant (no categories)."""
    async with client("status:admin") as http:
        response = await http.put("/v1/tenant", json={"default_language": "en"})
        assert response.status_code == 201, response.text
        yield http
