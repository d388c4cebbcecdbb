"""The audit log in PostgreSQL (schema `audit`) on a batch's connection: the port
`service.unit_of_work.AuditLog` over the writer, key and names modules."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

import asyncpg

from cstatus.audit.adapters import keys, log_writer, names_store
from cstatus.audit.service.unit_of_work import CustomerRef
from cstatus.contracts.changes import StatusChanged
from cstatus.contracts.configuration import ConfigPublished
from cstatus.contracts.customers import CustomerProfile
from cstatus.contracts.envelope import CloudEvent
from cstatus.contracts.rejections import StatusRejected

__all__ = ["PostgresAuditLog"]


class PostgresAuditLog:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def keys_for_writing(
        self, customers: Iterable[CustomerRef]
    ) -> dict[CustomerRef, bytes | None]:
        return await keys.keys_for_writing(self._conn, customers)

    async def tenant_secrets(self, tenants: Iterable[str]) -> dict[str, bytes]:
        return await keys.tenant_secrets(self._conn, tenants)

    async def append_changes(
        self,
        events: Sequence[CloudEvent[StatusChanged]],
        keys: Mapping[CustomerRef, bytes | None],
        secrets: Mapping[str, bytes],
    ) -> None:
        await log_writer.append_changes(self._conn, events, keys, secrets)

    async def append_rejections(
        self,
        events: Sequence[CloudEvent[StatusRejected]],
        keys: Mapping[CustomerRef, bytes | None],
    ) -> None:
        await log_writer.append_rejections(self._conn, events, keys)

    async def append_profiles(
        self,
        events: Sequence[CloudEvent[CustomerProfile]],
        keys: Mapping[CustomerRef, bytes | None],
    ) -> None:
        await log_writer.append_profiles(self._conn, events, keys)

    async def save_names(self, events: Sequence[CloudEvent[ConfigPublished]]) -> None:
        await names_store.save_names(self._conn, events)

    async def erase_customer(
        self, tenant: str, customer: str, *, erasure_id: str, at: datetime
    ) -> None:
        await keys.erase_customer(self._conn, tenant, customer, erasure_id=erasure_id, at=at)
