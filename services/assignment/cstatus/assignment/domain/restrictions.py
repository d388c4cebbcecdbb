"""Restrictions: all a customer's statuses combined (SPEC §1), and the checks answered from them.

Any `false` `can_*` forbids; any `must_prepay_online`, `transactions_are_outliers` or
`exclude_from_reports` applies; `max_appointments` takes the smallest count (then the longest
period); `allowed_service_codes` intersect. Marketing consent has three states (SPEC §1 v2): opted
in, explicitly objected (GDPR Art. 21: it always wins, also over a status implying consent), or
no answer; marketing is allowed if the customer opted in, or if a status implies consent and the
customer has not objected. A status's `system_state` adds its
built-in meaning on top of its properties: `deleted` cannot transact, redeem or book;
`fraud_confirmed` cannot transact or redeem; `suspended` and `fraud_suspected` make transactions
outliers; `internal` is excluded from reports. Every answer names the statuses that caused it (the checks answered from them:
`domain/checks.py`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Literal

from cstatus.assignment.domain.catalogue import AppointmentLimit, Catalogue, Status
from cstatus.assignment.domain.holding import Holding
from cstatus.contracts.system_states import meaning

__all__ = [
    "NO_ANSWER",
    "Consent",
    "ConsentState",
    "Reason",
    "Restrictions",
    "combine",
    "excluded_from_reports",
    "restrictions_of",
]

ConsentState = Literal["opted_in", "objected", "none"]


@dataclass(frozen=True, slots=True)
class Reason:
    category_code: str
    status_code: str
    rule: str


@dataclass(frozen=True, slots=True)
class Consent:
    """A customer's marketing consent as the CRM gave it: `opted_in` false withdraws an opt-in,
    it is not an objection; only `objected` true is one."""

    opted_in: bool | None = None
    objected: bool | None = None

    @property
    def state(self) -> ConsentState:
        if self.objected:
            return "objected"
        return "opted_in" if self.opted_in else "none"


NO_ANSWER = Consent()


@dataclass(frozen=True, slots=True)
class Restrictions:
    can_transact: bool = True
    can_redeem: bool = True
    can_book_online: bool = True
    can_book: bool = True
    must_prepay_online: bool = False
    transactions_are_outliers: bool = False
    exclude_from_reports: bool = False
    staff_change_warning: bool = False
    marketing_allowed: bool = False
    marketing_consent: ConsentState = "none"
    max_appointments: AppointmentLimit | None = None
    allowed_service_codes: frozenset[str] | None = None
    reasons: tuple[Reason, ...] = ()

    def reasons_for(self, *rules: str) -> tuple[Reason, ...]:
        return tuple(r for r in self.reasons if r.rule in rules)


def _rules_of(status: Status) -> tuple[set[str], set[str]]:
    """The `can_*` rules a status denies and the flags it sets, properties and built-ins together."""
    p = status.properties
    denied = {
        name
        for name, value in (
            ("can_transact", p.can_transact),
            ("can_redeem", p.can_redeem),
            ("can_book_online", p.can_book_online),
        )
        if not value
    }
    flags = {
        name
        for name, value in (
            ("must_prepay_online", p.must_prepay_online),
            ("transactions_are_outliers", p.transactions_are_outliers),
            ("exclude_from_reports", p.exclude_from_reports),
            ("staff_change_warning", p.staff_change_warning),
        )
        if value
    }
    built_in = meaning(status.system_state)  # whatever the properties say
    return denied | built_in.denies, flags | built_in.flags


def _smaller(a: AppointmentLimit | None, b: AppointmentLimit) -> AppointmentLimit:
    if a is None:
        return b
    return min(a, b, key=lambda limit: (limit.count, -limit.period_days))


def combine(held: Iterable[tuple[str, Status]], *, consent: Consent = NO_ANSWER) -> Restrictions:
    """The restrictions of the statuses a customer holds, as (category code, status) pairs."""
    values: dict[str, bool] = {}
    reasons: list[Reason] = []
    limit: AppointmentLimit | None = None
    limit_reason: Reason | None = None
    services: frozenset[str] | None = None
    implies_consent: list[Reason] = []
    for category_code, status in sorted(held, key=lambda pair: pair[0]):
        denied, flags = _rules_of(status)
        for rule in sorted(denied):
            values[rule] = False
            reasons.append(Reason(category_code, status.code, rule))
        for rule in sorted(flags):
            values[rule] = True
            reasons.append(Reason(category_code, status.code, rule))
        p = status.properties
        if p.max_appointments is not None:
            smaller = _smaller(limit, p.max_appointments)
            if smaller is not limit:
                limit, limit_reason = (
                    smaller,
                    Reason(category_code, status.code, "max_appointments"),
                )
        if p.allowed_service_codes is not None:
            allowed = frozenset(p.allowed_service_codes)
            services = allowed if services is None else services & allowed
            reasons.append(Reason(category_code, status.code, "allowed_service_codes"))
        if p.implies_marketing_consent:
            implies_consent.append(Reason(category_code, status.code, "implies_marketing_consent"))
    if limit_reason is not None:
        reasons.append(limit_reason)
    state = consent.state
    marketing = state == "opted_in" or (state == "none" and bool(implies_consent))
    if state == "objected":  # the statuses that would imply consent, overruled by the objection
        reasons.extend(replace(r, rule="marketing_objected") for r in implies_consent)
    elif state == "none":
        reasons.extend(implies_consent)
    return Restrictions(
        can_transact=values.get("can_transact", True),
        can_redeem=values.get("can_redeem", True),
        can_book_online=values.get("can_book_online", True),
        can_book=values.get("can_book", True),
        must_prepay_online=values.get("must_prepay_online", False),
        transactions_are_outliers=values.get("transactions_are_outliers", False),
        exclude_from_reports=values.get("exclude_from_reports", False),
        staff_change_warning=values.get("staff_change_warning", False),
        marketing_allowed=marketing,
        marketing_consent=state,
        max_appointments=limit,
        allowed_service_codes=services,
        reasons=tuple(reasons),
    )


def restrictions_of(
    catalogue: Catalogue, holdings: Mapping[str, Holding], consent: Consent = NO_ANSWER
) -> Restrictions:
    """A holding's built-in meaning goes by the system_state it was entered with: a `deleted`
    customer cannot transact even after an admin archived, deleted or changed the status."""
    held: list[tuple[str, Status]] = []
    for code, h in holdings.items():
        if h.status_code is None:
            continue
        status = catalogue.status(code, h.status_code)
        if status is None:
            if h.system_state is None:
                continue
            status = Status(code=h.status_code, name=h.status_code, system_state=h.system_state)
        elif h.system_state is not None and status.system_state != h.system_state:
            status = replace(status, system_state=h.system_state)
        held.append((code, status))
    return combine(held, consent=consent)


def excluded_from_reports(catalogue: Catalogue, holdings: Mapping[str, Holding]) -> bool:
    """Report exclusion is a property of the customer: any held status excluded from reports
    (by its property or its `internal` state) excludes all of the customer's changes."""
    return restrictions_of(catalogue, holdings).exclude_from_reports
