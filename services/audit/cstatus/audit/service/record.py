"""Recording a batch of consumed events in the audit log, in their order of arrival.

An erasure splits the batch: what came before it is written (and then shredded with the key),
what comes after it finds the customer erased and is written without personal data.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

import asyncpg

from cstatus.audit.adapters.keys import erase_customer, keys_for_writing, tenant_secrets
from cstatus.audit.adapters.log_writer import append_changes, append_profiles, append_rejections
from cstatus.audit.adapters.names_store import save_names
from cstatus.contracts.changes import StatusChanged
from cstatus.contracts.configuration import ConfigPublished
from cstatus.contracts.customers import CustomerErased, CustomerProfile
from cstatus.contracts.envelope import CloudEvent
from cstatus.contracts.rejections import StatusRejected

__all__ = ["record_events"]

_RECORDED = (StatusChanged, StatusRejected, CustomerProfile)


async def _write(conn: asyncpg.Connection, events: Sequence[CloudEvent[Any]]) -> None:
    if not events:
        return
    # what the log records; a notice ahead of a move down (`WillDowngrade`) changes nothing
    about_customers = [e for e in events if isinstance(e.data, _RECORDED)]
    keys = await keys_for_writing(conn, [(e.tenant, e.subject) for e in about_customers])
    changes = [e for e in events if isinstance(e.data, StatusChanged)]
    rejections = [e for e in events if isinstance(e.data, StatusRejected)]
    profiles = [e for e in events if isinstance(e.data, CustomerProfile)]
    configs = [e for e in events if isinstance(e.data, ConfigPublished)]
    if configs:
        await save_names(conn, cast(list[CloudEvent[ConfigPublished]], configs))
    if changes:
        secrets = await tenant_secrets(conn, {e.tenant for e in changes})
        await append_changes(conn, cast(list[CloudEvent[StatusChanged]], changes), keys, secrets)
    if rejections:
        await append_rejections(conn, cast(list[CloudEvent[StatusRejected]], rejections), keys)
    if profiles:
        await append_profiles(conn, cast(list[CloudEvent[CustomerProfile]], profiles), keys)


async def record_events(conn: asyncpg.Connection, events: Sequence[CloudEvent[Any]]) -> None:
    pending: list[CloudEvent[Any]] = []
    for event in events:
        if isinstance(event.data, CustomerErased):
            await _write(conn, pending)
            pending.clear()
            await erase_customer(
                conn, event.tenant, event.subject, erasure_id=event.id, at=event.time
            )
        else:
            pending.append(event)
    await _write(conn, pending)
