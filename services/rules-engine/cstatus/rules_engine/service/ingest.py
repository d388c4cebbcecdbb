"""One consumed batch: record activity and views, flag outlier transactions, then decide, for
every customer the batch touched, the categories its events can move (`domain/relevance.py`:
those a rule of which reads one of its event types, and those a change arrived for; what time
alone changes is the daily sweep's). A configuration change only records a re-evaluation job per
changed category (`service/reevaluate.py` works them outside this transaction).

Pin rules assumed from the changes topic (the assignment service owns them): a `manual` change
pins, until `explanation.details["pinned_until"]` when given; a `system` change whose explanation
rule is `unpin` or `pin_expired` unpins, and an `automatic` one cannot happen while pinned, so it
unpins too; any other change keeps the pin as it was.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import TypeAdapter, ValidationError

from cstatus.contracts import topics
from cstatus.contracts.changes import StatusChanged
from cstatus.contracts.configuration import ConfigPublished
from cstatus.contracts.customers import CustomerErased
from cstatus.contracts.envelope import CloudEvent, encode, message_key, new_event
from cstatus.contracts.outliers import TransactionOutlier
from cstatus.contracts.transactions import TransactionCompleted
from cstatus.platform.db.outbox import OutboxMessage
from cstatus.platform.tracing import producing
from cstatus.rules_engine.adapters.translate import activity_of
from cstatus.rules_engine.domain.erasure import pseudonymised
from cstatus.rules_engine.domain.facts import ActivityEvent
from cstatus.rules_engine.domain.holdings import HoldingChange
from cstatus.rules_engine.domain.tenant import OUTLIER_STATES, TenantRules, changed_categories
from cstatus.rules_engine.domain.velocity import VELOCITY_EVENTS
from cstatus.rules_engine.service.decide import SOURCE, Recent, decide
from cstatus.rules_engine.service.unit_of_work import IngestStore, Outlier

__all__ = ["holding_change", "ingest"]

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


def holding_change(event: CloudEvent[StatusChanged]) -> HoldingChange:
    change = event.data
    pin: bool | None = None
    if change.pinned is not None:  # v2 producers say it
        pin = change.pinned
    elif change.source == "manual":
        pin = change.to is not None  # a person clearing the status clears its pin too
    elif change.source == "automatic" or (
        change.source == "system"
        and change.explanation is not None
        and change.explanation.rule in _UNPINNING_RULES
    ):
        pin = False
    to = change.to
    return HoldingChange(
        tenant=event.tenant,
        customer=event.subject,
        category=change.category_code,
        status_code=to.code if to else None,
        system_state=to.system_state if to else None,
        pin=pin,
        pinned_until=_pinned_until(change) if pin else None,
        sequence=change.sequence,
        entered_by=(
            change.explanation.rule
            if change.source == "automatic" and change.explanation is not None
            else None
        ),
    )


def _outlier(
    tenant: str,
    customer: str,
    event_id: str,
    data: TransactionOutlier,
    now: datetime,
    cause: str | None = None,
) -> OutboxMessage:
    outlier_id = uuid.uuid5(_OUTLIER_NAMESPACE, f"{tenant}:{event_id}").hex
    event = new_event(
        data,
        id=outlier_id,
        source=SOURCE,
        tenant=tenant,
        subject=customer,
        time=now,
        traceparent=producing("rules-engine outlier", cause, topic=topics.OUTLIERS),
    )
    return OutboxMessage(topics.OUTLIERS, message_key(tenant, customer), encode(event))


@dataclass
class _Moved:
    """Per (tenant, customer) of a batch: the types of its activity events, and the categories
    a change arrived for."""

    types: dict[tuple[str, str], set[str]] = field(default_factory=dict)
    changed: dict[tuple[str, str], set[str]] = field(default_factory=dict)
    refs: dict[str, set[tuple[str, str]]] = field(default_factory=dict)
    """tenant -> (customer, ref) of its velocity events (sales, refunds, redemptions)."""
    causes: dict[tuple[str, str], str] = field(default_factory=dict)
    """The traceparent of each customer's latest traced event: a proposal continues its trace."""

    def anchor(self, tenant: str, customer: str, event: ActivityEvent) -> None:
        """Note the ref of a velocity event, as stored (pseudonymised for an erased customer)."""
        if event.type in VELOCITY_EVENTS:
            self.refs.setdefault(tenant, set()).add((customer, event.ref))

    def recent(self, tenant: str) -> Recent:
        changed = {c: codes for (t, c), codes in self.changed.items() if t == tenant}
        causes = {c: parent for (t, c), parent in self.causes.items() if t == tenant}
        return Recent(sorted(self.refs.get(tenant, ())), changed, causes)

    def categories(self, rules: dict[str, TenantRules]) -> dict[str, dict[str, frozenset[str]]]:
        """tenant -> customer -> the categories to evaluate: those a rule of which reads one of
        the customer's event types, and those changed (`domain/relevance.py`)."""
        wanted: dict[str, dict[str, frozenset[str]]] = {}
        for key in self.types.keys() | self.changed.keys():
            tenant, customer = key
            known = rules.get(tenant)
            if known is None:
                continue
            codes = known.moved_by(self.types.get(key, ())) | self.changed.get(key, set())
            if codes:
                wanted.setdefault(tenant, {})[customer] = codes
        return wanted


