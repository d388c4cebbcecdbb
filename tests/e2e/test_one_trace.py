"""One trace per status change, across the four processes (SPEC §4 v2, issue 16): the four
services run as their own processes exporting OTLP to a receiver in this test.

- A configuration change made over HTTP with a `traceparent` continues that trace in
  status-config (the request and the publication) and in assignment (applying it).
- A booking published with a `traceparent` continues it through the rules engine (the proposal),
  assignment (the change) and audit (recording it): each span is the child of the one before,
  and the published change carries the trace too.
"""

from __future__ import annotations

import json
import secrets
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from support import eventually, open_platform

from cstatus.assignment.entrypoints import kafka as assignment_kafka
from cstatus.audit.entrypoints import kafka as audit_kafka
from cstatus.contracts import topics
from cstatus.contracts.envelope import encode, message_key, new_event
from cstatus.contracts.reservations import ReservationBooked
from cstatus.driver.cluster import Cluster
from cstatus.driver.offsets import Offsets
from cstatus.driver.otlp import OtlpReceiver, ReceivedSpan
from cstatus.driver.reader import read_between
from cstatus.driver.tokens import bearer
from cstatus.rules_engine.entrypoints import kafka as rules_kafka

pytestmark = pytest.mark.e2e


def _traceparent() -> tuple[str, str, str]:
    trace_id, span_id = secrets.token_hex(16), secrets.token_hex(8)
    return f"00-{trace_id}-{span_id}-01", trace_id, span_id


def _by_service(spans: list[ReceivedSpan]) -> dict[str, list[ReceivedSpan]]:
    found: dict[str, list[ReceivedSpan]] = {}
    for span in spans:
        found.setdefault(span.service, []).append(span)
    return found


async def test_a_status_change_is_one_trace_across_the_four_processes(
    stack: Any, tmp_path: Path
) -> None:
    run = f"tr-{uuid.uuid4().hex[:8]}"
    groups = {
        f"{run}-{rules_kafka.CONSUMER}": rules_kafka.TOPICS,
        f"{run}-{assignment_kafka.CONSUMER}": assignment_kafka.TOPICS,
        f"{run}-{assignment_kafka.DECISIONS_CONSUMER}": assignment_kafka.DECISIONS_TOPICS,
        f"{run}-{assignment_kafka.BULK_CONSUMER}": assignment_kafka.BULK_TOPICS,
        f"{run}-{audit_kafka.CONSUMER}": audit_kafka.TOPICS,
    }
    async with Offsets(stack.kafka_bootstrap) as offsets:
        await offsets.place_at_end(groups)
    with OtlpReceiver() as otlp:
        cluster = Cluster(
            env={
                "CSTATUS_KAFKA_BOOTSTRAP": stack.kafka_bootstrap,
                "CSTATUS_PG_DSN": stack.pg_dsn,
                "CSTATUS_REDIS_URL": stack.redis_url,
                "CSTATUS_KAFKA_GROUP_PREFIX": f"{run}-",
                "CSTATUS_KAFKA_TENANT_PREFIX": f"{run}-",
                "CSTATUS_ENV": "test",
                "CSTATUS_LOG_FORMAT": "text",
                "CSTATUS_OTEL_ENDPOINT": otlp.endpoint,
                "OTEL_BSP_SCHEDULE_DELAY": "200",
            },
            log_dir=tmp_path,
            base_port=None,
        )
        try:
            await cluster.start()
            urls = {s: cluster.url(s) for s in cluster.replicas}
            tenant = f"{run}-t"
            async with open_platform(urls, stack.kafka_bootstrap) as platform:
                http = platform.http
                config_parent, config_trace, config_span = _traceparent()
                reply = await http.put(
                    urls["status-config"] + "/v1/tenant",
                    json={"seed_defaults": True},
                    headers=bearer(tenant, "status:admin") | {"traceparent": config_parent},
                )
                assert reply.status_code == 201, reply.text

                def config_traced(spans: list[ReceivedSpan]) -> bool:
                    # Spans are exported as they end: the request's server span ends after the
                    # inner spans it encloses, so wait for it too, not only for one span each.
                    found = _by_service(spans)
                    return "assignment" in found and any(
                        s.parent_span_id == config_span for s in found.get("status-config", [])
                    )

                config_spans = await eventually(
                    lambda: _now(otlp.of_trace(config_trace)), config_traced, "config trace"
                )
                by_service = _by_service(config_spans)
                server = [s for s in by_service["status-config"] if s.parent_span_id == config_span]
                assert server, by_service["status-config"]

                async def knows_lifecycle() -> int:
                    probe = await http.put(
                        urls["assignment"] + "/v1/customers/probe/statuses/lifecycle",
                        json={"status_code": "suspended", "reason": "probe"},
                        headers=bearer(tenant, "status:agent"),
                    )
                    return probe.status_code

                await eventually(knows_lifecycle, lambda code: code == 200, "configuration known")

                async with Offsets(stack.kafka_bootstrap) as offsets:
                    before = await offsets.ends([topics.STATUS_CHANGES])
                booking_parent, booking_trace, booking_span = _traceparent()
                event = new_event(
                    ReservationBooked(
                        reservation_id="r-1", arrival_date=date.today() + timedelta(days=7)
                    ),
                    id=f"booking-{run}",
                    source="booking-system",
                    tenant=tenant,
                    subject="c-1",
                    time=datetime.now(UTC),
                    traceparent=booking_parent,
                )
                await platform.send_raw(
                    topics.BOOKINGS_RESERVATIONS, message_key(tenant, "c-1"), encode(event)
                )

                def whole(spans: list[ReceivedSpan]) -> bool:
                    # Every span of the chain must have arrived, not only one per service:
                    # a parent ends (and is exported) after its children.
                    return any(
                        _chain(spans, s)[-1].parent_span_id == booking_span
                        for s in spans
                        if s.service == "audit"
                    )

                spans = await eventually(
                    lambda: _now(otlp.of_trace(booking_trace)), whole, "booking trace", timeout_s=60
                )
                audit = next(
                    s
                    for s in spans
                    if s.service == "audit" and _chain(spans, s)[-1].parent_span_id == booking_span
                )
                chain = _chain(spans, audit)
                services = [s.service for s in reversed(chain)]
                assert services[0] == "rules-engine" and services[-1] == "audit", services
                assert "assignment" in services
                assert audit.attributes["messaging.destination.name"] == topics.STATUS_CHANGES
                assert all(s.attributes.get("messaging.system") == "kafka" for s in chain)

                async with Offsets(stack.kafka_bootstrap) as offsets:
                    end = await offsets.ends([topics.STATUS_CHANGES])
                records = await read_between(
                    stack.kafka_bootstrap, before, end, key_prefix=message_key(tenant, "c-1")
                )
                client = [
                    json.loads(r.value or b"{}")
                    for r in records
                    if json.loads(r.value or b"{}")["data"]["to"]["code"] == "client"
                ]
                assert client and client[0]["traceparent"].split("-")[1] == booking_trace
        finally:
            await cluster.stop()


def _chain(spans: list[ReceivedSpan], last: ReceivedSpan) -> list[ReceivedSpan]:
    """`last` and its ancestors among `spans`, nearest first."""
    by_id = {s.span_id: s for s in spans}
    chain = [last]
    while chain[-1].parent_span_id in by_id:
        chain.append(by_id[chain[-1].parent_span_id])
    return chain


async def _now(value: Any) -> Any:
    return value
