"""An exact preview of a configuration change (SPEC 1.9): what every customer of a tenant would
hold under a proposed configuration on a given day, against what they hold now, changing nothing.

`proposed_document` lays the proposal (a whole category, one status, or one rule, in the
shape status-config's API takes) over the tenant's current configuration document; `Tally` adds
up, per customer, the moves (`from → to` per category), the restrictions that flip, and a sample
of customers with their explanations. Both configurations are evaluated, so the answer also says
which moves would happen anyway on that day (windows slide without any change).
"""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "ALL_OF",
    "ANY_OF",
    "Move",
    "Properties",
    "ProposalError",
    "Tally",
    "combined_restrictions",
    "properties_differ",
    "proposed_document",
    "status_properties",
]

ALL_OF = ("can_transact", "can_redeem", "can_book_online")
"""Allowed only while every status allows it."""
ANY_OF = (
    "must_prepay_online",
    "transactions_are_outliers",
    "exclude_from_reports",
    "staff_change_warning",
    "implies_marketing_consent",
)
"""Applies as soon as one status has it."""

Properties = Mapping[tuple[str, str], Mapping[str, Any]]
"""(category code, status code) -> the status's properties."""


class ProposalError(ValueError):
    """The proposal names what the configuration does not have, or nothing at all."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field, self.reason = field, reason


def _category(document: dict[str, Any], code: str, field: str) -> dict[str, Any]:
    for category in document.get("categories", []):
        if category["code"] == code:
            return category  # type: ignore[no-any-return]
    raise ProposalError(field, f"the configuration has no category {code}")


def proposed_document(
    current: Mapping[str, Any],
    *,
    category: Mapping[str, Any] | None = None,
    status: Mapping[str, Any] | None = None,
    rule: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """`current` with the proposal laid over it (a copy; the caller validates the result).

    - `category`: a category's fields by `code`, replacing those of the category with that
      code (its `statuses`, when given, each merged by code) or adding a new category;
    - `status`: `{"category_code", ...status fields with "code"}` merged over the status with
      that code, or added;
    - `rule`: `{"category_code", "status_code", "rule"}`: the status's one rule (`null`: none).
    """
    document = copy.deepcopy(dict(current))
    document.setdefault("categories", [])
    if category is not None:
        given = dict(category)
        found = next((c for c in document["categories"] if c["code"] == given["code"]), None)
        if found is None:
            given.setdefault("id", f"preview-{given['code']}")
            given.setdefault("statuses", [])
            document["categories"].append(given)
            found = given
        else:
            statuses = given.pop("statuses", None)
            found.update(given)
            for one in statuses or ():
                _merge_status(found, one)
        for one in found["statuses"]:
            one.setdefault("id", f"preview-{found['code']}-{one.get('code')}")
    if status is not None:
        given = dict(status)
        owner = _category(document, str(given.pop("category_code")), "status.category_code")
        _merge_status(owner, given)
    if rule is not None:
        owner = _category(document, str(rule["category_code"]), "rule.category_code")
        held = next((s for s in owner["statuses"] if s["code"] == rule["status_code"]), None)
        if held is None:
            raise ProposalError(
                "rule.status_code", f"category {owner['code']} has no status {rule['status_code']}"
            )
        held["rule"] = rule.get("rule")
    return document


def _merge_status(category: dict[str, Any], given: Mapping[str, Any]) -> None:
    statuses = category.setdefault("statuses", [])
    found = next((s for s in statuses if s["code"] == given["code"]), None)
    if found is None:
        statuses.append({"id": f"preview-{category['code']}-{given['code']}", **given})
    else:
        found.update(given)


def status_properties(document: Mapping[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (c["code"], s["code"]): dict(s.get("properties") or {})
        for c in document.get("categories", ())
        for s in c.get("statuses", ())
    }


def properties_differ(before: Properties, after: Properties) -> frozenset[tuple[str, str]]:
    """The (category, status) pairs whose properties the proposal changes (added or removed
    statuses included)."""
    return frozenset(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))


def combined_restrictions(
    held: Mapping[str, str | None], properties: Properties
) -> dict[str, bool]:
    """The flags of SPEC §1's combination over every status held (`category -> status`)."""
    found = [properties.get((c, s), {}) for c, s in held.items() if s is not None]
    combined = {name: all(p.get(name, True) for p in found) for name in ALL_OF}
    combined |= {name: any(p.get(name, False) for p in found) for name in ANY_OF}
    return combined


@dataclass(frozen=True, slots=True)
class Move:
    customer: str
    category_code: str
    from_code: str | None
    to_code: str | None
    explanation: Any
    """The decision's explanation (the service gives the sample its wire form)."""


@dataclass(slots=True)
class Tally:
    sample_size: int = 20
    customers: int = 0
    moved_customers: int = 0
    moves: Counter[tuple[str, str | None, str | None]] = field(default_factory=Counter)
    anyway: Counter[tuple[str, str | None, str | None]] = field(default_factory=Counter)
    restrictions: Counter[tuple[str, bool, bool]] = field(default_factory=Counter)
    sample: list[Move] = field(default_factory=list)

    def merge(self, other: Tally) -> None:
        """Add up the tally of another part of the customers (later in id order)."""
        self.customers += other.customers
        self.moved_customers += other.moved_customers
        self.moves.update(other.moves)
        self.anyway.update(other.anyway)
        self.restrictions.update(other.restrictions)
        self.sample.extend(other.sample[: max(self.sample_size - len(self.sample), 0)])

    def add(
        self,
        customer: str,
        held: Mapping[str, str | None],
        proposed: Mapping[str, tuple[str | None, Any]],
        current: Mapping[str, str | None],
        properties: tuple[Properties, Properties],
        differs: frozenset[tuple[str, str]] | None = None,
    ) -> None:
        """One customer: what they hold, the targets under the proposal (with explanations)
        and under the current configuration, and the properties of both configurations
        (`differs`: `properties_differ` of them, when the caller has it)."""
        self.customers += 1
        after = dict(held)
        moved = False
        for category, (target, why) in proposed.items():
            before = held.get(category)
            if target != before:
                moved = True
                after[category] = target
                self.moves[category, before, target] += 1
                if len(self.sample) < self.sample_size:
                    self.sample.append(Move(customer, category, before, target, why))
        for category, target in current.items():
            if target != held.get(category):
                self.anyway[category, held.get(category), target] += 1
        self.moved_customers += moved
        if differs is None:
            differs = properties_differ(*properties)
        if not moved and not any((c, s) in differs for c, s in held.items()):
            return  # the same statuses with the same properties: nothing flips
        # A changed property flips the restrictions of holders who do not move, too.
        was = combined_restrictions(held, properties[0])
        will = combined_restrictions(after, properties[1])
        for name, value in will.items():
            if was[name] != value:
                self.restrictions[name, was[name], value] += 1
