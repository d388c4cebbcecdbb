"""The desk's activity summary, from folded facts: currencies apart, a sale counted once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from cstatus.rules_engine.domain.facts import ActivityEvent, fold
from cstatus.rules_engine.domain.summary import Spend, summarize

pytestmark = pytest.mark.unit

T = datetime(2026, 12, 1, tzinfo=UTC)


def _sale(
    ident: str, ref: str, amount: str, currency: str, points: int | None, day: int
) -> ActivityEvent:
    return ActivityEvent(
        ident, "transaction.completed", T + timedelta(days=day), ref, Decimal(amount), points,
        None, currency,
    )  # fmt: skip


def test_spend_is_per_currency_net_of_refunds_and_each_sale_counts_once() -> None:
    events = [
        _sale("e1", "tx-1", "100.00", "EUR", 10, 0),
        _sale("e1-again", "tx-1", "100.00", "EUR", 10, 1),  # the same sale delivered twice
        _sale("e2", "tx-2", "50.00", "EUR", 5, 1),
        ActivityEvent(
            "e3", "transaction.refunded", T + timedelta(days=2), "tx-2", Decimal("20.00")
        ),
        _sale("e4", "tx-3", "30.00", "USD", None, 3),
        ActivityEvent("e5", "points.redeemed", T + timedelta(days=4), "red-1", None, 4),
        ActivityEvent("e6", "reservation.booked", T + timedelta(days=9), "r-1"),
    ]
    summary = summarize(fold(events), events, [])
    assert summary.spend == (
        Spend("EUR", 2, Decimal("130.00")),
        Spend("USD", 1, Decimal("30.00")),
    )
    assert [s.average for s in summary.spend] == [Decimal("65.00"), Decimal("30.00")]
    assert (summary.points_earned, summary.points_redeemed, summary.points_balance) == (15, 4, 11)
    assert summary.last_visit == T + timedelta(days=3)  # a booking is no visit
    assert summary.transactions == 3
