"""What the member-care desk shows of a customer's activity (SuiteSpot's "Info"): transactions,
spend per currency (amounts of different currencies are never added together), the last visit,
points earned, redeemed and the balance, and the outlier transactions."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_EVEN, Decimal

from cstatus.rules_engine.domain.facts import ActivityEvent, CustomerFacts

__all__ = ["ActivitySummary", "FlaggedTransaction", "Spend", "summarize"]

VISITS = frozenset({"reservation.arrived", "transaction.completed"})
SALE = "transaction.completed"

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


def summarize(
    facts: CustomerFacts,
    events: Iterable[ActivityEvent],
    outliers: Sequence[FlaggedTransaction],
) -> ActivitySummary:
    """The summary of the facts folded from `events` (so a repeated sale counts once and a
    refund reduces its sale): spend per currency of the sales that still count."""
    currency: dict[str, str | None] = {}
    earned: dict[str, int] = {}
    last_visit: datetime | None = None
    for e in events:
        if e.type == SALE:
            currency.setdefault(e.ref, e.currency)
            if e.points:
                earned[e.ref] = e.points
        if e.type in VISITS and (last_visit is None or e.time > last_visit):
            last_visit = e.time
    by_currency: dict[str | None, tuple[int, Decimal]] = {}
    for ref, sale in facts.transactions.items():
        if sale.counts:
            n, net = by_currency.get(currency.get(ref), (0, Decimal(0)))
            by_currency[currency.get(ref)] = (n + 1, net + sale.net)
    return ActivitySummary(
        spend=tuple(
            Spend(c, n, net)
            for c, (n, net) in sorted(by_currency.items(), key=lambda kv: kv[0] or "")
        ),
        last_visit=last_visit,
        points_earned=sum(earned.values()),
        points_redeemed=sum(r.points for r in facts.redemptions.values()),
        outliers=tuple(outliers),
    )
