"""The two default categories of SPEC 1.6, seeded on request (`PUT /v1/tenant`, `seed_defaults`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cstatus.contracts.configuration import CategoryConfig, StatusConfig
from cstatus.status_config.domain.properties import approval_by_default, default_properties

__all__ = ["default_categories"]

_ALL_TRIGGERS = (
    "reservation.booked",
    "reservation.arrived",
    "invoice.issued",
    "payment.captured",
    "transaction.completed",
)

_RELATIONSHIP: dict[str, Any] = {
    "code": "relationship",
    "name": "Relationship",
    "description": "Where the customer stands with the business: lead, client, inactive, VIP.",
    "update_mode": "automatic",
    "manual_override_allowed": True,
    "reason_required": False,
    "statuses": [
        {"code": "lead", "name": "Lead", "colour": "#9E9E9E", "priority": 0, "is_default": True},
        {
            "code": "client",
            "name": "Client",
            "colour": "#2E7D32",
            "priority": 10,
            "rule": {"type": "first_activity", "triggers": list(_ALL_TRIGGERS)},
        },
        {"code": "inactive", "name": "Inactive", "colour": "#F9A825", "priority": 20},
        {"code": "vip", "name": "VIP", "colour": "#6A1B9A", "priority": 30},
    ],
}

_LIFECYCLE: dict[str, Any] = {
    "code": "lifecycle",
    "name": "Lifecycle",
    "description": "The customer's account state: active, suspended, deleted, fraud, internal.",
    "update_mode": "automatic",
    "manual_override_allowed": True,
    "reason_required": True,
    "statuses": [
        {"code": "active", "colour": "#2E7D32", "priority": 0, "is_default": True},
        {"code": "suspended", "colour": "#EF6C00", "priority": 10},
        {"code": "internal", "colour": "#546E7A", "priority": 20},
        {
            "code": "fraud_suspected",
            "name": "Fraud suspected",
            "colour": "#C62828",
            "priority": 30,
            "sticky": True,
            "rule": {
                "type": "velocity",
                "metric": "transactions",
                "threshold": 20,
                "window_minutes": 60,
            },
        },
        {"code": "fraud_confirmed", "name": "Fraud confirmed", "colour": "#B71C1C", "priority": 40},
        {"code": "deleted", "colour": "#212121", "priority": 50},
    ],
}


def _lifecycle_status(spec: dict[str, Any]) -> dict[str, Any]:
    state = spec["code"]
    return {
        "name": state.capitalize(),
        **spec,
        "system_state": state,
        "requires_approval": approval_by_default(state),
        "properties": default_properties(state).model_dump(mode="json"),
    }


def default_categories(new_id: Callable[[str], str]) -> list[CategoryConfig]:
    """`relationship` and `lifecycle` with their statuses, properties and rules; fresh ids."""
    lifecycle = {**_LIFECYCLE, "statuses": [_lifecycle_status(s) for s in _LIFECYCLE["statuses"]]}
    categories = []
    for spec in (_RELATIONSHIP, lifecycle):
        statuses = tuple(
            StatusConfig.model_validate({"id": new_id("status"), **s}) for s in spec["statuses"]
        )
        categories.append(
            CategoryConfig.model_validate({**spec, "id": new_id("category"), "statuses": statuses})
        )
    return categories
