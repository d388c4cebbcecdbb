"""What recording a batch needs from storage (the port; `adapters/` implements it twice: in
PostgreSQL, `log_store.PostgresAuditLog`, and in memory, `memory_log.MemoryAuditLog`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Protocol

from cstatus.contracts.changes import StatusChanged
from cstatus.contracts.configuration import ConfigPublished
from cstatus.contracts.customers import CustomerProfile
from cstatus.contracts.envelope import CloudEvent
from cstatus.contracts.rejections import StatusRejected

__all__ = ["AuditLog", "CustomerRef"]

CustomerRef = tuple[str, str]
"""(tenant, customer_id)"""


class AuditLog(Protocol):
    """The audit log inside the batch's transaction."""

    async def keys_for_writing(
        self, customers: Iterable[CustomerRef]
    ) -> dict[CustomerRef, bytes | None]:
        """Each customer's key, created if missing; None for an erased customer."""
        ...

    async def tenant_secrets(self, tenants: Iterable[str]) -> dict[str, bytes]:
        """Each tenant's digest secret, created if missing."""
        ...

    async def append_changes(
        self,
        events: Sequence[CloudEvent[StatusChanged]],
        keys: Mapping[CustomerRef, bytes | None],
        secrets: Mapping[str, bytes],
    ) -> None:
        """Once per (tenant, change_id); personal data sealed with the key (none without)."""
        ...

    async def append_rejections(
        self,
        events: Sequence[CloudEvent[StatusRejected]],
        keys: Mapping[CustomerRef, bytes | None],
    ) -> None: ...

    async def append_profiles(
        self,
        events: Sequence[CloudEvent[CustomerProfile]],
        keys: Mapping[CustomerRef, bytes | None],
    ) -> None: ...

    async def save_names(self, events: Sequence[CloudEvent[ConfigPublished]]) -> None:
        """Each tenant's translations at its newest configuration version."""
        ...

    async def erase_customer(
        self, tenant: str, customer: str, *, erasure_id: str, at: datetime
    ) -> None:
        """Shred the customer's key (the first erasure's id and time are kept)."""
        ...
