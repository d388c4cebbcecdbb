"""What a batch publishes and caches for the customers whose state it changed: their
restrictions recomputed, a snapshot (or the tombstone of an erased customer) and the cache entry
left for after the commit."""

from __future__ import annotations

from collections.abc import Sequence, Set
from dataclasses import dataclass
from datetime import datetime, timedelta

from cstatus.assignment.adapters.customer_repository import Profile
from cstatus.assignment.adapters.customer_rows import Key
from cstatus.assignment.adapters.restrictions_cache import CachedRestrictions
from cstatus.assignment.domain.catalogue import Catalogue
from cstatus.assignment.domain.checks import appointment_window_start
from cstatus.assignment.domain.holding import Holding
from cstatus.assignment.domain.restrictions import restrictions_of
from cstatus.assignment.service import publish
from cstatus.assignment.service.after_commit import AfterCommit
from cstatus.assignment.service.unit_of_work import CustomerUnitOfWork
from cstatus.platform.db.outbox import OutboxMessage

__all__ = ["APPOINTMENT_HORIZON", "CustomerState", "restate"]

APPOINTMENT_HORIZON = timedelta(days=1)
"""A day more of past appointments than a limit's windows reach from today (time zones)."""


@dataclass(slots=True)
class CustomerState:
    """A locked customer: its configuration, profile and holdings as the batch has left them."""

    tenant: str
    customer: str
    catalogue: Catalogue
    profile: Profile
    holdings: dict[str, Holding]
    bump: bool = False
    """Its version grows at commit: a new cache entry (and a snapshot when `snapshot`)."""
    snapshot: bool = False
    profile_changed: bool = False


async def restate(
    uow: CustomerUnitOfWork,
    bumped: Sequence[CustomerState],
    erased: Set[Key],
    now: datetime,
    after: AfterCommit,
) -> list[OutboxMessage]:
    """The snapshots of the `bumped` customers (whose version grew), and their new restrictions
    left in `after` for the cache."""
    messages: list[OutboxMessage] = []
    computed = [
        (
            state,
            restrictions_of(state.catalogue, state.holdings, state.profile.consent),
        )
        for state in bumped
    ]
    today = now.date()
    since = min(
        (appointment_window_start(r.max_appointments, today) for _, r in computed),
        default=today,
    )
    appointments = await uow.appointments(
        [(s.tenant, s.customer) for s in bumped], since - APPOINTMENT_HORIZON
    )
    for state, restrictions in computed:
        key = (state.tenant, state.customer)
        if key in erased:  # SPEC §1 v2: the snapshot topic forgets an erased customer
            messages.append(publish.snapshot_tombstone(state.tenant, state.customer))
        elif state.snapshot:
            messages.append(
                publish.snapshot_message(
                    state.tenant,
                    state.customer,
                    state.catalogue,
                    state.holdings,
                    restrictions,
                    state.profile.version,
                    now,
                )
            )
        dates = appointments.get((state.tenant, state.customer), [])
        after.add(
            state.tenant,
            state.customer,
            CachedRestrictions(
                state.profile.version, restrictions, tuple(dates), state.catalogue.version
            ),
        )
    return messages
