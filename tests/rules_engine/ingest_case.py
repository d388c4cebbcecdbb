"""One test case for both twins of the rules engine's ingest store (`service.unit_of_work.
IngestStore`): PostgreSQL (`integration/test_ingest_postgres.py`) and the in-memory one the
handler tests use (`unit/test_ingest_memory.py`). A subclass gives `twin`: an async context
manager yielding an `IngestTwin` (the store, and how to look at what the port does not read back).
Also the events and configurations the handler tests on the twin build."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from cstatus.contracts.changes import Explanation, StatusChanged, StatusRef
from cstatus.contracts.configuration import (
    CategoryConfig,
    ConfigPublished,
    FirstActivityRule,
    Rule,
    StatusConfig,
    TenantConfiguration,
)
from cstatus.contracts.envelope import CloudEvent, EventData, new_event
from cstatus.contracts.fields import SystemState
from cstatus.contracts.outliers import TransactionOutlier
from cstatus.rules_engine.domain.erasure import pseudonym
from cstatus.rules_engine.domain.facts import ActivityEvent
from cstatus.rules_engine.domain.holdings import HoldingChange
from cstatus.rules_engine.domain.model import Current
from cstatus.rules_engine.domain.tenant import OUTLIER_STATES, Held
from cstatus.rules_engine.service.unit_of_work import IngestStore, Outlier

NOW = datetime(2026, 12, 7, 12, tzinfo=UTC)
TODAY = NOW.date()


@dataclass(frozen=True, slots=True)
class IngestTwin:
    store: IngestStore
    jobs: Callable[[str], Awaitable[dict[str, int]]]
    """tenant -> category -> the version of its re-evaluation job"""
    outliers: Callable[[str, str], Awaitable[list[str]]]
    """(tenant, customer) -> the event ids of its recorded outliers, sorted"""
    sweep: Callable[[str, date], Awaitable[None]]
    """Record a sweep of the tenant as of the day."""


IngestTwins = Callable[[], AbstractAsyncContextManager[IngestTwin]]


def status(
    code: str,
    priority: int = 0,
    *,
    default: bool = False,
    rule: Rule | None = None,
    state: SystemState | None = None,
) -> StatusConfig:
    return StatusConfig(
        id=code,
        code=code,
        name=code.title(),
        colour="#336699",
        priority=priority,
        is_default=default,
        system_state=state,
        rule=rule,
    )


def configuration(*categories: tuple[str, tuple[StatusConfig, ...]]) -> TenantConfiguration:
    return TenantConfiguration(
        categories=tuple(
            CategoryConfig(
                id=code,
                code=code,
                name=code.title(),
                update_mode="automatic",
                manual_override_allowed=True,
                statuses=statuses,
            )
            for code, statuses in categories
        )
    )


def relationship(*, priority: int = 10) -> TenantConfiguration:
    """lead (default) -> client on a first booking; `priority` varies the document."""
    client = FirstActivityRule(triggers=("reservation.booked",))
    lead, won = status("lead", 0, default=True), status("client", priority, rule=client)
    return configuration(("relationship", (lead, won)))


def event(data: EventData, tenant: str, customer: str, at: datetime = NOW) -> CloudEvent[Any]:
    return new_event(
        data, id=uuid.uuid4().hex, source="test", tenant=tenant, subject=customer, time=at
    )


def published(tenant: str, version: int, config: TenantConfiguration) -> CloudEvent[Any]:
    return event(ConfigPublished(tenant=tenant, version=version, config=config), tenant, tenant)


def changed(
    tenant: str,
    customer: str,
    category: str,
    code: str,
    sequence: int,
    *,
    source: str = "automatic",
    rule: str = "test",
    state: SystemState | None = None,
) -> CloudEvent[Any]:
    change = StatusChanged(
        change_id=uuid.uuid4().hex,
        category_code=category,
        from_=None,
        to=StatusRef(code=code, name=code.title(), system_state=state),
        source=source,  # type: ignore[arg-type]
        actor="assignment",
        explanation=Explanation(rule=rule),
        effective_at=NOW,
        sequence=sequence,
        exclude_from_reports=False,
    )
    return event(change, tenant, customer)


def booked(ref: str, arrival: date = TODAY) -> ActivityEvent:
    return ActivityEvent(f"b-{ref}", "reservation.booked", NOW, ref, arrival_date=arrival)


def holding(
    tenant: str,
    customer: str,
    category: str,
    code: str,
    sequence: int,
    *,
    pin: bool | None = None,
    until: datetime | None = None,
    rule: str | None = None,
    state: str | None = None,
) -> HoldingChange:
    return HoldingChange(tenant, customer, category, code, state, pin, until, sequence, rule)


def _outlier(tenant: str, customer: str, event_id: str) -> Outlier:
    data = TransactionOutlier(transaction_id=f"t-{event_id}", reason="fraud", status_code="fraud")
    return Outlier(tenant, customer, event_id, data, NOW)


class IngestCase:
    @pytest.fixture
    def twin(self) -> IngestTwins:
        raise NotImplementedError

    @pytest.fixture
    def tenant(self) -> str:
        return f"ri-{uuid.uuid4().hex[:10]}"

    async def test_the_highest_configuration_version_is_kept(
        self, twin: IngestTwins, tenant: str
    ) -> None:
        async with twin() as t:
            two, one = relationship(priority=20), relationship(priority=5)
            stored = await t.store.store_configs(
                [(tenant, 2, two.model_dump_json()), (tenant, 1, one.model_dump_json())]
            )
            assert stored == [tenant]
            rules = await t.store.rules([tenant, "ri-nobody"])
            assert list(rules) == [tenant] and rules[tenant].version == 2
            [category] = rules[tenant].categories
            assert category.status("client").priority == 20  # type: ignore[union-attr]
            assert await t.store.store_configs([(tenant, 2, one.model_dump_json())]) == []
            assert await t.store.store_configs([(tenant, 3, one.model_dump_json())]) == [tenant]
            assert (await t.store.rules([tenant]))[tenant].version == 3

    async def test_an_erasure_pseudonymises_once_and_forgets_outliers(
        self, twin: IngestTwins, tenant: str
    ) -> None:
        async with twin() as t:
            gone, kept = (tenant, "c-gone"), (tenant, "c-kept")
            await t.store.record_customers([gone, kept])
            await t.store.record_activity([(*gone, booked("r1")), (*kept, booked("r2"))])
            await t.store.record_outliers([_outlier(*gone, "e1"), _outlier(*kept, "e2")])
            await t.store.erase([gone])
            await t.store.erase([gone])  # again: the pseudonyms are not pseudonymised
            assert await t.store.erased([gone, kept]) == {gone}
            found = await t.store.activity(tenant, ["c-gone", "c-kept"])
            [erased] = found["c-gone"]
            assert erased.ref == pseudonym(*gone, "r1")
            assert erased.event_id == pseudonym(*gone, "b-r1")
            assert erased.arrival_date == TODAY  # what the counts need stays
            assert [e.ref for e in found["c-kept"]] == ["r2"]
            assert await t.outliers(*gone) == [] and await t.outliers(*kept) == ["e2"]

    async def test_the_newest_change_wins_and_keeps_or_drops_the_pin(
        self, twin: IngestTwins, tenant: str
    ) -> None:
        async with twin() as t:
            until = NOW + timedelta(days=5)
            await t.store.record_changes(
                [
                    holding(tenant, "c-1", "tier", "gold", 2, pin=True, until=until),
                    holding(tenant, "c-1", "tier", "bronze", 1, rule="count"),  # older
                ]
            )
            held = await t.store.holdings(tenant, ["c-1"])
            assert held["c-1"]["tier"] == Held(Current("gold", True, until), 2, None)
            await t.store.record_changes([holding(tenant, "c-1", "tier", "silver", 1)])  # stale
            await t.store.record_changes(
                [
                    holding(tenant, "c-1", "tier", "silver", 3, rule="count"),  # keeps the pin
                    holding(tenant, "c-1", "tier", "silver", 4),  # same status: keeps its rule
                ]
            )
            held = await t.store.holdings(tenant, ["c-1"])
            assert held["c-1"]["tier"] == Held(Current("silver", True, until, "count"), 4, None)
            await t.store.record_changes([holding(tenant, "c-1", "tier", "silver", 5, pin=False)])
            held = await t.store.holdings(tenant, ["c-1"])
            assert held["c-1"]["tier"] == Held(Current("silver", False, None, "count"), 5, None)

    async def test_a_change_kept_ends_the_outstanding_proposal(
        self, twin: IngestTwins, tenant: str
    ) -> None:
        async with twin() as t:
            assert await t.store.claim_proposals(tenant, [("c-1", "tier", "gold")], NOW) == {
                ("c-1", "tier")
            }
            assert await t.store.claim_proposals(tenant, [("c-1", "tier", "gold")], NOW) == set()
            await t.store.record_changes([holding(tenant, "c-1", "tier", "silver", 1)])
            assert await t.store.claim_proposals(tenant, [("c-1", "tier", "gold")], NOW) == {
                ("c-1", "tier")
            }

    async def test_only_the_marked_holdings_are_read_for_outliers(
        self, twin: IngestTwins, tenant: str
    ) -> None:
        async with twin() as t:
            fraud = sorted(OUTLIER_STATES)[0]
            await t.store.record_changes(
                [
                    holding(tenant, "c-1", "lifecycle", "fraud", 1, state=fraud),
                    holding(tenant, "c-1", "tier", "gold", 1),
                    holding(tenant, "c-2", "tier", "staff", 1),
                    holding(tenant, "c-3", "tier", "gold", 1),
                ]
            )
            customers = ["c-1", "c-2", "c-3"]
            marked = await t.store.marked_holdings(
                tenant, customers, (OUTLIER_STATES, {("tier", "staff")})
            )
            assert {c: sorted(h) for c, h in marked.items()} == {
                "c-1": ["lifecycle"],
                "c-2": ["tier"],
            }

    async def test_a_tenant_swept_ahead_decides_as_of_that_day(
        self, twin: IngestTwins, tenant: str
    ) -> None:
        async with twin() as t:
            other = f"{tenant}-b"
            await t.sweep(tenant, TODAY + timedelta(days=1))
            await t.sweep(other, TODAY)  # not ahead
            found = await t.store.swept_ahead([tenant, other, f"{tenant}-c"], NOW)
            tomorrow = datetime.combine(TODAY + timedelta(days=1), datetime.min.time(), UTC)
            assert found == {tenant: tomorrow}

    async def test_a_reevaluation_restarts_only_for_a_newer_version(
        self, twin: IngestTwins, tenant: str
    ) -> None:
        async with twin() as t:
            await t.store.start_reevaluations(tenant, 2, ["tier", "lifecycle"])
            await t.store.start_reevaluations(tenant, 1, ["tier"])  # older: ignored
            await t.store.start_reevaluations(tenant, 3, ["tier"])
            assert await t.jobs(tenant) == {"lifecycle": 2, "tier": 3}

    async def test_an_outlier_is_recorded_once(self, twin: IngestTwins, tenant: str) -> None:
        async with twin() as t:
            await t.store.record_outliers([_outlier(tenant, "c-1", "e1")])
            await t.store.record_outliers([_outlier(tenant, "c-1", "e1")])
            assert await t.outliers(tenant, "c-1") == ["e1"]
