"""One valid wire-form example of every message type, for tests, demos and documentation.

`EXAMPLES[event_type]` is a JSON-ready dict (a fresh copy per call of `example`), exactly what
an upstream system or a service would put on the topic.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

__all__ = ["EXAMPLES", "example"]

_TIME = "2026-11-20T10:00:00Z"
_GOLD = {"code": "gold", "name": "Gold", "system_state": None}
_ACTIVE = {"code": "active", "name": "Active", "system_state": "active"}
_EXPLANATION = {
    "rule": "count",
    "value": 5,
    "window": "365d",
    "event_ids": ["evt-0001", "evt-0002"],
    "details": {"metric": "reservations", "min": 5, "max": None},
}


def _event(event_type: str, data: dict[str, Any], **attributes: Any) -> dict[str, Any]:
    return {
        "specversion": "1.0",
        "id": f"evt-{event_type}",
        "source": "example-system",
        "type": event_type,
        "time": _TIME,
        "tenant": "acme",
        "subject": "cust-42",
        "data": data,
        **attributes,
    }


EXAMPLES: Mapping[str, dict[str, Any]] = {
    example["type"]: example
    for example in (
        _event(
            "reservation.booked",
            {
                "reservation_id": "r-1",
                "arrival_date": "2026-12-01",
                "departure_date": "2026-12-05",
                "channel": "online",
                "service_code": "cabin-4p",
                "staff_id": "staff-7",
                "amount": "480.00",
                "currency": "EUR",
            },
            traceparent="00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        ),
        _event("reservation.cancelled", {"reservation_id": "r-1"}),
        _event("reservation.arrived", {"reservation_id": "r-1"}),
        _event("reservation.no_show", {"reservation_id": "r-1"}),
        _event(
            "transaction.completed",
            {
                "transaction_id": "t-1",
                "amount": 25.5,
                "currency": "EUR",
                "points_earned": 25,
                "store_id": "store-1",
            },
        ),
        _event("transaction.refunded", {"transaction_id": "t-1", "amount": "5.50"}),
        _event("points.redeemed", {"redemption_id": "pr-1", "points": 100}),
        _event("coupon.redeemed", {"redemption_id": "cr-1", "coupon_code": "WELCOME10"}),
        _event("payment.captured", {"payment_id": "p-1", "amount": 99, "currency": "EUR"}),
        _event("payment.refunded", {"payment_id": "p-1", "amount": 10}),
        _event("invoice.issued", {"invoice_id": "i-1", "amount": "120.00", "currency": "EUR"}),
        _event("invoice.cancelled", {"invoice_id": "i-1"}),
        _event(
            "customer.created",
            {
                "customer_number": "100042",
                "first_name": "Ada",
                "last_name": "Lovelace",
                "email": "ada@example.com",
                "phone": "+31 20 123 4567",
                "active": True,
                "marketing_opt_in": False,
                "tags": ["newsletter", "family"],
            },
        ),
        _event("customer.updated", {"email": "ada@example.org"}),
        _event("customer.erased", {}),
        _event(
            "customer_status.assign",
            {
                "category_code": "relationship",
                "status_code": "vip",
                "reason": "Long-standing partner",
                "until": "2027-01-01T00:00:00Z",
            },
            actor="agent-1",
        ),
        _event("customer_status.clear", {"category_code": "relationship"}, actor="crm-sync"),
        _event(
            "customer_status.changed",
            {
                "change_id": "chg-1",
                "category_code": "loyalty",
                "from": None,
                "to": _GOLD,
                "source": "automatic",
                "actor": "rules-engine",
                "reason": None,
                "explanation": _EXPLANATION,
                "effective_at": _TIME,
                "sequence": 1,
                "exclude_from_reports": False,
            },
        ),
        _event(
            "customer_status.will_downgrade",
            {
                "warning_id": "w-1",
                "category_code": "loyalty",
                "status_code": "gold",
                "to_status_code": "silver",
                "on": "2027-02-01",
                "keep": {
                    "status_code": "gold",
                    "rule": "count",
                    "metric": "reservations",
                    "needs": 2,
                    "window_days": 365,
                    "by": "2027-01-31",
                },
                "warn_days": 7,
                "config_version": 3,
            },
        ),
        _event(
            "customer_status.snapshot",
            {
                "customer_id": "cust-42",
                "statuses": {
                    "loyalty": {**_GOLD, "source": "automatic", "since": _TIME},
                    "lifecycle": {
                        **_ACTIVE,
                        "source": "system",
                        "since": _TIME,
                        "pinned_until": None,
                    },
                },
                "restrictions": {
                    "can_transact": True,
                    "can_redeem": True,
                    "can_book_online": True,
                    "must_prepay_online": False,
                    "transactions_are_outliers": False,
                    "exclude_from_reports": False,
                    "marketing_allowed": True,
                    "max_appointments": {"count": 2, "period_days": 7},
                    "allowed_service_codes": None,
                    "reasons": [
                        {
                            "category_code": "loyalty",
                            "status_code": "gold",
                            "rule": "max_appointments",
                        }
                    ],
                },
                "version": 3,
                "updated_at": _TIME,
            },
        ),
        _event(
            "transaction.outlier",
            {
                "transaction_id": "t-1",
                "reason": "customer is suspended",
                "status_code": "suspended",
            },
        ),
        _event(
            "customer_status.rejected",
            {
                "ref_id": "cmd-1",
                "category_code": "lifecycle",
                "status_code": "active",
                "reason_code": "terminal_status",
                "message": "lifecycle:deleted is terminal",
            },
        ),
        _event(
            "customer_status.config",
            {"tenant": "acme", "version": 7, "config": {"categories": []}},
            subject="acme",
        ),
        _event(
            "customer_status.proposed",
            {
                "proposal_id": "prop-1",
                "category_code": "loyalty",
                "status_code": "gold",
                "explanation": _EXPLANATION,
                "evaluated_at": _TIME,
                "based_on_sequence": 0,
            },
        ),
        _event(
            "customer_status.bulk_chunk",
            {
                "job_id": "job-1",
                "chunk": 0,
                "category_code": "relationship",
                "status_code": "vip",
                "reason": "Partner programme",
                "until": None,
                "actor": "agent-1",
                "customer_ids": ["cust-42", "cust-43"],
            },
            subject="job-1",
        ),
    )
}


def example(event_type: str) -> dict[str, Any]:
    """A deep copy of the example of `event_type`, safe to modify."""
    return copy.deepcopy(EXAMPLES[event_type])
