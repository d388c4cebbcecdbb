"""What the rules engine knows of one tenant: its automatic categories and which statuses make a
customer's transactions outliers (SPEC §1 system_state and `transactions_are_outliers`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from cstatus.rules_engine.domain.model import Category

__all__ = ["OUTLIER_STATES", "Holding", "TenantRules"]

OUTLIER_STATES = frozenset({"suspended", "fraud_suspected"})
"""System states whose holders' new transactions are outliers whatever the properties say."""


@dataclass(frozen=True, slots=True)
class Holding:
    """A status a customer holds, as the changes topic told us."""

    category_code: str
    status_code: str
    system_state: str | None = None


@dataclass(frozen=True, slots=True)
class TenantRules:
    version: int
    categories: tuple[Category, ...]
    """The automatic categories, the only ones automation evaluates."""
    outlier_statuses: Mapping[tuple[str, str], str] = field(
        default_factory=lambda: MappingProxyType({})
    )
    """(category code, status code) -> why its holders' transactions are outliers."""

    def outlier_reason(self, holdings: Iterable[Holding]) -> tuple[Holding, str] | None:
        """The first held status that marks transactions as outliers, and why."""
        for held in sorted(holdings, key=lambda h: (h.category_code, h.status_code)):
            reason = self.outlier_statuses.get((held.category_code, held.status_code))
            if reason is None and held.system_state in OUTLIER_STATES:
                reason = f"system state {held.system_state}"
            if reason is not None:
                return held, f"customer holds {held.category_code}:{held.status_code} ({reason})"
        return None
