"""`python -m cstatus.<service> migrate` is the Helm chart's migrations job: it applies the
migrations as the schema's owner, grants the service's own role its rights and exits; a service
started with `CSTATUS_PG_MIGRATE_ON_START=false` applies nothing and waits until the job is done."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import asyncpg
import pytest

from cstatus.audit.bootstrap import MIGRATIONS, create_app
from cstatus.audit.settings import AuditSettings
from cstatus.platform.db.pool import create_pool
from cstatus.platform.db.schema_setup import await_migrations
from cstatus.platform.http.serve import main

pytestmark = pytest.mark.integration


def _settings(dsn: str, owner: str, **postgres: Any) -> AuditSettings:
    return AuditSettings.model_validate(
        {"postgres": {"dsn": dsn, "migration_dsn": owner, **postgres}}
    )


def test_the_migrate_command_applies_as_owner_and_a_service_waits_for_it(
    stack: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    if "//cstatus:cstatus@" not in stack.pg_dsn:
        pytest.skip("the test logs in as a role it makes, on the local stack's DSN")
    owner = stack.pg_dsn
    role = f"t_mig_{uuid.uuid4().hex[:8]}"
    schema = f"t_mig_{uuid.uuid4().hex[:8]}"
    service_dsn = owner.replace("//cstatus:cstatus@", f"//{role}:secret-{role}@")

    async def admin(sql: str) -> Any:
        conn = await asyncpg.connect(owner)
        try:
            return await conn.fetch(sql)
        finally:
            await conn.close()

    asyncio.run(admin(f"CREATE ROLE {role} LOGIN PASSWORD 'secret-{role}'"))
    try:
        waiting = _settings(service_dsn, owner, migrate_on_start=False)
        create_app(waiting, schema=schema)  # builds, connects nothing

        async def waits_for_the_job() -> bool:
            pool = await create_pool(waiting.postgres, schema=schema)
            try:
                await asyncio.wait_for(await_migrations(pool, schema, MIGRATIONS, every_s=0.1), 1.0)
            except TimeoutError:
                return True
            finally:
                await pool.close()
            return False

        assert asyncio.run(waits_for_the_job()), "started without its schema"

        code = main(
            "audit",
            _settings(service_dsn, owner),
            lambda s: create_app(s, schema=schema),
            ["migrate"],
        )
        assert code == 0
        printed = capsys.readouterr().out
        assert f"schema {schema}:" in printed and "platform_0001" in printed

        async def as_the_service() -> tuple[str, int]:
            conn = await asyncpg.connect(service_dsn)
            try:
                owner_of = await conn.fetchval(
                    "SELECT tableowner FROM pg_tables WHERE schemaname = $1"
                    " AND tablename = 'change_log'",
                    schema,
                )
                rows = await conn.fetchval(f"SELECT count(*) FROM {schema}.change_log")
                with pytest.raises(asyncpg.exceptions.InsufficientPrivilegeError):
                    await conn.execute(f"CREATE TABLE {schema}.mine (id int)")
            finally:
                await conn.close()
            pool = await create_pool(waiting.postgres, schema=schema)
            try:
                await asyncio.wait_for(await_migrations(pool, schema, MIGRATIONS, every_s=0.1), 5.0)
            finally:
                await pool.close()
            return owner_of, rows

        assert asyncio.run(as_the_service()) == ("cstatus", 0)
        again = main(
            "audit",
            _settings(service_dsn, owner),
            lambda s: create_app(s, schema=schema),
            ["migrate"],
        )
        assert again == 0 and "0 migrations applied" in capsys.readouterr().out
    finally:
        asyncio.run(admin(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        asyncio.run(admin(f"DROP ROLE {role}"))
