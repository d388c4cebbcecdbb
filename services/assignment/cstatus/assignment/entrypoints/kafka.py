"""Kafka entry points of the Assignment service: the topics it consumes, one transaction per batch.

Each batch goes through the platform's `transactional_consumer` (decoded, undecodable records
dead-lettered, kept to the tenants this process serves, de-duplicated through the inbox) and is
applied in one transaction as one `CustomerBatch`: every customer of the batch is locked in one
statement and the batch's writes are set-wise. The restrictions cache is written (one Redis
pipeline) only after that transaction committed.

Three consumer groups: `assignment-decisions` for the status changes asked for (proposals,
commands) and the configuration, `assignment` for the upstream traffic (CRM profiles,
reservations), and `assignment-bulk` for the service's own bulk chunks, so neither a burst of
reservations nor a bulk job of 100,000 customers holds up a proposal. `assignment-decisions`
adopts the offsets `assignment` committed on its topics before they moved (one release ago).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from contextlib import nullcontext
from datetime import datetime
from typing import Any

import asyncpg

from cstatus.assignment.adapters.customer_rows import Key
from cstatus.assignment.adapters.restrictions_cache import RestrictionsCache
from cstatus.assignment.entrypoints.kafka_messages import (
    RESERVATION_EVENTS,
    booking_of,
    profile_updates,
    request_of,
)
from cstatus.assignment.service.assignments import AfterCommit, Assignments
from cstatus.assignment.service.bulk import apply_chunks
from cstatus.assignment.service.refresh import queue_refresh
from cstatus.contracts import topics
from cstatus.contracts.bulk import BULK_CHUNK_SIZE
from cstatus.contracts.commands import AssignStatus, ClearStatus
from cstatus.contracts.configuration import ConfigPublished
from cstatus.contracts.customers import CustomerErased, CustomerProfile
from cstatus.contracts.envelope import CloudEvent
from cstatus.contracts.proposals import StatusProposed
from cstatus.contracts.registry import TOPIC_OF_TYPE
from cstatus.platform.kafka.consumer import Decoded
from cstatus.platform.kafka.dead_letters import DeadLetters
from cstatus.platform.kafka.subscription import BatchHandler, Subscription
from cstatus.platform.kafka.transactional import (
    ApplyEvents,
    Batch,
    Split,
    transactional_consumer,
)
from cstatus.platform.service import ServiceRuntime
from cstatus.platform.tracing import consuming

__all__ = [
    "BULK_CONSUMER",
    "BULK_TOPICS",
    "CONSUMER",
    "DECISIONS_CONSUMER",
    "DECISIONS_TOPICS",
    "TOPICS",
    "EventApplier",
    "bulk_subscription",
    "decisions_subscription",
    "subscription",
]

CONSUMER = "assignment"
TOPICS: tuple[str, ...] = (topics.CRM_CUSTOMERS, topics.BOOKINGS_RESERVATIONS)
DECISIONS_CONSUMER = "assignment-decisions"
DECISIONS_TOPICS: tuple[str, ...] = (topics.PROPOSALS, topics.COMMANDS, topics.CONFIG)
"""The latency lane: status changes asked for (proposals, commands) never wait behind a batch
of the upstream traffic (reservations, profiles); the configuration travels with them, so a
proposal that waits for a newer configuration and that configuration meet in one consumer."""
DECISIONS_BATCH = 1_000
"""At most this many proposals or commands a batch: a sweep's flood of proposals is worked in
short transactions, and the worker holds at most this many customers' states at once."""
BULK_CONSUMER = "assignment-bulk"
BULK_TOPICS: tuple[str, ...] = (topics.BULK,)
BULK_CUSTOMERS_PER_TRANSACTION = 2 * BULK_CHUNK_SIZE
"""Bulk chunks are applied a few at a time, so each transaction stays short and progress shows."""

Apply = Callable[[asyncpg.Connection, Sequence[CloudEvent[Any]], AfterCommit], Awaitable[None]]


