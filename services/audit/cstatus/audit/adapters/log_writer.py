"""Appending to the audit log tables; personal fields are sealed with the customer's key.

Every insert is `ON CONFLICT DO NOTHING` on the entry's natural id (`change_id` for changes,
`ref_id` + category for rejections, the event id for profile events), so a re-published message
under a new envelope id is still stored once. A customer without a key (erased) gets NULL in
every personal field.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import asyncpg

from cstatus.audit.adapters.cipher import digest, seal
from cstatus.audit.adapters.keys import CustomerRef
from cstatus.contracts.changes import StatusChanged
from cstatus.contracts.customers import CustomerProfile
from cstatus.contracts.envelope import CloudEvent
from cstatus.contracts.rejections import StatusRejected

__all__ = ["append_changes", "append_profiles", "append_rejections"]


def _sealed(
    key: bytes | None, text: str | None, *, tenant: str, customer: str, field: str
) -> bytes | None:
    if key is None or text is None:
        return None
    return seal(key, text, tenant=tenant, customer=customer, field=field)


async def append_changes(
    conn: asyncpg.Connection,
    events: Sequence[CloudEvent[StatusChanged]],
    keys: Mapping[CustomerRef, bytes | None],
    secrets: Mapping[str, bytes],
) -> None:
    rows: list[tuple[Any, ...]] = []
    for event in events:
        tenant, customer, data = event.tenant, event.subject, event.data
        key = keys.get((tenant, customer))
        rows.append(
            (
                tenant,
                customer,
                data.change_id,
                event.id,
                data.category_code,
                data.sequence,
                data.from_.code if data.from_ else None,
                data.from_.name if data.from_ else None,
                data.from_.system_state if data.from_ else None,
                data.to.code if data.to else None,
                data.to.name if data.to else None,
                data.to.system_state if data.to else None,
                data.source,
                digest(secrets[tenant], data.actor) if key is not None else None,
                _sealed(key, data.actor, tenant=tenant, customer=customer, field="actor"),
                _sealed(key, data.reason, tenant=tenant, customer=customer, field="reason"),
                _sealed(
                    key, data.approved_by, tenant=tenant, customer=customer, field="approved_by"
                ),
                data.explanation.model_dump(mode="json") if data.explanation else None,
                data.exclude_from_reports,
                data.effective_at,
            )
        )
    await conn.executemany(
        "INSERT INTO change_log (tenant, customer_id, change_id, event_id, category_code,"
        " sequence, from_code, from_name, from_system_state, to_code, to_name, to_system_state,"
        " source, actor_digest, actor_sealed, reason_sealed, approved_by_sealed, explanation,"
        " exclude_from_reports, effective_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10,"
        " $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)"
        " ON CONFLICT (tenant, change_id) DO NOTHING",
        rows,
    )


async def append_rejections(
    conn: asyncpg.Connection,
    events: Sequence[CloudEvent[StatusRejected]],
    keys: Mapping[CustomerRef, bytes | None],
) -> None:
    rows = [
        (
            e.tenant,
            e.subject,
            e.id,
            e.data.ref_id,
            e.data.category_code,
            e.data.status_code,
            e.data.reason_code,
            _sealed(
                keys.get((e.tenant, e.subject)),
                e.data.message,
                tenant=e.tenant,
                customer=e.subject,
                field="message",
            ),
            e.time,
        )
        for e in events
    ]
    await conn.executemany(
        "INSERT INTO rejection_log (tenant, customer_id, event_id, ref_id, category_code,"
        " status_code, reason_code, message_sealed, occurred_at)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
        " ON CONFLICT (tenant, ref_id, category_code) DO NOTHING",
        rows,
    )


async def append_profiles(
    conn: asyncpg.Connection,
    events: Sequence[CloudEvent[CustomerProfile]],
    keys: Mapping[CustomerRef, bytes | None],
) -> None:
    rows = [
        (
            e.tenant,
            e.subject,
            e.id,
            e.type,
            _sealed(
                keys.get((e.tenant, e.subject)),
                json.dumps(e.data.model_dump(mode="json", exclude_none=True)),
                tenant=e.tenant,
                customer=e.subject,
                field="profile",
            ),
            e.time,
        )
        for e in events
    ]
    await conn.executemany(
        "INSERT INTO profile_log (tenant, customer_id, event_id, event_type, data_sealed,"
        " occurred_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (tenant, event_id) DO NOTHING",
        rows,
    )
