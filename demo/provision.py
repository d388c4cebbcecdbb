"""The demo tenant's configuration: the default categories, an inactivity rule, a loyalty ladder."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from demo.api import Api, ApiError

__all__ = ["INACTIVITY_DAYS", "LOYALTY", "LoyaltyLevel", "provision"]

INACTIVITY_DAYS = 180
LOYALTY_WINDOW_DAYS = 365


@dataclass(frozen=True, slots=True)
class LoyaltyLevel:
    code: str
    name: str
    colour: str
    priority: int
    min_stays: int


LOYALTY = (
    LoyaltyLevel("bronze", "Bronze", "#CD7F32", 1, 1),
    LoyaltyLevel("silver", "Silver", "#A8A9AD", 2, 3),
    LoyaltyLevel("gold", "Gold", "#FFD700", 3, 6),
)
"""Reached by reservations arrived within the last 365 days (`count` rule on `reservations`)."""

_ADMIN = "status:admin"


async def provision(api: Api) -> int:
    """Provision the tenant with SPEC 1.6's defaults, `inactive` after 180 days, and `loyalty`.

    Answers the configuration version. The tenant must be new: the feed's event ids would be
    taken for duplicates of an earlier run's.
    """
    existing = await api.call("GET", "status-config", "/v1/tenant", role=_ADMIN)
    if existing.status_code != 404:
        raise ApiError(
            f"tenant {api.tenant} exists already (GET /v1/tenant → {existing.status_code}): "
            "leave --tenant out for a fresh one"
        )
    await api.ok("PUT", "status-config", "/v1/tenant", role=_ADMIN, json={"seed_defaults": True})
    categories = (await api.ok("GET", "status-config", "/v1/categories", role=_ADMIN))["items"]
    inactive = _status(categories, "relationship", "inactive")
    rule = {"type": "inactivity", "days": INACTIVITY_DAYS}
    await api.ok("PUT", "status-config", f"/v1/statuses/{inactive}/rule", role=_ADMIN, json=rule)
    category = await api.ok(
        "POST",
        "status-config",
        "/v1/categories",
        role=_ADMIN,
        json={
            "code": "loyalty",
            "name": "Loyalty level",
            "description": "Stays in the last 12 months: bronze 1+, silver 3+, gold 6+.",
            "update_mode": "automatic",
            "manual_override_allowed": True,
            "reason_required": False,
        },
    )
    for level in LOYALTY:
        await _level(api, category["id"], level)
    config = await api.ok("GET", "status-config", "/v1/config", role=_ADMIN)
    return int(config["version"])


async def _level(api: Api, category_id: str, level: LoyaltyLevel) -> None:
    body = {
        "code": level.code,
        "name": level.name,
        "colour": level.colour,
        "priority": level.priority,
        "display_as": "name",
        "is_default": False,
        "properties": {
            # gold guests receive marketing unless they objected; bronze ones book at most
            # twice a week (shown by the demo summary's counter answers)
            "implies_marketing_consent": level.code == "gold",
            "max_appointments": {"count": 2, "period_days": 7} if level.code == "bronze" else None,
        },
    }
    path = f"/v1/categories/{category_id}/statuses"
    status = await api.ok("POST", "status-config", path, role=_ADMIN, json=body)
    rule = {
        "type": "count",
        "metric": "reservations",
        "min": level.min_stays,
        "max": None,
        "window_days": LOYALTY_WINDOW_DAYS,
    }
    await api.ok(
        "PUT", "status-config", f"/v1/statuses/{status['id']}/rule", role=_ADMIN, json=rule
    )


def _status(categories: list[dict[str, Any]], category: str, status: str) -> str:
    found = next(c for c in categories if c["code"] == category)
    return str(next(s for s in found["statuses"] if s["code"] == status)["id"])
