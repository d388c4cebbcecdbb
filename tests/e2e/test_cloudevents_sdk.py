"""Real producers, through the running services: the official CloudEvents Python SDK in both
Kafka content modes, with an extension attribute, a trace parent and a `data` field this version
does not know, and an event type it does not know — none dead-lettered, the statuses move."""

from __future__ import annotations

from datetime import date

import pytest
from cloudevents.http import CloudEvent as SdkEvent
from cloudevents.kafka import KafkaMessage, to_binary, to_structured
from support import Platform, metrics_of
from tenants import Tenant

from cstatus.contracts import topics

pytestmark = pytest.mark.e2e


def _booking(tenant: Tenant, customer: str, *, type_: str = "reservation.booked") -> SdkEvent:
    attributes = {
        "type": type_,
        "source": "knative-booking",
        "subject": customer,
        "tenant": tenant.id,
        "id": tenant.next_id("sdk"),
        "time": "2026-11-20T10:00:00Z",
        "datacontenttype": "application/json",
        "partitionkey": f"{tenant.id}:{customer}",
        "traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
    }
    data = {
        "reservation_id": tenant.next_id("r"),
        "arrival_date": date.today().isoformat(),
        "room_type": "suite",  # a field this version does not know
    }
    return SdkEvent(attributes, data)


async def _send(platform: Platform, message: KafkaMessage) -> None:
    key = message.key.encode() if isinstance(message.key, str) else message.key
    await platform.producer.send_raw(
        topics.BOOKINGS_RESERVATIONS, key, message.value, list(message.headers.items())
    )


async def test_sdk_events_in_both_modes_move_statuses_and_newer_types_are_skipped(
    tenant: Tenant, platform: Platform
) -> None:
    await _send(platform, to_binary(_booking(tenant, "c-binary")))
    await _send(platform, to_structured(_booking(tenant, "c-structured")))
    await _send(platform, to_binary(_booking(tenant, "c-newer", type_="reservation.modified")))
    await _send(platform, to_structured(_booking(tenant, "c-newer")))
    for customer in ("c-binary", "c-structured", "c-newer"):
        await tenant.await_status(customer, "relationship", "client", source="automatic")
    dlq = topics.dlq_topic(topics.BOOKINGS_RESERVATIONS)
    mine = [
        o
        for o in platform.outputs.seen
        if o.topic == dlq and (o.key or b"").startswith(tenant.id.encode())
    ]
    assert mine == []
    for service in ("rules-engine", "assignment"):  # what was tolerated, for operators
        metrics = await metrics_of(platform.http, service, platform.urls[service])
        assert (
            'cstatus_event_fields_ignored_total{field="room_type",type="reservation.booked"}'
            in metrics
        )
        assert 'type="reservation.modified"' in metrics
