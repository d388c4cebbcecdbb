"""The messages the service publishes through its outbox: changes, snapshots and rejections."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Mapping
from datetime import datetime
from functools import lru_cache
from typing import Any

from cstatus.assignment.domain.catalogue import Catalogue
from cstatus.assignment.domain.holding import Holding
from cstatus.assignment.domain.restrictions import Restrictions
from cstatus.contracts import topics
from cstatus.contracts.changes import Explanation, StatusChanged, StatusRef
from cstatus.contracts.envelope import encode, message_key, new_event
from cstatus.contracts.rejections import StatusRejected
from cstatus.contracts.snapshots import (
    CustomerSnapshot,
    HeldStatus,
    RestrictionReason,
)
from cstatus.contracts.snapshots import Restrictions as RestrictionsOut
from cstatus.platform import caches
from cstatus.platform.db.outbox import OutboxMessage
from cstatus.platform.tracing import current_traceparent

__all__ = [
    "SOURCE",
    "change_id",
    "change_message",
    "message_id",
    "rejection_message",
    "snapshot_message",
    "snapshot_tombstone",
]

SOURCE = "assignment"
_IDS = uuid.UUID("6f0b1a52-3c1e-4d7e-9a43-2f5b0c9d8e11")
_NAMESPACE = hashlib.sha1(_IDS.bytes, usedforsecurity=False)


def message_id(name: str) -> str:
    """`str(uuid.uuid5(_IDS, name))`, computed without building `UUID` objects (3x faster)."""
    digest = _NAMESPACE.copy()
    digest.update(name.encode())
    raw = bytearray(digest.digest()[:16])
    raw[6] = (raw[6] & 0x0F) | 0x50  # version 5
    raw[8] = (raw[8] & 0x3F) | 0x80  # RFC 4122 variant
    x = raw.hex()
    return f"{x[:8]}-{x[8:12]}-{x[12:16]}-{x[16:20]}-{x[20:]}"


def change_id(tenant: str, customer: str, category: str, sequence: int) -> str:
    """Deterministic, so a replayed transaction names its change the same way."""
    return message_id(f"change/{tenant}/{customer}/{category}/{sequence}")


def _ref(catalogue: Catalogue, category: str, code: str | None) -> StatusRef | None:
    if code is None:
        return None
    status = catalogue.status(category, code)
    if status is None:
        return StatusRef(code=code, name=code)
    return StatusRef(
        code=code,
        name=status.name,
        system_state=status.system_state,
        colour=status.colour,
        icon_url=status.icon_url,
        display_as=status.display_as,
    )


def change_message(
    ident: str,
    tenant: str,
    customer: str,
    catalogue: Catalogue,
    previous: Holding | None,
    holding: Holding,
    explanation: Mapping[str, Any] | None,
    *,
    excluded: bool,
    approved_by: str | None = None,
) -> OutboxMessage:
    """The change `ident` (its `change_id`) as a `customer_status.changed` event; `excluded`:
    the customer holds (or held until this change) a status excluded from reports, which flags
    every change of theirs, in every category (SPEC §1 v2)."""
    category = holding.category_code
    data = StatusChanged(
        change_id=ident,
        category_code=category,
        from_=_ref(catalogue, category, previous.status_code if previous else None),
        to=_ref(catalogue, category, holding.status_code),
        source=holding.source,
        actor=holding.updated_by,
        approved_by=approved_by,
        reason=holding.reason,
        explanation=Explanation.model_validate(explanation) if explanation else None,
        effective_at=holding.updated_at,
        sequence=holding.sequence,
        exclude_from_reports=excluded,
        pinned=holding.pinned,
    )
    event = new_event(
        data,
        id=ident,
        source=SOURCE,
        tenant=tenant,
        subject=customer,
        time=holding.updated_at,
        traceparent=current_traceparent(),  # the trace of the proposal, command or request
    )
    return OutboxMessage(topics.STATUS_CHANGES, message_key(tenant, customer), encode(event))


@lru_cache(maxsize=1024)
def _restrictions(r: Restrictions) -> RestrictionsOut:
    """Built once per distinct set of restrictions (most customers share a few)."""
    return RestrictionsOut(
        can_transact=r.can_transact,
        can_redeem=r.can_redeem,
        can_book_online=r.can_book_online,
        must_prepay_online=r.must_prepay_online,
        transactions_are_outliers=r.transactions_are_outliers,
        exclude_from_reports=r.exclude_from_reports,
        marketing_allowed=r.marketing_allowed,
        marketing_consent=r.marketing_consent,
        staff_change_warning=r.staff_change_warning,
        max_appointments=r.max_appointments,
        allowed_service_codes=tuple(sorted(r.allowed_service_codes))
        if r.allowed_service_codes is not None
        else None,
        reasons=tuple(
            RestrictionReason(category_code=x.category_code, status_code=x.status_code, rule=x.rule)
            for x in r.reasons
        ),
    )


def snapshot_message(
    tenant: str,
    customer: str,
    catalogue: Catalogue,
    holdings: Mapping[str, Holding],
    restrictions: Restrictions,
    version: int,
    now: datetime,
) -> OutboxMessage:
    statuses: dict[str, HeldStatus] = {}
    for code, h in sorted(holdings.items()):
        ref = _ref(catalogue, code, h.status_code)
        if ref is None:
            continue
        statuses[code] = HeldStatus(
            code=ref.code,
            name=ref.name,
            system_state=ref.system_state,
            colour=ref.colour,
            icon_url=ref.icon_url,
            display_as=ref.display_as,
            source=h.source,
            since=h.since,
            pinned_until=h.pinned_until,
        )
    data = CustomerSnapshot(
        customer_id=customer,
        statuses=statuses,
        restrictions=_restrictions(restrictions),
        version=version,
        updated_at=now,
    )
    ident = message_id(f"snapshot/{tenant}/{customer}/{version}")
    event = new_event(data, id=ident, source=SOURCE, tenant=tenant, subject=customer, time=now)
    return OutboxMessage(topics.SNAPSHOTS, message_key(tenant, customer), encode(event))


def rejection_message(
    tenant: str,
    customer: str,
    *,
    ref_id: str,
    category_code: str,
    status_code: str | None,
    reason_code: str,
    message: str,
    now: datetime,
) -> OutboxMessage:
    data = StatusRejected(
        ref_id=ref_id,
        category_code=category_code,
        status_code=status_code,
        reason_code=reason_code,
        message=message,
    )
    ident = message_id(f"rejection/{tenant}/{customer}/{ref_id}")
    event = new_event(
        data,
        id=ident,
        source=SOURCE,
        tenant=tenant,
        subject=customer,
        time=now,
        traceparent=current_traceparent(),
    )
    return OutboxMessage(topics.REJECTIONS, message_key(tenant, customer), encode(event))


def snapshot_tombstone(tenant: str, customer: str) -> OutboxMessage:
    """A null value for the customer's key on the compacted snapshot topic (after an erasure)."""
    return OutboxMessage(topics.SNAPSHOTS, message_key(tenant, customer), None)


caches.register_lru("restrictions_payloads", _restrictions)