class EventApplier:
    """Gives each consumed event its effect, in order, in one batch on the batch's connection.

    Reservation events and profile updates are written set-wise first (one statement each): they
    change no status, so a known customer's booking or profile update takes no lock of the batch
    and leaves no snapshot or cache entry — unless the customer is new, misses a default status,
    holds a status that counts appointments (bookings) or changes its marketing consent (profile).
    Those customers, and every customer of a tenant reconfigured in the batch, are worked as
    before, event by event.
    """

    def __init__(self, service: Assignments, clock: Callable[[], datetime]) -> None:
        self._service = service
        self._clock = clock

    async def apply(
        self, conn: asyncpg.Connection, events: Sequence[CloudEvent[Any]], after: AfterCommit
    ) -> None:
        requests = {i: r for i, e in enumerate(events) if (r := request_of(e)) is not None}
        refs = [(events[i].tenant, r.ref_id) for i, r in requests.items()]
        reconfigured = {e.tenant for e in events if isinstance(e.data, ConfigPublished)}
        reserving = {
            (e.tenant, e.subject) for e in events if isinstance(e.data, RESERVATION_EVENTS)
        }
        batch = self._service.batch(conn, self._clock(), after)
        bookings = [b for e in events if (b := booking_of(e)) is not None]
        touched = await batch.record_bookings(
            bookings, {key for key in reserving if key[0] not in reconfigured}
        )
        touched |= {key for key in reserving if key[0] in reconfigured}
        updates = profile_updates(events, reconfigured)
        written = updates.keys() - await batch.record_profiles(updates)
        customers: set[Key] = {
            (e.tenant, e.subject)
            for e in events
            if not isinstance(e.data, ConfigPublished | RESERVATION_EVENTS)
        }
        await batch.open((customers - written) | touched, refs)
        for i, event in enumerate(events):
            data, tenant, customer = event.data, event.tenant, event.subject
            # What the event publishes continues its trace; reservations (many) publish nothing.
            traced = not isinstance(data, RESERVATION_EVENTS)
            topic = TOPIC_OF_TYPE.get(event.type)
            with consuming(event, "assignment apply", topic=topic) if traced else nullcontext():
                match data:
                    case ConfigPublished():
                        if data.tenant != tenant:
                            raise ValueError(
                                f"configuration of {data.tenant} sent as tenant {tenant}"
                            )
                        document = data.config.model_dump(mode="json")
                        if await self._service.config.save(conn, tenant, data.version, document):
                            await queue_refresh(conn, tenant, data.version)
                            await batch.apply_deferred(tenant, data.version)
                        batch.config_changed(data.tenant)
                    case StatusProposed() | AssignStatus() | ClearStatus():
                        await batch.change(tenant, customer, requests[i], publish_rejection=True)
                    case CustomerErased():
                        await batch.erase(tenant, customer)
                    case CustomerProfile() if (tenant, customer) not in written:
                        given = data.model_dump(include=data.model_fields_set)
                        await batch.update_profile(tenant, customer, given, event.time)
                    case CustomerProfile():  # written set-wise above
                        pass
                    case _ if (tenant, customer) in touched:  # a reservation that matters
                        await batch.touch(tenant, customer)
        await batch.commit()


def by_customers(customers_per_part: int) -> Split:
    """Parts of at most `customers_per_part` customers (a bulk chunk counts its customers)."""

    def split(batch: Batch) -> list[Batch]:
        parts: list[list[Decoded[CloudEvent[Any]]]] = [[]]
        size = 0
        for item in batch:
            weight = len(getattr(item.value.data, "customer_ids", ())) or 1
            if parts[-1] and size + weight > customers_per_part:
                parts.append([])
                size = 0
            parts[-1].append(item)
            size += weight
        return list(parts)

    return split


def _flushing(apply: Apply, cache: RestrictionsCache) -> ApplyEvents:
    """`apply` with an `AfterCommit` of its own, flushed into the cache after the commit."""

    async def applying(
        conn: asyncpg.Connection, events: Sequence[CloudEvent[Any]]
    ) -> Callable[[], Awaitable[None]]:
        after = AfterCommit()
        await apply(conn, events, after)
        return lambda: after.flush(cache)

    return applying


def _subscription(
    service: Assignments,
    group: str,
    group_topics: tuple[str, ...],
    apply: Apply,
    *,
    split: Split | None = None,
    max_records: int | None = None,
    adopts: str | None = None,
) -> Subscription:
    """A group whose batches `apply` works, the restrictions cache flushed after each commit."""

    def build(runtime: ServiceRuntime, dead_letters: DeadLetters) -> BatchHandler:
        return transactional_consumer(
            runtime.pool,
            schema=runtime.schema,
            consumer=group,
            apply=_flushing(apply, service.cache),
            dead_letters=dead_letters,
            settings=runtime.settings.kafka,
            split=split,
        )

    return Subscription(
        group_id=group,
        topics=group_topics,
        build=build,
        max_records=max_records,
        adopts=adopts,
    )


def subscription(service: Assignments, clock: Callable[[], datetime]) -> Subscription:
    return _subscription(service, CONSUMER, TOPICS, EventApplier(service, clock).apply)


def decisions_subscription(service: Assignments, clock: Callable[[], datetime]) -> Subscription:
    return _subscription(
        service,
        DECISIONS_CONSUMER,
        DECISIONS_TOPICS,
        EventApplier(service, clock).apply,
        max_records=DECISIONS_BATCH,
        adopts=CONSUMER,
    )


def bulk_subscription(service: Assignments, clock: Callable[[], datetime]) -> Subscription:
    async def apply(
        conn: asyncpg.Connection, events: Sequence[CloudEvent[Any]], after: AfterCommit
    ) -> None:
        await apply_chunks(service, service.jobs, conn, events, clock(), after)

    return _subscription(
        service,
        BULK_CONSUMER,
        BULK_TOPICS,
        apply,
        split=by_customers(BULK_CUSTOMERS_PER_TRANSACTION),
    )
