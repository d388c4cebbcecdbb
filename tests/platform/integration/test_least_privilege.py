"""Each service logs in as its own role with rights on its own schema only; migrations run as
the schema's owner; the audit service's role may only add to and read its logs (the review found
one database role for everything, so the audit service could drop its own append-only trigger)."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import asyncpg
import pytest

import cstatus.audit
from cstatus.platform.db.migrations import apply_grants, apply_migrations, load_migrations

pytestmark = pytest.mark.integration

AUDIT_MIGRATIONS = Path(cstatus.audit.__file__).parent / "migrations"


async def test_a_service_role_reads_and_writes_but_cannot_change_the_schema_or_the_logs(
    stack: Any, pg_pool: asyncpg.Pool, schema: str
) -> None:
    if "//cstatus:cstatus@" not in stack.pg_dsn:
        pytest.skip("the test logs in as a role it makes, on the local stack's DSN")
    role = f"t_role_{uuid.uuid4().hex[:8]}"
    await pg_pool.execute(f"CREATE ROLE {role} LOGIN PASSWORD 'secret-{role}'")
    other = f"{schema}_other"
    try:
        async with pg_pool.acquire() as owner:
            await apply_migrations(owner, schema, load_migrations(AUDIT_MIGRATIONS))
            await apply_migrations(owner, other, [])  # another service's schema
            await apply_grants(owner, schema, role, AUDIT_MIGRATIONS)
        dsn = stack.pg_dsn.replace("//cstatus:cstatus@", f"//{role}:secret-{role}@")
        conn = await asyncpg.connect(dsn)
        try:
            assert await conn.fetchval(f"SELECT count(*) FROM {schema}.change_log") == 0
            await conn.execute(
                f"INSERT INTO {schema}.inbox (consumer, tenant, event_id) VALUES ('c', 't', 'e')"
            )
            for forbidden in (
                f"UPDATE {schema}.change_log SET tenant = 'x'",
                f"DELETE FROM {schema}.profile_log",
                f"DROP TRIGGER change_log_append_only ON {schema}.change_log",
                f"CREATE TABLE {schema}.mine (id int)",
                f"SELECT count(*) FROM {other}.inbox",
            ):
                with pytest.raises(asyncpg.exceptions.InsufficientPrivilegeError):
                    await conn.execute(forbidden)
        finally:
            await conn.close()
    finally:
        await pg_pool.execute(f"DROP SCHEMA IF EXISTS {other} CASCADE")
        await pg_pool.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        await pg_pool.execute(f"DROP ROLE {role}")
