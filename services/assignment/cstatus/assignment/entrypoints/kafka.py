"""Kafka entry point of the Assignment service: the topics it consumes, one transaction per batch.

Each batch is decoded (undecodable records are dead-lettered), de-duplicated through the inbox and
applied in one transaction, event by event in order; the restrictions cache is written only after
that transaction committed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import asyncpg

from cstatus.assignment.adapters.restrictions_cache import RestrictionsCache
from cstatus.assignment.domain.holding import ChangeRequest
from cstatus.assignment.service import customers
from cstatus.assignment.service.assignments import AfterCommit, Assignments
from cstatus.contracts import topics
from cstatus.contracts.commands import AssignStatus, ClearStatus
from cstatus.contracts.configuration import ConfigPublished
from cstatus.contracts.customers import CustomerErased, CustomerProfile
from cstatus.contracts.envelope import CloudEvent
from cstatus.contracts.proposals import StatusProposed
from cstatus.contracts.reservations import ReservationBooked, ReservationCancelled
from cstatus.platform.db.inbox import claim_many
from cstatus.platform.kafka.consumer import Decoded, ReliableBatchConsumer
from cstatus.platform.kafka.dead_letters import DeadLetters
from cstatus.platform.kafka.transactional import decode_record
from cstatus.platform.service import BatchHandler, ServiceRuntime, Subscription

__all__ = ["CONSUMER", "TOPICS", "EventApplier", "subscription"]

CONSUMER = "assignment"
TOPICS: tuple[str, ...] = (
    topics.PROPOSALS,
    topics.COMMANDS,
    topics.CRM_CUSTOMERS,
    topics.BOOKINGS_RESERVATIONS,
    topics.CONFIG,
)


def proposal_request(event: CloudEvent[Any], data: StatusProposed) -> ChangeRequest:
    return ChangeRequest(
        ref_id=f"proposal/{data.proposal_id}",
        category_code=data.category_code,
        status_code=data.status_code,
        source="automatic",
        actor=event.actor or event.source,
        based_on_sequence=data.based_on_sequence,
        explanation=data.explanation.model_dump(mode="json"),
    )


def command_request(event: CloudEvent[Any], data: AssignStatus | ClearStatus) -> ChangeRequest:
    return ChangeRequest(
        ref_id=f"command/{event.id}",
        category_code=data.category_code,
        status_code=data.status_code if isinstance(data, AssignStatus) else None,
        source="external",
        actor=event.actor or event.source,
        reason=data.reason,
        until=data.until if isinstance(data, AssignStatus) else None,
    )


class EventApplier:
    """Gives each consumed event its effect, on the batch's connection."""

    def __init__(self, service: Assignments) -> None:
        self._service = service

    async def apply(
        self, conn: asyncpg.Connection, events: Sequence[CloudEvent[Any]], after: AfterCommit
    ) -> None:
        for event in events:
            await self._apply_one(conn, event, after, datetime.now(UTC))

    async def _apply_one(
        self, conn: asyncpg.Connection, event: CloudEvent[Any], after: AfterCommit, now: datetime
    ) -> None:
        s, data, tenant, customer = self._service, event.data, event.tenant, event.subject
        match data:
            case ConfigPublished():
                if data.tenant != tenant:
                    raise ValueError(f"configuration of {data.tenant} sent as tenant {tenant}")
                await s.config.save(
                    conn, data.tenant, data.version, data.config.model_dump(mode="json")
                )
                after.catalogues.pop(data.tenant, None)
            case StatusProposed():
                request = proposal_request(event, data)
                await s.change(conn, tenant, customer, request, now, after, publish_rejection=True)
            case AssignStatus() | ClearStatus():
                request = command_request(event, data)
                await s.change(conn, tenant, customer, request, now, after, publish_rejection=True)
            case CustomerErased():
                await customers.erase_customer(s, conn, tenant, customer, now, after)
            case CustomerProfile():
                given = data.model_dump(include=data.model_fields_set)
                await customers.update_customer(s, conn, tenant, customer, given, now, after)
            case ReservationBooked():
                await customers.book(
                    s,
                    conn,
                    tenant,
                    customer,
                    data.reservation_id,
                    now,
                    after,
                    arrival=data.arrival_date,
                    service_code=data.service_code,
                )
            case ReservationCancelled():
                await customers.book(
                    s, conn, tenant, customer, data.reservation_id, now, after, cancelled=True
                )
            case _:  # arrivals and no-shows: the customer is seen, nothing more
                state = await s.open(conn, tenant, customer, now, after)
                if state.changed:
                    await s.close(conn, state, now, after)


def consumer(
    pool: asyncpg.Pool,
    applier: EventApplier,
    cache: RestrictionsCache,
    *,
    schema: str,
    dead_letters: DeadLetters,
    max_tries: int,
    backoff_s: float,
) -> ReliableBatchConsumer[CloudEvent[Any]]:
    async def handle(batch: Sequence[Decoded[CloudEvent[Any]]]) -> None:
        after = AfterCommit()
        async with pool.acquire() as conn, conn.transaction():
            fresh = await claim_many(
                conn, schema, CONSUMER, [(d.value.tenant, d.value.id) for d in batch]
            )
            new: list[CloudEvent[Any]] = []
            for item in batch:
                key = (item.value.tenant, item.value.id)
                if key in fresh:
                    fresh.discard(key)
                    new.append(item.value)
            if new:
                await applier.apply(conn, new, after)
        await after.flush(cache)

    return ReliableBatchConsumer(
        decode=decode_record,
        handle=handle,
        dead_letters=dead_letters,
        max_tries=max_tries,
        backoff_s=backoff_s,
    )


def subscription(service: Assignments) -> Subscription:
    def build(runtime: ServiceRuntime, dead_letters: DeadLetters) -> BatchHandler:
        kafka = runtime.settings.kafka
        return consumer(
            runtime.pool,
            EventApplier(service),
            RestrictionsCache(runtime.redis, runtime.schema),
            schema=runtime.schema,
            dead_letters=dead_letters,
            max_tries=kafka.max_tries,
            backoff_s=kafka.retry_backoff_ms / 1000,
        )

    return Subscription(group_id=CONSUMER, topics=TOPICS, build=build)
