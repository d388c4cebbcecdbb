"""The running service's `/asyncapi.json` says what it consumes and publishes (SPEC §2 v2)."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.integration


async def test_the_service_serves_its_asyncapi_document(harness: Any) -> None:
    reply = await harness.client.get("/asyncapi.json")
    assert reply.status_code == 200
    doc = reply.json()
    received = {
        doc["channels"][op["channel"]["$ref"].split("/")[-1]]["address"]
        for op in doc["operations"].values()
        if op["action"] == "receive"
    }
    sent = {
        doc["channels"][op["channel"]["$ref"].split("/")[-1]]["address"]
        for op in doc["operations"].values()
        if op["action"] == "send"
    }
    assert received == {
        "customer-status.proposals.v1",
        "customer-status.commands.v1",
        "crm.customers.v1",
        "bookings.reservations.v1",
        "customer-status.config.v1",
        "customer-status.bulk.v1",
    }
    assert {
        "customer-status.changes.v1",
        "customer-status.snapshots.v1",
        "customer-status.rejections.v1",
        "bookings.reservations.v1.dlq",
    } <= sent
