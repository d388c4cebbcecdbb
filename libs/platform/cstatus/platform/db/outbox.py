"""Transactional outbox: write messages in the transaction of the change they announce."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field

import asyncpg
from opentelemetry import propagate

__all__ = ["OutboxMessage", "enqueue", "notify_channel"]


@dataclass(frozen=True, slots=True)
class OutboxMessage:
    topic: str
    key: bytes | None
    value: bytes | None
    """None: a tombstone (the key is forgotten by a compacted topic)."""
    headers: tuple[tuple[str, bytes], ...] = field(default=())


def notify_channel(schema: str) -> str:
    """The LISTEN/NOTIFY channel that wakes a schema's relay."""
    return f"{schema}_outbox"


def _with_trace_context(headers: tuple[tuple[str, bytes], ...]) -> list[list[str]]:
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    names = {name for name, _ in headers}
    encoded = [[name, value.decode("latin-1")] for name, value in headers]
    encoded += [[k, v] for k, v in carrier.items() if k not in names]
    return encoded


async def enqueue(conn: asyncpg.Connection, schema: str, messages: Sequence[OutboxMessage]) -> None:
    """Insert messages for the relay; they become visible to it only when the transaction commits.

    The current trace context is stored with each message so the publication continues the trace.
    """
    if not messages:
        return
    await conn.execute(
        f"INSERT INTO {schema}.outbox (topic, key, value, headers)"
        " SELECT u.topic, u.key, u.value, u.headers::jsonb"
        " FROM unnest($1::text[], $2::bytea[], $3::bytea[], $4::text[]) AS u(topic, key, value, headers)",
        [m.topic for m in messages],
        [m.key for m in messages],
        [m.value for m in messages],
        [json.dumps(_with_trace_context(m.headers)) for m in messages],
    )
    await conn.execute(f"SELECT pg_notify('{notify_channel(schema)}', '')")
