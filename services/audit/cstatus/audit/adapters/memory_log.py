"""The in-memory twin of `log_store.PostgresAuditLog`, for handler tests in milliseconds: keys
created once and shredded for good, entries once per natural key, personal data kept only
while the customer's key exists (as sealing does), the newest configuration's names.
`tests/audit/log_case.py` runs the same test case against both."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cstatus.audit.service.unit_of_work import CustomerRef
from cstatus.contracts.changes import StatusChanged
from cstatus.contracts.configuration import ConfigPublished
from cstatus.contracts.customers import CustomerProfile
from cstatus.contracts.envelope import CloudEvent
from cstatus.contracts.rejections import StatusRejected

__all__ = ["MemoryAuditLog", "Written"]


@dataclass
class Written:
    """One entry as the log keeps it: `personal` is what only the key can read (None when the
    customer was erased before it was written)."""

    tenant: str
    customer: str
    what: str
    """`change`, `rejection` or `profile`."""
    ident: str
    personal: dict[str, Any] | None


@dataclass
class MemoryAuditLog:
    keys: dict[CustomerRef, bytes | None] = field(default_factory=dict)
    erasures: dict[CustomerRef, tuple[str, datetime]] = field(default_factory=dict)
    secrets: dict[str, bytes] = field(default_factory=dict)
    entries: dict[tuple[str, str, str], Written] = field(default_factory=dict)
    """(what, tenant, natural key) -> entry, in the order written."""
    names: dict[str, int] = field(default_factory=dict)
    """tenant -> the configuration version its names come from."""

    def log(self, what: str) -> list[Written]:
        return [e for (kind, _, _), e in self.entries.items() if kind == what]

    async def keys_for_writing(
        self, customers: Iterable[CustomerRef]
    ) -> dict[CustomerRef, bytes | None]:
        for ref in sorted(set(customers)):
            self.keys.setdefault(ref, os.urandom(32))
        return {ref: self.keys[ref] for ref in set(customers)}

    async def tenant_secrets(self, tenants: Iterable[str]) -> dict[str, bytes]:
        return {t: self.secrets.setdefault(t, os.urandom(32)) for t in set(tenants)}

    def _write(
        self, what: str, event: CloudEvent[Any], natural: str, personal: dict[str, Any], key: Any
    ) -> None:
        entry = Written(event.tenant, event.subject, what, natural, personal if key else None)
        self.entries.setdefault((what, event.tenant, natural), entry)

    async def append_changes(
        self,
        events: Sequence[CloudEvent[StatusChanged]],
        keys: Mapping[CustomerRef, bytes | None],
        secrets: Mapping[str, bytes],
    ) -> None:
        for e in events:
            assert e.tenant in secrets
            personal = {"actor": e.data.actor, "reason": e.data.reason}
            key = keys.get((e.tenant, e.subject))
            self._write("change", e, e.data.change_id, personal, key)

    async def append_rejections(
        self,
        events: Sequence[CloudEvent[StatusRejected]],
        keys: Mapping[CustomerRef, bytes | None],
    ) -> None:
        for e in events:
            natural = f"{e.data.ref_id}/{e.data.category_code}"
            key = keys.get((e.tenant, e.subject))
            self._write("rejection", e, natural, {"message": e.data.message}, key)

    async def append_profiles(
        self,
        events: Sequence[CloudEvent[CustomerProfile]],
        keys: Mapping[CustomerRef, bytes | None],
    ) -> None:
        for e in events:
            profile = e.data.model_dump(mode="json", exclude_none=True)
            self._write("profile", e, e.id, profile, keys.get((e.tenant, e.subject)))

    async def save_names(self, events: Sequence[CloudEvent[ConfigPublished]]) -> None:
        for e in events:
            if self.names.get(e.data.tenant, -1) < e.data.version:
                self.names[e.data.tenant] = e.data.version

    async def erase_customer(
        self, tenant: str, customer: str, *, erasure_id: str, at: datetime
    ) -> None:
        self.keys[tenant, customer] = None
        self.erasures.setdefault((tenant, customer), (erasure_id, at))
        for entry in self.entries.values():  # shredding the key makes them unreadable
            if (entry.tenant, entry.customer) == (tenant, customer):
                entry.personal = None