async def ingest(store: IngestStore, events: Sequence[CloudEvent[Any]], now: datetime) -> None:
    """The handler of one consumed batch, inside its transaction (`store`)."""
    configs: list[tuple[str, int, str]] = []
    changes: list[HoldingChange] = []
    activity: list[tuple[str, str, ActivityEvent]] = []
    sales: list[CloudEvent[TransactionCompleted]] = []
    touched: set[tuple[str, str]] = set()
    erased: list[tuple[str, str]] = []
    moved = _Moved()
    for event in events:
        data = event.data
        if isinstance(data, ConfigPublished):
            configs.append((data.tenant, data.version, data.config.model_dump_json()))
            continue
        key = (event.tenant, event.subject)
        touched.add(key)
        if event.traceparent:
            moved.causes[key] = event.traceparent
        if isinstance(data, CustomerErased):
            erased.append(key)
            continue
        if isinstance(data, StatusChanged):
            changes.append(holding_change(event))
            moved.changed.setdefault(key, set()).add(data.category_code)
            continue
        found = activity_of(event)
        if found is not None:
            activity.append((event.tenant, event.subject, found))
            moved.types.setdefault(key, set()).add(found.type)
        if isinstance(data, TransactionCompleted):
            sales.append(event)
    before = await store.rules({t for t, _, _ in configs}) if configs else {}
    reconfigured = await store.store_configs(configs)
    await store.record_customers(sorted(touched))
    gone = await store.erased([(t, c) for t, c, _ in activity])
    if gone:  # an erased customer's later events are kept as its erased ones are
        activity = [(t, c, pseudonymised(t, c, e) if (t, c) in gone else e) for t, c, e in activity]
    await store.record_activity(activity)
    await store.erase(erased)
    erased_now = set(erased) - gone
    for t, c, e in activity:  # the refs as stored: an erasure in this batch rewrote them
        moved.anchor(t, c, pseudonymised(t, c, e) if (t, c) in erased_now else e)
    await store.record_changes(changes)
    rules = await store.rules({t for t, _ in touched} | set(reconfigured))
    for tenant in reconfigured:
        changed = changed_categories(before.get(tenant), rules[tenant])
        await store.start_reevaluations(tenant, rules[tenant].version, changed)
    wanted = moved.categories(rules)
    await _flag_outliers(store, sales, rules, now)
    clocks = await store.swept_ahead(list(wanted), now)
    for tenant, by_customer in sorted(wanted.items()):
        await decide(
            store,
            tenant,
            rules[tenant],
            sorted(by_customer),
            clocks.get(tenant, now),
            only=by_customer,
            recent=moved.recent(tenant),
        )


async def _flag_outliers(
    store: IngestStore,
    sales: Sequence[CloudEvent[TransactionCompleted]],
    rules: dict[str, TenantRules],
    now: datetime,
) -> None:
    messages: list[OutboxMessage] = []
    flagged: list[Outlier] = []
    for tenant in sorted({s.tenant for s in sales}):
        mine = [s for s in sales if s.tenant == tenant]
        known = rules.get(tenant, TenantRules(0, ()))
        marking = (OUTLIER_STATES, known.outlier_statuses.keys())
        holdings = await store.marked_holdings(tenant, [s.subject for s in mine], marking)
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
                messages.append(
                    _outlier(tenant, sale.subject, sale.id, data, now, sale.traceparent)
                )
                flagged.append(Outlier(tenant, sale.subject, sale.id, data, now))
    await store.record_outliers(flagged)
    if messages:
        await store.publish(messages)
