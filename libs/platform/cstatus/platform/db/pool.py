"""The asyncpg pool of a service, pinned to the service's own schema."""

from __future__ import annotations

import json

import asyncpg

from cstatus.platform.settings import PostgresSettings

__all__ = ["create_pool", "create_read_pool", "init_connection"]


async def init_connection(conn: asyncpg.Connection) -> None:
    """Decode json/jsonb columns to Python objects (and encode them from Python objects)."""
    for type_name in ("json", "jsonb"):
        await conn.set_type_codec(
            type_name, encoder=json.dumps, decoder=json.loads, schema="pg_catalog"
        )


async def _keep_session(_: asyncpg.Connection) -> None:
    """No reset query on release (asyncpg still rolls back a transaction left open)."""


async def create_read_pool(settings: PostgresSettings, *, schema: str) -> asyncpg.Pool:
    """A small pool for the hot single-statement reads (a check's version read): its connections
    are returned without asyncpg's reset query (`pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *;
    RESET ALL`), a second round trip per read otherwise. Only for statements that leave no session
    state behind: no LISTEN, advisory locks, SET or cursors."""
    return await create_pool(settings, schema=schema, size=settings.read_pool_max, reads=True)


async def create_pool(
    settings: PostgresSettings, *, schema: str, size: int | None = None, reads: bool = False
) -> asyncpg.Pool:
    """A pool whose connections resolve unqualified names in `schema` first."""
    pool: asyncpg.Pool = await asyncpg.create_pool(
        settings.dsn,
        min_size=min(settings.pool_min, size or settings.pool_max),
        max_size=size or settings.pool_max,
        reset=_keep_session if reads else None,
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
