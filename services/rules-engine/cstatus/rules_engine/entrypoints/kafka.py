"""Kafka entry point of the Rules engine service: the topics it consumes, one transaction per batch."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from cstatus.contracts import topics
from cstatus.platform.kafka.dead_letters import DeadLetters
from cstatus.platform.kafka.transactional import transactional_consumer
from cstatus.platform.service import BatchHandler, ServiceRuntime, Subscription
from cstatus.rules_engine.adapters.velocity_window import RedisVelocityWindow
from cstatus.rules_engine.service.ingest import BatchApplier
from cstatus.rules_engine.service.velocity import WindowedVelocity
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


def subscription(settings: RulesEngineSettings, clock: Callable[[], datetime]) -> Subscription:
    def build(runtime: ServiceRuntime, dead_letters: DeadLetters) -> BatchHandler:
        velocity = None
        if settings.velocity_redis:
            window = RedisVelocityWindow(
                lambda: runtime.redis,
                ttl_s=settings.velocity_ttl_s,
                timeout_s=settings.velocity_timeout_s,
            )
            velocity = WindowedVelocity(window, retry_after_s=settings.velocity_retry_after_s)
        return transactional_consumer(
            runtime.pool,
            schema=runtime.schema,
            consumer=CONSUMER,
            apply=BatchApplier(runtime.schema, clock, velocity),
            dead_letters=dead_letters,
            settings=runtime.settings.kafka,
        )

    return Subscription(group_id=CONSUMER, topics=TOPICS, build=build)
