"""Kafka entry point of the Audit service: the topics it consumes, one transaction per batch."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import asyncpg

from cstatus.audit.service.record import record_events
from cstatus.audit.service.unit_of_work import AuditLog
from cstatus.contracts import topics
from cstatus.contracts.envelope import CloudEvent
from cstatus.contracts.registry import TOPIC_OF_TYPE
from cstatus.platform.kafka.dead_letters import DeadLetters
from cstatus.platform.kafka.subscription import BatchHandler, Subscription
from cstatus.platform.kafka.transactional import transactional_consumer
from cstatus.platform.service import ServiceRuntime
from cstatus.platform.tracing import processing

__all__ = ["CONSUMER", "TOPICS", "subscription"]

CONSUMER = "audit"
TOPICS: tuple[str, ...] = (
    topics.STATUS_CHANGES,
    topics.REJECTIONS,
    topics.CRM_CUSTOMERS,
    topics.CONFIG,
)


def subscription(log_of: Callable[[asyncpg.Connection], AuditLog]) -> Subscription:
    """`log_of`: the audit log on a batch's connection (bootstrap gives the PostgreSQL one)."""

    async def apply_events(conn: asyncpg.Connection, events: Sequence[CloudEvent[Any]]) -> None:
        """Append the batch's new changes, rejections and profile events; apply erasures (a
        span per traced event: the audit entry ends the trace of its status change)."""
        with processing(events, "audit record", lambda e: TOPIC_OF_TYPE.get(e.type)):
            await record_events(log_of(conn), events)

    def build(runtime: ServiceRuntime, dead_letters: DeadLetters) -> BatchHandler:
        return transactional_consumer(
            runtime.pool,
            schema=runtime.schema,
            consumer=CONSUMER,
            apply=apply_events,
            dead_letters=dead_letters,
            settings=runtime.settings.kafka,
        )

    return Subscription(group_id=CONSUMER, topics=TOPICS, build=build)
