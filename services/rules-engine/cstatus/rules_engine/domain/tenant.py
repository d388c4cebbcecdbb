"""What the rules engine knows of one tenant: its automatic categories and which statuses make a
customer's transactions outliers (SPEC §1 system_state and `transactions_are_outliers`)."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType

from cstatus.contracts.system_states import SYSTEM_STATES
from cstatus.rules_engine.domain.model import Category, Current, VelocityRule
from cstatus.rules_engine.domain.relevance import category_reads, kinds_of

__all__ = ["OUTLIER_STATES", "Held", "Holding", "TenantRules", "changed_categories"]

OUTLIER_STATES = frozenset(state for state, m in SYSTEM_STATES.items() if m.outliers)
"""System states whose holders' new transactions are outliers whatever the properties say."""


@dataclass(frozen=True, slots=True)
class Holding:
    """A status a customer holds, as the changes topic told us."""

    category_code: str
    status_code: str
    system_state: str | None = None


@dataclass(frozen=True, slots=True)
class Held:
    """What a customer holds in a category, as the changes topic told us: the holding as
    automation sees it, the change sequence it came with and its system state."""

    current: Current
    sequence: int
    system_state: str | None

    def holding(self, category_code: str) -> Holding | None:
        code = self.current.status_code
        return None if code is None else Holding(category_code, code, self.system_state)


@dataclass(frozen=True, slots=True)
class TenantRules:
    version: int
    categories: tuple[Category, ...]
    """The automatic categories, the only ones automation evaluates."""
    outlier_statuses: Mapping[tuple[str, str], str] = field(
        default_factory=lambda: MappingProxyType({})
    )
    """(category code, status code) -> why its holders' transactions are outliers."""

    velocity_windows: Mapping[str, int] = field(init=False, compare=False, repr=False)
    """Per velocity metric of a live status, its longest `window_minutes`."""
    reads: Mapping[str, frozenset[str]] = field(init=False, compare=False, repr=False)
    """Event kind -> the categories whose decision it can move (`domain/relevance.py`)."""

    def __post_init__(self) -> None:
        windows: dict[str, int] = {}
        for category in self.categories:
            for status in category.statuses:
                rule = status.rule
                if isinstance(rule, VelocityRule) and not status.archived:
                    windows[rule.metric] = max(windows.get(rule.metric, 0), rule.window_minutes)
        object.__setattr__(self, "velocity_windows", MappingProxyType(windows))
        object.__setattr__(self, "reads", category_reads(self.categories))

    def moved_by(self, event_types: Iterable[str]) -> frozenset[str]:
        """The categories whose decision events of these types can move."""
        found: set[str] = set()
        for event_type in event_types:
            for kind in kinds_of(event_type):
                found |= self.reads.get(kind, frozenset())
        return frozenset(found)

    def only(self, category_code: str) -> TenantRules | None:
        """These rules restricted to one automatic category, or None when it is not one."""
        found = self.among({category_code})
        return found if found.categories else None

    def among(self, codes: Collection[str]) -> TenantRules:
        """These rules restricted to the automatic categories of these codes."""
        return replace(self, categories=tuple(c for c in self.categories if c.code in codes))

    def outlier_reason(self, holdings: Iterable[Holding]) -> tuple[Holding, str] | None:
        """The first held status that marks transactions as outliers, and why."""
        for held in sorted(holdings, key=lambda h: (h.category_code, h.status_code)):
            reason = self.outlier_statuses.get((held.category_code, held.status_code))
            if reason is None and held.system_state in OUTLIER_STATES:
                reason = f"system state {held.system_state}"
            if reason is not None:
                return held, f"customer holds {held.category_code}:{held.status_code} ({reason})"
        return None


def _canonical(category: Category) -> Category:
    return replace(category, statuses=tuple(sorted(category.statuses, key=lambda s: s.code)))


def changed_categories(before: TenantRules | None, after: TenantRules) -> list[str]:
    """The automatic categories of `after` whose evaluation may differ from `before`'s: new ones,
    and those with a status or rule added, removed or changed (names and colours do not count)."""
    old = {c.code: _canonical(c) for c in before.categories} if before is not None else {}
    return sorted(c.code for c in after.categories if old.get(c.code) != _canonical(c))
