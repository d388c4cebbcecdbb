"""One test case for both twins of the rules engine's decision store (`service.unit_of_work.
DecisionStore`): PostgreSQL (`integration/test_decisions_postgres.py`) and the in-memory one the
handler tests use (`unit/test_decide_on_memory.py`). A subclass gives `twin`: an async context
manager yielding a `Twin` (the store, and how to put events and holdings into it)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest

from cstatus.rules_engine.domain.facts import ActivityEvent
from cstatus.rules_engine.domain.model import CountRule, Current
from cstatus.rules_engine.domain.sight import sight_of_rules, visible
from cstatus.rules_engine.domain.tenant import Held
from cstatus.rules_engine.service.unit_of_work import DecisionStore

NOW = datetime(2026, 12, 7, 12, tzinfo=UTC)
TODAY = NOW.date()


@dataclass(frozen=True, slots=True)
class Twin:
    store: DecisionStore
    record: Callable[[str, str, list[ActivityEvent]], Awaitable[None]]
    hold: Callable[[str, str, str, Held], Awaitable[None]]
    """(tenant, customer, category, what they hold)"""


Twins = Callable[[], AbstractAsyncContextManager[Twin]]


def booked(ref: str, arrival: date, *, at: datetime = NOW) -> ActivityEvent:
    return ActivityEvent(f"b-{ref}", "reservation.booked", at, ref, arrival_date=arrival)


class DecisionsCase:
    @pytest.fixture
    def twin(self) -> Twins:
        raise NotImplementedError

    @pytest.fixture
    def tenant(self) -> str:
        return f"re-{uuid.uuid4().hex[:10]}"

    async def test_histories_and_holdings_come_back_per_customer(
        self, twin: Twins, tenant: str
    ) -> None:
        async with twin() as t:
            stays = [booked("r1", TODAY - timedelta(days=3)), booked("r2", TODAY)]
            await t.record(tenant, "c-1", stays)
            await t.record(tenant, "c-1", stays[:1])  # again: stored once
            await t.hold(tenant, "c-1", "loyalty", Held(Current("silver"), 2, None))
            found = await t.store.activity(tenant, ["c-1", "c-2"])
            assert sorted(e.event_id for e in found["c-1"]) == ["b-r1", "b-r2"]
            assert "c-2" not in found or found["c-2"] == []
            held = await t.store.holdings(tenant, ["c-1", "c-2"])
            assert held == {"c-1": {"loyalty": Held(Current("silver"), 2, None)}}

    async def test_what_a_decision_sees_is_the_domain_selection(
        self, twin: Twins, tenant: str
    ) -> None:
        async with twin() as t:
            stays = [booked(f"r{n}", TODAY - timedelta(days=d)) for n, d in enumerate((400, 30, 1))]
            await t.record(tenant, "c-1", stays)
            sight = sight_of_rules([CountRule("reservations", 2, None, 365)], NOW)
            [(facts, kept)] = (await t.store.visible(tenant, ["c-1"], sight, [])).values()
            expected_facts, expected = visible(stays, sight)
            assert sorted(e.event_id for e in kept) == sorted(e.event_id for e in expected)
            assert facts.reservations == expected_facts.reservations
            assert len(facts.reservations) == 2  # the stay of 400 days ago is out of sight

    async def test_a_target_is_claimed_once_until_it_changes(
        self, twin: Twins, tenant: str
    ) -> None:
        async with twin() as t:
            first = await t.store.claim_proposals(tenant, [("c-1", "loyalty", "gold")], NOW)
            again = await t.store.claim_proposals(tenant, [("c-1", "loyalty", "gold")], NOW)
            other = await t.store.claim_proposals(tenant, [("c-1", "loyalty", "silver")], NOW)
            assert (first, again, other) == ({("c-1", "loyalty")}, set(), {("c-1", "loyalty")})
