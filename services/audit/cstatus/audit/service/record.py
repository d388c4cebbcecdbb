"""Recording a batch of consumed events in the audit log, in their order of arrival.

An erasure splits the batch: what came before it is written (and then shredded with the key),
what comes after it finds the customer erased and is written without personal data.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from cstatus.audit.service.unit_of_work import AuditLog
from cstatus.contracts.changes import StatusChanged
from cstatus.contracts.configuration import ConfigPublished
from cstatus.contracts.customers import CustomerErased, CustomerProfile
from cstatus.contracts.envelope import CloudEvent
from cstatus.contracts.rejections import StatusRejected

__all__ = ["record_events"]

_RECORDED = (StatusChanged, StatusRejected, CustomerProfile)


async def _write(log: AuditLog, events: Sequence[CloudEvent[Any]]) -> None:
    if not events:
        return
    # what the log records; a notice ahead of a move down (`WillDowngrade`) changes nothing
    about_customers = [e for e in events if isinstance(e.data, _RECORDED)]
    keys = await log.keys_for_writing([(e.tenant, e.subject) for e in about_customers])
    changes = [e for e in events if isinstance(e.data, StatusChanged)]
    rejections = [e for e in events if isinstance(e.data, StatusRejected)]
    profiles = [e for e in events if isinstance(e.data, CustomerProfile)]
    configs = [e for e in events if isinstance(e.data, ConfigPublished)]
    if configs:
        await log.save_names(cast(list[CloudEvent[ConfigPublished]], configs))
    if changes:
        secrets = await log.tenant_secrets({e.tenant for e in changes})
        await log.append_changes(cast(list[CloudEvent[StatusChanged]], changes), keys, secrets)
    if rejections:
        await log.append_rejections(cast(list[CloudEvent[StatusRejected]], rejections), keys)
    if profiles:
        await log.append_profiles(cast(list[CloudEvent[CustomerProfile]], profiles), keys)


async def record_events(log: AuditLog, events: Sequence[CloudEvent[Any]]) -> None:
    pending: list[CloudEvent[Any]] = []
    for event in events:
        if isinstance(event.data, CustomerErased):
            await _write(log, pending)
            pending.clear()
            await log.erase_customer(
                event.tenant, event.subject, erasure_id=event.id, at=event.time
            )
        else:
            pending.append(event)
    await _write(log, pending)
