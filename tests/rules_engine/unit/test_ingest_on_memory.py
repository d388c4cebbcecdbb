"""The rules engine's batch handler `service.ingest.ingest` on the in-memory ingest store
(issue 17): what one consumed batch records, proposes and flags — milliseconds, no PostgreSQL or
Kafka. Its store passes the same case as the PostgreSQL one (`ingest_case.py`)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from ingest_case import NOW, TODAY, changed, event, published, relationship

from cstatus.contracts import topics
from cstatus.contracts.customers import CustomerErased
from cstatus.contracts.reservations import ReservationBooked
from cstatus.contracts.transactions import TransactionCompleted
from cstatus.rules_engine.adapters.memory_ingest import MemoryIngestStore
from cstatus.rules_engine.domain.erasure import pseudonym
from cstatus.rules_engine.service.ingest import ingest

pytestmark = pytest.mark.unit

TENANT = "ri-acme"


def _booking(customer: str, ref: str = "r-1") -> Any:
    data = ReservationBooked(reservation_id=ref, arrival_date=TODAY + timedelta(days=3))
    return event(data, TENANT, customer)


def _sale(customer: str, ref: str) -> Any:
    data = TransactionCompleted(transaction_id=ref, amount="12.50", currency="EUR")
    return event(data, TENANT, customer)


def _messages(store: MemoryIngestStore, topic: str) -> list[dict[str, Any]]:
    return [json.loads(m.value) for m in store.published if m.topic == topic]


async def _configured() -> MemoryIngestStore:
    store = MemoryIngestStore()
    await ingest(store, [published(TENANT, 1, relationship())], NOW)
    store.published.clear()
    return store


async def test_a_first_booking_is_recorded_and_proposes_client_once() -> None:
    store = await _configured()
    await ingest(store, [_booking("c-1"), changed(TENANT, "c-1", "relationship", "lead", 1)], NOW)
    assert [e.ref for e in store.events[TENANT, "c-1"]] == ["r-1"]
    assert store.customers == {(TENANT, "c-1"): False}
    [proposal] = _messages(store, topics.PROPOSALS)
    assert proposal["subject"] == "c-1"
    assert proposal["data"]["status_code"] == "client"
    assert proposal["data"]["based_on_sequence"] == 1
    await ingest(store, [_booking("c-1", "r-2")], NOW)  # the same target is outstanding
    assert len(_messages(store, topics.PROPOSALS)) == 1


async def test_a_configuration_starts_a_reevaluation_of_what_it_changed_only() -> None:
    store = await _configured()
    assert store.jobs == {(TENANT, "relationship"): 1}
    await ingest(store, [published(TENANT, 2, relationship())], NOW)  # the same rules
    assert store.jobs == {(TENANT, "relationship"): 1}
    await ingest(store, [published(TENANT, 3, relationship(priority=30))], NOW)
    assert store.jobs == {(TENANT, "relationship"): 3}
    await ingest(store, [published(TENANT, 2, relationship(priority=40))], NOW)  # older
    assert store.configs[TENANT][0] == 3


async def test_a_pinned_customer_is_left_alone_until_the_pin_is_released() -> None:
    store = await _configured()
    manual = changed(TENANT, "c-1", "relationship", "lead", 1, source="manual")
    await ingest(store, [manual, _booking("c-1")], NOW)
    assert _messages(store, topics.PROPOSALS) == []
    release = changed(TENANT, "c-1", "relationship", "lead", 2, source="system", rule="unpin")
    await ingest(store, [release], NOW)
    [proposal] = _messages(store, topics.PROPOSALS)
    assert proposal["data"]["status_code"] == "client"
    assert proposal["data"]["based_on_sequence"] == 2


async def test_an_erased_customer_keeps_counts_under_pseudonyms_later_events_too() -> None:
    store = await _configured()
    await ingest(store, [_booking("c-1", "r-1")], NOW)
    await ingest(store, [event(CustomerErased(), TENANT, "c-1")], NOW)
    await ingest(store, [_booking("c-1", "r-2")], NOW)
    refs = sorted(e.ref for e in store.events[TENANT, "c-1"])
    assert refs == sorted(pseudonym(TENANT, "c-1", r) for r in ("r-1", "r-2"))
    assert store.customers[TENANT, "c-1"] is True


async def test_only_the_sale_of_a_fraud_suspect_is_flagged_and_published() -> None:
    store = await _configured()
    suspect = changed(TENANT, "c-1", "lifecycle", "fraud", 1, state="fraud_suspected")
    await ingest(store, [suspect, _sale("c-1", "t-1"), _sale("c-2", "t-2")], NOW)
    [flagged] = _messages(store, topics.OUTLIERS)
    assert flagged["subject"] == "c-1"
    assert flagged["data"] == {
        "transaction_id": "t-1",
        "reason": "customer holds lifecycle:fraud (system state fraud_suspected)",
        "status_code": "fraud",
    }
    assert [k[:2] for k in store.outliers] == [(TENANT, "c-1")]
