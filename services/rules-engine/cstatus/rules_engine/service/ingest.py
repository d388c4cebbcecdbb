"""One consumed batch: record activity and views, flag outlier transactions, then decide for
every customer the batch touched. A configuration change only records a re-evaluation job per
changed category (`service/reevaluate.py` works them outside this transaction).

Pin rules assumed from the changes topic (the assignment service owns them): a `manual` change
pins, until `explanation.details["pinned_until"]` when given; a `system` change whose explanation
rule is `unpin` or `pin_expired` unpins, and an `automatic` one cannot happen while pinned, so it
unpins too; any other change keeps the pin as it was.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

import asyncpg
from pydantic import TypeAdapter, ValidationError

from cstatus.contracts import topics
from cstatus.contracts.changes import StatusChanged
from cstatus.contracts.configuration import ConfigPublished
from cstatus.contracts.envelope import CloudEvent, encode, message_key, new_event
from cstatus.contracts.outliers import TransactionOutlier
from cstatus.contracts.transactions import TransactionCompleted
from cstatus.platform.db.outbox import OutboxMessage, enqueue
from cstatus.rules_engine.adapters.activity_store import record_activity, record_customers
from cstatus.rules_engine.adapters.reevaluations import record_jobs
from cstatus.rules_engine.adapters.translate import activity_of
from cstatus.rules_engine.adapters.views import (
    ChangeRow,
    load_holdings,
    load_rules,
    record_changes,
    store_configs,
)
from cstatus.rules_engine.domain.facts import ActivityEvent
from cstatus.rules_engine.domain.tenant import TenantRules, changed_categories
from cstatus.rules_engine.service.decide import SOURCE, decide
from cstatus.rules_engine.service.velocity import VelocitySource, WindowedVelocity, from_activity

__all__ = ["BatchApplier", "change_row"]

_OUTLIER_NAMESPACE = uuid.UUID("5b0f6b52-8c53-4a8e-9f57-0d1b1e7f5a01")
_UNPINNING_RULES = frozenset({"unpin", "pin_expired"})
_DATETIME = TypeAdapter(datetime)


def _pinned_until(change: StatusChanged) -> datetime | None:
    raw = change.explanation.details.get("pinned_until") if change.explanation else None
    if raw is None:
        return None
    try:
        return _DATETIME.validate_python(raw)
    except ValidationError:
        return None


def change_row(event: CloudEvent[StatusChanged]) -> ChangeRow:
    change = event.data
    pin: bool | None = None
    if change.source == "manual":
        pin = True
    elif change.source == "automatic" or (
        change.source == "system"
        and change.explanation is not None
        and change.explanation.rule in _UNPINNING_RULES
    ):
        pin = False
    to = change.to
    return ChangeRow(
        tenant=event.tenant,
        customer=event.subject,
        category=change.category_code,
        status_code=to.code if to else None,
        system_state=to.system_state if to else None,
        pin=pin,
        pinned_until=_pinned_until(change) if pin else None,
        sequence=change.sequence,
    )


def _outlier(
    tenant: str, customer: str, event_id: str, data: TransactionOutlier, now: datetime
) -> OutboxMessage:
    outlier_id = uuid.uuid5(_OUTLIER_NAMESPACE, f"{tenant}:{event_id}").hex
    event = new_event(
        data,
        id=outlier_id,
        source=SOURCE,
        tenant=tenant,
        subject=customer,
        time=now,
    )
    return OutboxMessage(topics.OUTLIERS, message_key(tenant, customer), encode(event))


class BatchApplier:
    """The `apply` of the transactional consumer: everything on the batch's connection."""

    def __init__(
        self,
        schema: str,
        clock: Callable[[], datetime],
        velocity: WindowedVelocity | None = None,
    ) -> None:
        self._schema = schema
        self._clock = clock
        self._velocity = velocity

    async def __call__(self, conn: asyncpg.Connection, events: Sequence[CloudEvent[Any]]) -> None:
        now = self._clock()
        configs: list[tuple[str, int, str]] = []
        changes: list[ChangeRow] = []
        activity: list[tuple[str, str, ActivityEvent]] = []
        sales: list[CloudEvent[TransactionCompleted]] = []
        touched: set[tuple[str, str]] = set()
        for event in events:
            data = event.data
            if isinstance(data, ConfigPublished):
                configs.append((data.tenant, data.version, data.config.model_dump_json()))
                continue
            touched.add((event.tenant, event.subject))
            if isinstance(data, StatusChanged):
                changes.append(change_row(event))
                continue
            found = activity_of(event)
            if found is not None:
                activity.append((event.tenant, event.subject, found))
            if isinstance(data, TransactionCompleted):
                sales.append(event)
        before = await load_rules(conn, {t for t, _, _ in configs}) if configs else {}
        reconfigured = await store_configs(conn, configs)
        await record_customers(conn, sorted(touched))
        await record_activity(conn, activity)
        await record_changes(conn, changes)
        rules = await load_rules(conn, {t for t, _ in touched} | set(reconfigured))
        for tenant in reconfigured:
            changed = changed_categories(before.get(tenant), rules[tenant])
            await record_jobs(conn, tenant, rules[tenant].version, changed)
        decided = sorted((t, c) for t, c in touched if t in rules)
        velocity: VelocitySource = from_activity
        if self._velocity is not None:
            velocity = await self._velocity.batch(conn, rules, activity, decided)
        await self._flag_outliers(conn, sales, rules, now)
        by_tenant: dict[str, list[str]] = {}
        for tenant, customer in decided:
            by_tenant.setdefault(tenant, []).append(customer)
        for tenant, customers in by_tenant.items():
            await decide(conn, self._schema, tenant, rules[tenant], customers, now, velocity)

    async def _flag_outliers(
        self,
        conn: asyncpg.Connection,
        sales: Sequence[CloudEvent[TransactionCompleted]],
        rules: dict[str, TenantRules],
        now: datetime,
    ) -> None:
        messages: list[OutboxMessage] = []
        for tenant in sorted({s.tenant for s in sales}):
            mine = [s for s in sales if s.tenant == tenant]
            holdings = await load_holdings(conn, tenant, [s.subject for s in mine])
            known = rules.get(tenant, TenantRules(0, ()))
            for sale in mine:
                held = holdings.get(sale.subject, {})
                found = known.outlier_reason(
                    h for code, x in held.items() if (h := x.holding(code)) is not None
                )
                if found is not None:
                    holding, reason = found
                    data = TransactionOutlier(
                        transaction_id=sale.data.transaction_id,
                        reason=reason,
                        status_code=holding.status_code,
                    )
                    messages.append(_outlier(tenant, sale.subject, sale.id, data, now))
        await enqueue(conn, self._schema, messages)
