"""The rules engine's handler `service.decide.decide` on the in-memory decision store (issue 17):
what it proposes, what it leaves alone, and that reading only what the rules see decides as
reading everything — milliseconds, no PostgreSQL or Kafka."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from decisions_case import NOW, TODAY, booked

from cstatus.contracts import topics
from cstatus.rules_engine.adapters.memory_decisions import MemoryDecisionStore
from cstatus.rules_engine.domain.model import Category, CountRule, Current, Downgrade, Status
from cstatus.rules_engine.domain.tenant import Held, TenantRules
from cstatus.rules_engine.service.decide import Recent, decide

pytestmark = pytest.mark.unit

TENANT = "re-acme"
LOYALTY = Category(
    "loyalty",
    (
        Status("bronze", 0, is_default=True),
        Status("silver", 10, rule=CountRule("reservations", 2, None, 365)),
        Status("gold", 20, rule=CountRule("reservations", 4, None, 365)),
    ),
)
RULES = TenantRules(7, (LOYALTY,))


def _proposals(store: MemoryDecisionStore) -> list[dict[str, Any]]:
    found = []
    for m in store.published:
        assert m.topic == topics.PROPOSALS
        found.append(json.loads(m.value)["data"])
    return found


def _store(**stays: int) -> MemoryDecisionStore:
    store = MemoryDecisionStore()
    for customer, count in stays.items():
        store.record(
            TENANT,
            customer,
            *(booked(f"{customer}-{n}", TODAY - timedelta(days=10 + n)) for n in range(count)),
        )
        store.held[TENANT, customer] = {"loyalty": Held(Current("bronze"), 1, None)}
    return store


async def test_it_proposes_what_differs_from_what_is_held_once() -> None:
    store = _store(a=1, b=3, c=5)
    assert await decide(store, TENANT, RULES, ["a", "b", "c"], NOW) == 2
    proposed = {(p["status_code"], p["config_version"]) for p in _proposals(store)}
    assert proposed == {("silver", 7), ("gold", 7)}
    explanation = _proposals(store)[0]["explanation"]
    assert explanation["rule"] == "count" and explanation["keep"] is not None  # whole history
    assert await decide(store, TENANT, RULES, ["a", "b", "c"], NOW) == 0  # outstanding


async def test_a_pinned_holding_and_a_held_back_move_down_are_left_alone() -> None:
    store = _store(p=5, g=1)
    store.held[TENANT, "p"] = {"loyalty": Held(Current("bronze", pinned=True), 2, None)}
    store.held[TENANT, "g"] = {"loyalty": Held(Current("gold"), 2, None)}
    graced = TenantRules(
        7, (Category(LOYALTY.code, LOYALTY.statuses, downgrade=Downgrade("never")),)
    )
    assert await decide(store, TENANT, graced, ["p", "g"], NOW) == 0
    assert await decide(store, TENANT, RULES, ["g"], NOW) == 1  # immediate: down at once
    assert [p["status_code"] for p in _proposals(store)] == ["bronze"]


async def test_reading_what_the_rules_see_decides_as_reading_everything() -> None:
    whole, seen = _store(a=1, b=3, c=5), _store(a=1, b=3, c=5)
    await decide(whole, TENANT, RULES, ["a", "b", "c"], NOW)
    only = {c: frozenset({"loyalty"}) for c in ("a", "b", "c")}
    await decide(seen, TENANT, RULES, ["a", "b", "c"], NOW, only=only, recent=Recent())
    assert [(p["status_code"], p["explanation"]["value"]) for p in _proposals(whole)] == [
        (p["status_code"], p["explanation"]["value"]) for p in _proposals(seen)
    ]
