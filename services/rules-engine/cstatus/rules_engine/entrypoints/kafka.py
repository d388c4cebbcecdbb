"""Kafka entry point of the Rules engine service: the topics it consumes, one transaction per batch."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

import asyncpg

from cstatus.contracts import topics
from cstatus.contracts.envelope import CloudEvent
from cstatus.platform.kafka.dead_letters import DeadLetters
from cstatus.platform.kafka.subscription import BatchHandler, Subscription
from cstatus.platform.kafka.transactional import transactional_consumer
from cstatus.platform.service import ServiceRuntime
from cstatus.rules_engine.service.ingest import ingest
from cstatus.rules_engine.service.unit_of_work import IngestStores
from cstatus.rules_engine.settings import RulesEngineSettings

__all__ = ["CONSUMER", "TOPICS", "subscription"]

CONSUMER = "rules-engine"
TOPICS: tuple[str, ...] = (
    topics.BOOKINGS_RESERVATIONS,
    topics.POS_TRANSACTIONS,
    topics.PAYMENTS,
    topics.CRM_CUSTOMERS,
    topics.CONFIG,
    topics.STATUS_CHANGES,
)


def subscription(
    settings: RulesEngineSettings, clock: Callable[[], datetime], stores: IngestStores
) -> Subscription:
    async def apply(conn: asyncpg.Connection, events: Sequence[CloudEvent[Any]]) -> None:
        await ingest(stores(conn), events, clock())

    def build(runtime: ServiceRuntime, dead_letters: DeadLetters) -> BatchHandler:
        return transactional_consumer(
            runtime.pool,
            schema=runtime.schema,
            consumer=CONSUMER,
            apply=apply,
            dead_letters=dead_letters,
            settings=runtime.settings.kafka,
        )

    return Subscription(group_id=CONSUMER, topics=TOPICS, build=build)
