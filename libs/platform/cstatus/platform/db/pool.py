"""The asyncpg pool of a service, pinned to the service's own schema."""

from __future__ import annotations

import json

import asyncpg

from cstatus.platform.settings import PostgresSettings

__all__ = ["create_pool", "init_connection"]


async def init_connection(conn: asyncpg.Connection) -> None:
    """Decode json/jsonb columns to Python objects (and encode them from Python objects)."""
    for type_name in ("json", "jsonb"):
        await conn.set_type_codec(
            type_name, encoder=json.dumps, decoder=json.loads, schema="pg_catalog"
        )


async def create_pool(settings: PostgresSettings, *, schema: str) -> asyncpg.Pool:
    """A pool whose connections resolve unqualified names in `schema` first."""
    pool: asyncpg.Pool = await asyncpg.create_pool(
        settings.dsn,
        min_size=settings.pool_min,
        max_size=settings.pool_max,
        init=init_connection,
        server_settings={"search_path": f"{schema},public", "application_name": schema},
    )
    return pool
