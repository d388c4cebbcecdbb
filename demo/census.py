"""Who holds what: the tenant's customers and their statuses, from assignment's directory."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from demo.api import Api

__all__ = ["Census", "census"]

_PAGE = 500


@dataclass(frozen=True, slots=True)
class Census:
    statuses: dict[str, dict[str, str]]
    """customer id → category code → status code (categories the customer holds nothing in are absent)."""

    @property
    def customers(self) -> int:
        return len(self.statuses)

    def count(self, category: str) -> Counter[str | None]:
        """Customers per status of `category`; `None` counts those holding no status in it."""
        return Counter(held.get(category) for held in self.statuses.values())

    def holders(self, category: str, status: str) -> list[str]:
        return sorted(c for c, held in self.statuses.items() if held.get(category) == status)


async def census(api: Api) -> Census:
    """Every customer of the tenant (inactive ones too), a page of 500 at a time."""
    statuses: dict[str, dict[str, str]] = {}
    cursor: str | None = None
    while True:
        params: dict[str, str | int] = {"include_inactive": "true", "limit": _PAGE}
        if cursor:
            params["cursor"] = cursor
        page = await api.ok("GET", "assignment", "/v1/customers", params=params)
        for item in page["items"]:
            statuses[item["customer_id"]] = dict(item["statuses"])
        cursor = page["next_cursor"]
        if not cursor:
            return Census(statuses)
