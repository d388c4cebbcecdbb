"""A producer that is not Python: `kcat` (librdkafka) publishes raw CloudEvents JSON, keyed
`{tenant}:{subject}`, and the customer gets its defaults and becomes a client."""

from __future__ import annotations

import asyncio
import json
import shutil
from datetime import UTC, date, datetime
from typing import Any

import pytest
from support import Platform
from tenants import Tenant, changes_of

from cstatus.contracts import topics

pytestmark = pytest.mark.e2e

KCAT = shutil.which("kcat")


def _line(tenant: str, customer: str, event: dict[str, Any]) -> bytes:
    """One `key|value` line: the key holds a colon, so `|` delimits it."""
    value = {
        "specversion": "1.0",
        "source": "kcat",
        "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "tenant": tenant,
        "subject": customer,
        **event,
    }
    return f"{tenant}:{customer}|{json.dumps(value)}\n".encode()


async def _kcat_produce(bootstrap: str, topic: str, lines: bytes) -> None:
    assert KCAT is not None
    process = await asyncio.create_subprocess_exec(
        KCAT,
        "-P",
        "-b",
        bootstrap,
        "-t",
        topic,
        "-K|",
        # the partitioner of the Java and Python clients, so the key lands where theirs would
        "-X",
        "topic.partitioner=murmur2_random",
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(lines), timeout=30)
    assert process.returncode == 0, (out, err)


@pytest.mark.skipif(
    KCAT is None, reason="kcat is not installed (deploy/local/stack.sh installs it)"
)
async def test_raw_cloudevents_from_kcat_are_applied(tenant: Tenant, platform: Platform) -> None:
    created = {"id": "kcat-created-1", "type": "customer.created", "data": {"first_name": "Kim"}}
    booked = {
        "id": "kcat-booked-1",
        "type": "reservation.booked",
        "data": {"reservation_id": "r-kcat", "arrival_date": str(date.today())},
    }

    await _kcat_produce(
        platform.bootstrap, topics.CRM_CUSTOMERS, _line(tenant.id, "c-kcat", created)
    )
    await tenant.await_status("c-kcat", "lifecycle", "active", source="system")
    await _kcat_produce(
        platform.bootstrap, topics.BOOKINGS_RESERVATIONS, _line(tenant.id, "c-kcat", booked)
    )

    await tenant.await_status("c-kcat", "relationship", "client", source="automatic")
    history = await tenant.await_history(
        "c-kcat", lambda h: len(h) == 3, "the defaults and the promotion"
    )
    assert changes_of(history, "relationship") == [
        (None, "lead", "system"),
        ("lead", "client", "automatic"),
    ]
    assert history[-1]["explanation"]["event_ids"] == ["kcat-booked-1"]


@pytest.mark.skipif(
    KCAT is None, reason="kcat is not installed (deploy/local/stack.sh installs it)"
)
async def test_binary_mode_cloudevents_from_kcat_are_applied(
    tenant: Tenant, platform: Platform
) -> None:
    """Binary content mode (SPEC §2 v2): `data` as the value, the attributes in `ce_*` headers,
    as in the README's example."""
    assert KCAT is not None
    attributes = {
        "ce_specversion": "1.0",
        "ce_id": "kcat-binary-1",
        "ce_source": "kcat",
        "ce_type": "reservation.booked",
        "ce_time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "ce_tenant": tenant.id,
        "ce_subject": "c-kcat-bin",
        "content-type": "application/json",
    }
    headers = [arg for name, value in attributes.items() for arg in ("-H", f"{name}={value}")]
    data = json.dumps({"reservation_id": "r-kcat-bin", "arrival_date": str(date.today())})
    process = await asyncio.create_subprocess_exec(
        KCAT,
        "-P",
        "-b",
        platform.bootstrap,
        "-t",
        topics.BOOKINGS_RESERVATIONS,
        "-k",
        f"{tenant.id}:c-kcat-bin",
        "-X",
        "topic.partitioner=murmur2_random",
        *headers,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(data.encode() + b"\n"), timeout=30)
    assert process.returncode == 0, (out, err)

    await tenant.await_status("c-kcat-bin", "relationship", "client", source="automatic")
    history = await tenant.await_history(
        "c-kcat-bin",
        lambda h: any(
            c["category_code"] == "relationship" and c["source"] == "automatic" for c in h
        ),
        "the promotion",
    )
    promoted = [c for c in history if c["source"] == "automatic"]
    assert promoted[-1]["explanation"]["event_ids"] == ["kcat-binary-1"]
