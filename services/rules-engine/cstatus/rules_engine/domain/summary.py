"""What the member-care desk shows of a customer's activity (SuiteSpot's "Info"): transactions,
spend per currency (amounts of different currencies are never added together), the last visit,
points earned, redeemed and the balance, and the outlier transactions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_EVEN, Decimal

__all__ = ["ActivitySummary", "FlaggedTransaction", "Spend"]

CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class Spend:
    currency: str | None
    """None for sales recorded before currencies were kept."""
    transactions: int
    net: Decimal
    """Sales minus refunds."""

    @property
    def average(self) -> Decimal:
        if not self.transactions:
            return Decimal(0)
        return (self.net / self.transactions).quantize(CENT, rounding=ROUND_HALF_EVEN)


@dataclass(frozen=True, slots=True)
class FlaggedTransaction:
    transaction_id: str
    reason: str
    status_code: str | None
    flagged_at: datetime


@dataclass(frozen=True, slots=True)
class ActivitySummary:
    spend: tuple[Spend, ...]
    last_visit: datetime | None
    """The latest arrival or sale."""
    points_earned: int
    points_redeemed: int
    outliers: tuple[FlaggedTransaction, ...]

    @property
    def transactions(self) -> int:
        return sum(s.transactions for s in self.spend)

    @property
    def points_balance(self) -> int:
        return self.points_earned - self.points_redeemed
