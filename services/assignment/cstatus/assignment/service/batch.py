"""A unit of work over many customers: one transaction, a fixed number of statements.

`CustomerBatch.open` locks every customer the work will touch (adding unknown ones), through its
`CustomerUnitOfWork`, and reads their holdings and the outcomes already recorded for the work's
references. Each change is then judged in memory by the domain guards, in the order given,
against the state the earlier changes of the batch left — exactly as if they had run one by one.
`commit` writes the change log, the holdings, the outcomes, the profiles and versions, then the
outbox messages; the restrictions to cache are left in `AfterCommit` for after the commit."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from cstatus.assignment.adapters.appointment_rows import Booking
from cstatus.assignment.adapters.customer_repository import Profile
from cstatus.assignment.adapters.customer_rows import ChangeRow, Key
from cstatus.assignment.domain.approvals import APPROVAL_TTL, Approval, approval_request
from cstatus.assignment.domain.catalogue import Catalogue
from cstatus.assignment.domain.decisions import (
    Applied,
    Decision,
    Pending,
    Refused,
    Unchanged,
    recorded_outcome,
)
from cstatus.assignment.domain.guards import (
    decide,
    default_holding,
    expire_pin,
    unpin,
    waits_for_configuration,
)
from cstatus.assignment.domain.holding import ChangeRequest, Holding
from cstatus.assignment.domain.profile import ERASED, Stamped, newer_fields, profile_fields
from cstatus.assignment.domain.restrictions import excluded_from_reports
from cstatus.assignment.service import publish
from cstatus.assignment.service.after_commit import AfterCommit
from cstatus.assignment.service.batch_publish import APPOINTMENT_HORIZON, CustomerState, restate
from cstatus.assignment.service.unit_of_work import CustomerUnitOfWork, Writes
from cstatus.platform.db.outbox import OutboxMessage

__all__ = ["ACTOR", "APPOINTMENT_HORIZON", "CustomerBatch", "CustomerState"]

ACTOR = "assignment"


class CustomerBatch:
    def __init__(
        self,
        uow: CustomerUnitOfWork,
        now: datetime,
        after: AfterCommit,
        *,
        approval_ttl: timedelta = APPROVAL_TTL,
    ) -> None:
        self.now = now
        self._approval_ttl = approval_ttl
        self._approvals: list[Approval] = []
        self._uow = uow
        self._after = after
        self._profiles: dict[Key, Profile] = {}
        self._loaded: dict[Key, dict[str, Holding]] = {}
        self._outcomes: dict[Key, dict[str, Any]] = {}
        self._new_outcomes: dict[Key, dict[str, Any]] = {}
        self._catalogues: dict[str, Catalogue] = {}
        self._states: dict[Key, CustomerState] = {}
        self._changes: list[ChangeRow] = []
        self._erased: set[Key] = set()
        self._deferred: list[tuple[Key, ChangeRequest]] = []
        self._messages: list[OutboxMessage] = []

    async def open(self, customers: Iterable[Key], refs: Iterable[Key] = ()) -> None:
        """Lock `customers` and read their holdings and the recorded outcomes of `refs`."""
        keys = set(customers) - self._profiles.keys()
        self._profiles.update(await self._uow.lock(keys))
        self._loaded.update(await self._uow.holdings(keys))
        self._outcomes.update(await self._uow.outcomes(refs))

    async def catalogue(self, tenant: str) -> Catalogue:
        found = self._catalogues.get(tenant)
        if found is None:
            found = self._catalogues[tenant] = await self._uow.catalogue(tenant)
        return found

    def config_changed(self, tenant: str) -> None:
        """A configuration event of the batch: later work of the tenant reads the new one."""
        self._catalogues.pop(tenant, None)

    async def customer(self, tenant: str, customer: str) -> CustomerState:
        """The customer's state; a category it holds nothing in yet gets its default status."""
        key = (tenant, customer)
        if key not in self._profiles:
            await self.open([key])
        catalogue = await self.catalogue(tenant)
        state = self._states.get(key)
        if state is None:
            holdings = dict(self._loaded.get(key, {}))
            state = CustomerState(tenant, customer, catalogue, self._profiles[key], holdings)
            self._states[key] = state
        elif state.catalogue is catalogue:
            return state
        state.catalogue = catalogue
        for category in catalogue.active_categories:
            if category.code in state.holdings:
                continue
            decision = default_holding(category, self.now, actor=ACTOR, ref_id="default")
            if isinstance(decision, Applied):
                self._record(state, decision, "default", {"rule": "default"})
        return state

    def _record(
        self,
        state: CustomerState,
        applied: Applied,
        ref_id: str,
        explanation: Mapping[str, Any] | None,
        approved_by: str | None = None,
    ) -> None:
        h, previous = applied.holding, applied.previous
        ident = publish.change_id(state.tenant, state.customer, h.category_code, h.sequence)
        from_code = previous.status_code if previous else None
        self._changes.append(ChangeRow(ident, state.tenant, state.customer, h, from_code, ref_id))
        before = excluded_from_reports(state.catalogue, state.holdings)
        state.holdings[h.category_code] = h
        excluded = before or excluded_from_reports(state.catalogue, state.holdings)
        self._messages.append(
            publish.change_message(
                ident,
                state.tenant,
                state.customer,
                state.catalogue,
                previous,
                h,
                explanation,
                excluded=excluded,
                approved_by=approved_by,
            )
        )
        state.bump = state.snapshot = True

    async def change(
        self, tenant: str, customer: str, request: ChangeRequest, *, publish_rejection: bool
    ) -> Decision:
        """Judge and apply one change request, once per `request.ref_id`."""
        state = await self.customer(tenant, customer)
        current = state.holdings.get(request.category_code)
        ref = (tenant, request.ref_id)
        earlier = self._outcomes.get(ref)
        if earlier is not None:  # judged before: answer as then, change nothing
            if earlier["result"] == "refused":
                return Refused(earlier["code"], earlier["message"])
            if earlier["result"] == "pending":
                return Pending(earlier["approval_id"])
            return Unchanged(current)
        decision = decide(state.catalogue, current, request, self.now)
        if isinstance(decision, Pending):
            approval = approval_request(
                request, tenant, customer, uuid.uuid4().hex, self.now, self._approval_ttl
            )
            self._approvals.append(approval)
            decision = Pending(approval.id)
        if isinstance(decision, Refused) and waits_for_configuration(
            decision, request, state.catalogue
        ):
            self._deferred.append(((tenant, customer), request))
            return decision  # no outcome recorded: judged again when the version arrives
        self._outcomes[ref] = self._new_outcomes[ref] = recorded_outcome(decision)
        if isinstance(decision, Applied):
            self._record(state, decision, request.ref_id, request.explanation, request.approved_by)
        elif isinstance(decision, Refused) and publish_rejection:
            self._messages.append(
                publish.rejection_message(
                    tenant,
                    customer,
                    ref_id=request.ref_id,
                    category_code=request.category_code,
                    status_code=request.status_code,
                    reason_code=decision.code,
                    message=decision.message,
                    now=self.now,
                )
            )
        return decision

    async def expire_pin(self, tenant: str, customer: str, category_code: str) -> Decision:
        """Clear a pin whose `until` has passed and announce it, so automation resumes."""
        state = await self.customer(tenant, customer)
        current = state.holdings.get(category_code)
        if current is None:
            return Unchanged(None)
        decision = expire_pin(current, self.now, actor=ACTOR)
        if isinstance(decision, Applied):
            ref_id = f"pin-expiry/{category_code}/{decision.holding.sequence}"
            self._record(state, decision, ref_id, {"rule": "pin_expired"})
        return decision

    async def record_profiles(self, updates: Mapping[Key, Stamped]) -> set[Key]:
        """Write profile updates that change nothing else, before the batch locks anyone (call it
        before `open`); `updates` holds each customer's `profile_fields`, merged in order.

        Returns the customers left for `update_profile`: unknown ones, ones missing a default
        status, and ones whose marketing consent changes (restrictions and snapshot change).
        """
        catalogues = {tenant: await self.catalogue(tenant) for tenant, _ in updates}
        return await self._uow.update_profiles(updates, catalogues)

    async def update_profile(
        self, tenant: str, customer: str, given: Mapping[str, Any], at: datetime | None = None
    ) -> None:
        """Store the profile fields given (absent ones stay) where they are at least as new as
        the stored ones (`at`: the event's time); a new customer gets its defaults."""
        state = await self.customer(tenant, customer)
        at = at or self.now
        stamped = {name: (value, at) for name, value in profile_fields(given).items()}
        newer = newer_fields(stamped, state.profile.field_times, erased=state.profile.erased)
        fields = {name: value for name, (value, _) in newer.items()}
        if not fields:
            return
        times = {**state.profile.field_times, **{name: t for name, (_, t) in newer.items()}}
        before = state.profile.consent
        state.profile = replace(state.profile, **fields, field_times=times)
        if state.profile.consent != before:  # restrictions and snapshot change
            state.bump = state.snapshot = True
        state.profile_changed = True

    async def erase(self, tenant: str, customer: str) -> None:
        """Remove personal data and reasons; the fact that changes happened stays."""
        state = await self.customer(tenant, customer)
        key = (tenant, customer)
        state.profile = replace(state.profile, **ERASED)
        state.holdings = {c: replace(h, reason=None) for c, h in state.holdings.items()}
        self._changes = [
            replace(c, holding=replace(c.holding, reason=None))
            if (c.tenant, c.customer) == key
            else c
            for c in self._changes
        ]
        self._erased.add(key)
        state.profile_changed = state.bump = state.snapshot = True

    async def record_bookings(self, bookings: Sequence[Booking], seen: Iterable[Key]) -> set[Key]:
        """Write reservations set-wise, before the batch locks anyone (call it before `open`).

        Returns the customers of `seen` that need more than that, to `touch`: unknown ones, ones
        missing a default status, and ones whose restrictions count appointments. A known
        customer's booking changes no status, so it costs no lock, snapshot or cache entry.
        """
        wanted = set(seen)
        catalogues = {tenant: await self.catalogue(tenant) for tenant, _ in wanted}
        return await self._uow.record_bookings(bookings, wanted, catalogues)

    async def touch(self, tenant: str, customer: str) -> None:
        """The customer is seen (defaults) and gets a new cache entry with its appointments."""
        state = await self.customer(tenant, customer)
        state.bump = True

    async def unpin(
        self, tenant: str, customer: str, category_code: str, actor: str, reason: str | None
    ) -> Decision:
        """A person's `DELETE …/pin`: automation resumes (audited, explanation `unpin`)."""
        state = await self.customer(tenant, customer)
        current = state.holdings.get(category_code)
        decision = unpin(current, self.now, actor=actor, reason=reason)
        if isinstance(decision, Applied):
            ref_id = f"unpin/{category_code}/{decision.holding.sequence}"
            self._record(state, decision, ref_id, {"rule": "unpin"})
        return decision

    async def apply_deferred(self, tenant: str, version: int) -> int:
        """Judge again the proposals that waited for `version` (call it once it is stored)."""
        self.config_changed(tenant)
        waiting = await self._uow.take_deferred(tenant, version)
        for customer, request in waiting:
            await self.open([(tenant, customer)], [(tenant, request.ref_id)])
            await self.change(tenant, customer, request, publish_rejection=True)
        return len(waiting)

    async def refresh(self, tenant: str, customer: str) -> None:
        """After a configuration change: defaults given, restrictions recomputed, a new version
        (new cache entry) and a snapshot."""
        state = await self.customer(tenant, customer)
        state.bump = state.snapshot = True

    async def commit(self) -> None:
        """Write everything the batch did; its transaction commits after this."""
        changed = {(c.tenant, c.customer, c.holding.category_code) for c in self._changes}
        bumped = [s for s in self._states.values() if s.bump]
        for state in bumped:
            state.profile = replace(state.profile, version=state.profile.version + 1)
        await self._uow.write(
            Writes(
                erased=frozenset(self._erased),
                changes=self._changes,
                holdings=[
                    ((t, c), self._states[(t, c)].holdings[category])
                    for t, c, category in sorted(changed)
                ],
                outcomes=self._new_outcomes,
                profiles=[
                    (s.tenant, s.profile)
                    for s in self._states.values()
                    if s.bump or s.profile_changed
                ],
                deferred=self._deferred,
                approvals=self._approvals,
            )
        )
        self._messages.extend(await restate(self._uow, bumped, self._erased, self.now, self._after))
        await self._uow.publish(self._messages)
        self._messages = []
