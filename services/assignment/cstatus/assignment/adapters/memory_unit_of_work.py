"""The in-memory twin of the customer unit of work: the same answers, no database (tests)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from cstatus.assignment.adapters.appointment_rows import Booking, merge_bookings
from cstatus.assignment.adapters.customer_repository import Profile
from cstatus.assignment.adapters.customer_rows import ChangeRow, Key
from cstatus.assignment.domain.approvals import Approval
from cstatus.assignment.domain.catalogue import Catalogue
from cstatus.assignment.domain.holding import ChangeRequest, Holding
from cstatus.assignment.domain.profile import Stamped, newer_fields
from cstatus.assignment.service.unit_of_work import Writes
from cstatus.platform.db.outbox import OutboxMessage

__all__ = ["InMemoryUnitOfWork"]


def _new_profile(customer: str) -> Profile:
    return Profile(customer, None, None, None, None, None, True, None, None, 0)


@dataclass(slots=True)
class InMemoryUnitOfWork:
    """Tables as dicts; a write applies at once (a test drives one unit of work at a time)."""

    catalogues: dict[str, Catalogue] = field(default_factory=dict)
    profiles: dict[Key, Profile] = field(default_factory=dict)
    statuses: dict[Key, dict[str, Holding]] = field(default_factory=dict)
    changes: list[ChangeRow] = field(default_factory=list)
    applied_refs: dict[Key, dict[str, Any]] = field(default_factory=dict)
    bookings: dict[tuple[str, str, str], Booking] = field(default_factory=dict)
    published: list[OutboxMessage] = field(default_factory=list)
    deferred: dict[Key, tuple[str, ChangeRequest]] = field(default_factory=dict)
    approvals: dict[str, Approval] = field(default_factory=dict)

    async def lock(self, keys: Iterable[Key]) -> dict[Key, Profile]:
        for key in keys:
            self.profiles.setdefault(key, _new_profile(key[1]))
        return {key: self.profiles[key] for key in keys}

    async def holdings(self, keys: Iterable[Key]) -> dict[Key, dict[str, Holding]]:
        return {key: dict(self.statuses[key]) for key in keys if self.statuses.get(key)}

    async def outcomes(self, refs: Iterable[Key]) -> dict[Key, dict[str, Any]]:
        return {ref: self.applied_refs[ref] for ref in refs if ref in self.applied_refs}

    async def catalogue(self, tenant: str) -> Catalogue:
        return self.catalogues.get(tenant, Catalogue())

    async def write(self, writes: Writes) -> None:
        for key in writes.erased:
            held = self.statuses.get(key, {})
            self.statuses[key] = {c: replace(h, reason=None) for c, h in held.items()}
            self.changes = [
                replace(c, holding=replace(c.holding, reason=None))
                if (c.tenant, c.customer) == key
                else c
                for c in self.changes
            ]
        self.changes += writes.changes
        for key, holding in writes.holdings:
            self.statuses.setdefault(key, {})[holding.category_code] = holding
        for ref, outcome in writes.outcomes.items():
            self.applied_refs.setdefault(ref, outcome)
        for tenant, profile in writes.profiles:
            self.profiles[(tenant, profile.customer_id)] = profile
        for (tenant, customer), request in writes.deferred:
            self.deferred.setdefault((tenant, request.ref_id), (customer, request))
        for approval in writes.approvals:
            self.approvals.setdefault(approval.id, approval)

    async def take_deferred(self, tenant: str, version: int) -> list[tuple[str, ChangeRequest]]:
        due = [
            key
            for key, (_, r) in self.deferred.items()
            if key[0] == tenant and (r.config_version or 0) <= version
        ]
        return [self.deferred.pop(key) for key in due]

    async def record_bookings(
        self, bookings: Sequence[Booking], seen: Iterable[Key], catalogues: Mapping[str, Catalogue]
    ) -> set[Key]:
        for b in merge_bookings([*self.bookings.values(), *bookings]):
            self.bookings[(b.tenant, b.customer, b.reservation_id)] = b
        return {key for key in seen if self._needs_more(key, catalogues.get(key[0], Catalogue()))}

    def _needs_more(self, key: Key, catalogue: Catalogue) -> bool:
        if self._incomplete(key, catalogue):
            return True
        limits = set(catalogue.appointment_limits)
        return any((c, h.status_code) in limits for c, h in self.statuses.get(key, {}).items())

    def _incomplete(self, key: Key, catalogue: Catalogue) -> bool:
        held = self.statuses.get(key, {})
        return key not in self.profiles or any(
            c not in held for c in catalogue.defaulted_categories
        )

    async def update_profiles(
        self, updates: Mapping[Key, Stamped], catalogues: Mapping[str, Catalogue]
    ) -> set[Key]:
        left: set[Key] = set()
        for key, given in updates.items():
            profile = self.profiles.get(key)
            named = {name: value for name, (value, _) in given.items()}
            incomplete = self._incomplete(key, catalogues.get(key[0], Catalogue()))
            if (
                profile is None
                or profile.erased
                or incomplete
                or named.get("marketing_opt_in", profile.marketing_opt_in)
                != profile.marketing_opt_in
                or named.get("marketing_objected", profile.marketing_objected)
                != profile.marketing_objected
            ):
                left.add(key)
                continue
            newer = newer_fields(given, profile.field_times, erased=False)
            times = {**profile.field_times, **{name: at for name, (_, at) in newer.items()}}
            fields = {name: value for name, (value, _) in newer.items()}
            self.profiles[key] = replace(profile, **fields, field_times=times)
        return left

    async def appointments(self, keys: Iterable[Key], since: date) -> dict[Key, list[date]]:
        wanted = set(keys)
        found: dict[Key, list[date]] = {}
        for b in self.bookings.values():
            key = (b.tenant, b.customer)
            if key in wanted and not b.cancelled and b.arrival is not None and b.arrival >= since:
                found.setdefault(key, []).append(b.arrival)
        return {key: sorted(dates) for key, dates in found.items()}

    async def publish(self, messages: Sequence[OutboxMessage]) -> None:
        self.published += messages
