"""The port a `CustomerBatch` works through: one transaction's reads and writes of customers.

`adapters.postgres_unit_of_work.PostgresUnitOfWork` is the real one (a fixed number of statements
per batch); `adapters.memory_unit_of_work.InMemoryUnitOfWork` is its twin for fast tests, and both
pass the same test case.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from cstatus.assignment.adapters.appointment_rows import Booking
from cstatus.assignment.adapters.customer_repository import Profile
from cstatus.assignment.adapters.customer_rows import ChangeRow, Key
from cstatus.assignment.domain.approvals import Approval
from cstatus.assignment.domain.catalogue import Catalogue
from cstatus.assignment.domain.holding import ChangeRequest, Holding
from cstatus.assignment.domain.profile import Stamped
from cstatus.platform.db.outbox import OutboxMessage

__all__ = ["CustomerUnitOfWork", "Writes"]


@dataclass(frozen=True, slots=True)
class Writes:
    """Everything a batch changed, written together before its messages are published."""

    erased: frozenset[Key] = frozenset()
    """Customers whose stored reasons are removed (before the changes below are written)."""
    changes: Sequence[ChangeRow] = ()
    holdings: Sequence[tuple[Key, Holding]] = ()
    outcomes: Mapping[Key, dict[str, Any]] = field(default_factory=dict)
    profiles: Sequence[tuple[str, Profile]] = ()
    """(tenant, profile) with its new fields and version."""
    deferred: Sequence[tuple[Key, ChangeRequest]] = ()
    """Proposals that wait for a newer configuration (see `waits_for_configuration`)."""
    approvals: Sequence[Approval] = ()
    """Changes that wait for a second person (SPEC 1.8), as new pending requests."""


class CustomerUnitOfWork(Protocol):
    async def lock(self, keys: Iterable[Key]) -> dict[Key, Profile]:
        """Lock the customers (adding unknown ones) for the rest of the unit of work."""
        ...

    async def holdings(self, keys: Iterable[Key]) -> dict[Key, dict[str, Holding]]: ...

    async def outcomes(self, refs: Iterable[Key]) -> dict[Key, dict[str, Any]]:
        """The outcomes recorded earlier for (tenant, ref id)."""
        ...

    async def catalogue(self, tenant: str) -> Catalogue: ...

    async def write(self, writes: Writes) -> None: ...

    async def take_deferred(self, tenant: str, version: int) -> list[tuple[str, ChangeRequest]]:
        """Remove and return the tenant's deferred proposals made with `version` or older."""
        ...

    async def record_bookings(
        self, bookings: Sequence[Booking], seen: Iterable[Key], catalogues: Mapping[str, Catalogue]
    ) -> set[Key]:
        """Write the bookings (before any lock); return the customers of `seen` that need more:
        unknown, holding nothing in a category of `catalogues[tenant]` that has a default, or
        holding a status that limits appointments."""
        ...

    async def update_profiles(
        self, updates: Mapping[Key, Stamped], catalogues: Mapping[str, Catalogue]
    ) -> set[Key]:
        """Write the profile fields of customers whose update changes nothing else (before any
        lock), each field only if at least as new as the stored one, nothing of an erased
        customer; return the ones left alone: unknown, missing a default, or whose marketing
        consent the update names differently."""
        ...

    async def appointments(self, keys: Iterable[Key], since: date) -> dict[Key, list[date]]:
        """Each customer's arrival dates from `since` on (not cancelled), in order."""
        ...

    async def publish(self, messages: Sequence[OutboxMessage]) -> None:
        """Through the outbox: published once the unit of work commits."""
        ...
