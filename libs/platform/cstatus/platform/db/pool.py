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
        command_timeout=settings.command_timeout_s,
        timeout=settings.connect_timeout_s,
        server_settings={
            "search_path": f"{schema},public",
            "application_name": schema,
            # A client gone silent (crashed host, partition) is noticed within ~25 s, so its
            # locks (the outbox relay's leadership) pass to another replica.
            "tcp_keepalives_idle": "10",
            "tcp_keepalives_interval": "5",
            "tcp_keepalives_count": "3",
        },
    )
    return pool
