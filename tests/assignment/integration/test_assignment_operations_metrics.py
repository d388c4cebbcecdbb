"""What the alerts read is on `/metrics` (deploy/prometheus/alerts.yaml): request durations by
route template, dead letters by group and topic, and the outbox's backlog, age and parked rows."""

from __future__ import annotations

import re
from typing import Any

import pytest

from cstatus.contracts import topics
from cstatus.contracts.envelope import message_key

pytestmark = pytest.mark.integration


async def _metrics(h: Any) -> str:
    return str((await h.client.get("/metrics")).text)


def _value(text: str, pattern: str) -> float | None:
    found = re.search(rf"^{pattern} (\S+)$", text, re.MULTILINE)
    return float(found.group(1)) if found else None


async def test_checks_dead_letters_and_the_outbox_are_measured(harness: Any) -> None:
    h, tenant = harness, harness.tenant()
    await h.configure(tenant)
    for _ in range(3):
        reply = await h.client.post(
            "/v1/checks",
            json={"customer_id": "c-1", "action": "transact"},
            headers=h.headers(tenant, "status:system"),
        )
        assert reply.status_code == 200
    checks = _value(
        await _metrics(h),
        r'cstatus_http_request_duration_seconds_count\{method="POST",route="/v1/checks",status="200"\}',
    )
    assert checks is not None and checks >= 3

    dead = (
        r'cstatus_dead_letters_total\{group="assignment",reason="ContractError",'
        r'topic="bookings\.reservations\.v1"\}'
    )
    before = _value(await _metrics(h), dead) or 0.0
    await h.producer.send_and_wait(
        topics.BOOKINGS_RESERVATIONS, b"{not json", key=message_key(tenant, "c-2")
    )

    async def counted() -> bool:
        return (_value(await _metrics(h), dead) or 0.0) == before + 1

    await h.until(counted)

    runtime = h.app.state.runtime
    await h.pool.execute(
        f"INSERT INTO {h.schema}.outbox_parked (id, topic, key, value, created_at, error)"
        " VALUES (-1, 'x', NULL, '\\x00', now(), 'MessageSizeTooLargeError')"
    )
    await runtime.outbox.measure(h.pool)
    text = await _metrics(h)
    assert _value(text, "cstatus_outbox_parked_rows") == 1.0
    assert _value(text, "cstatus_outbox_rows") is not None
    assert (_value(text, "cstatus_outbox_oldest_age_seconds") or 0.0) >= 0.0
    await h.pool.execute(f"DELETE FROM {h.schema}.outbox_parked WHERE id = -1")


async def test_a_customer_id_with_a_control_character_is_refused_not_a_server_error(
    harness: Any,
) -> None:
    """Found by schemathesis: the id reached the change event's envelope and answered 500."""
    h, tenant = harness, harness.tenant()
    await h.configure(tenant)
    reply = await h.client.put(
        "/v1/customers/bad%05id/statuses/lifecycle",
        json={"status_code": "suspended", "reason": "fuzz"},
        headers=h.headers(tenant, "status:agent"),
    )
    assert reply.status_code == 422, reply.text
    assert reply.headers["content-type"].startswith("application/problem+json")
