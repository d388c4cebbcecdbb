"""What the audit log's readers ask (its HTTP API), one question a connection: changes in the
language the reader wants, and a customer's whole record for an access request."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from cstatus.audit.adapters.keys import key_state
from cstatus.audit.adapters.log_reader import list_changes, list_profile_events, list_rejections
from cstatus.audit.adapters.names_store import load_names
from cstatus.audit.domain.changes import (
    ChangeFilter,
    LoggedChange,
    LoggedRejection,
    Position,
    ProfileEvent,
)
from cstatus.audit.domain.names import in_language

__all__ = ["CustomerRecord", "LogQueries"]


@dataclass(frozen=True, slots=True)
class CustomerRecord:
    """Everything the log holds about one customer, read in one snapshot."""

    known: bool
    erased_at: datetime | None
    changes: list[LoggedChange]
    rejections: list[LoggedRejection]
    profile_events: list[ProfileEvent]

    @property
    def empty(self) -> bool:
        return not (self.known or self.changes or self.rejections or self.profile_events)


class LogQueries:
    """The readers' questions over the service's pool (`pool()`: it exists once started)."""

    def __init__(self, pool: Callable[[], asyncpg.Pool]) -> None:
        self._pool = pool

    async def changes(
        self,
        tenant: str,
        *,
        customer: str | None = None,
        where: ChangeFilter = ChangeFilter(),
        after: Position | None = None,
        limit: int | None = None,
        descending: bool = False,
        languages: Sequence[str] = (),
    ) -> list[LoggedChange]:
        """Changes ordered by (effective_at, sequence, id), status names in the first of
        `languages` the tenant has (`de-AT` → `de` → the tenant's default)."""
        async with self._pool().acquire() as conn:
            found = await list_changes(
                conn,
                tenant,
                customer=customer,
                where=where,
                after=after,
                limit=limit,
                descending=descending,
            )
            if not languages or not found:
                return found
            return in_language(found, await load_names(conn, tenant), languages)

    async def customer_record(self, tenant: str, customer: str) -> CustomerRecord:
        async with (
            self._pool().acquire() as conn,
            conn.transaction(isolation="repeatable_read", readonly=True),
        ):
            known, erased_at = await key_state(conn, tenant, customer)
            return CustomerRecord(
                known,
                erased_at,
                await list_changes(conn, tenant, customer=customer),
                await list_rejections(conn, tenant, customer),
                await list_profile_events(conn, tenant, customer),
            )
