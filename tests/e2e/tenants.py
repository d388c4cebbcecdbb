"""One freshly provisioned tenant of an e2e scenario: its tokens, the events it publishes on the
input topics, and what it reads back from the services' APIs (polling with bounded timeouts)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import httpx
from support import TIMEOUT_S, Platform, eventually

from cstatus.contracts import topics
from cstatus.contracts.commands import AssignStatus
from cstatus.contracts.customers import CustomerCreated, CustomerErased
from cstatus.contracts.envelope import EventData, encode, message_key, new_event
from cstatus.contracts.reservations import ReservationBooked, ReservationCancelled
from cstatus.contracts.transactions import TransactionCompleted
from cstatus.driver.tokens import bearer

__all__ = ["Tenant", "changes_of", "provision"]

SEEDED = {"relationship": "vip", "lifecycle": "internal"}


async def provision(platform: Platform) -> Tenant:
    """A fresh tenant `e2e-…` with the default categories, once the assignment service knows its
    configuration (the rules engine re-evaluates a tenant's customers when it arrives there)."""
    tenant = Tenant(platform, f"e2e-{uuid.uuid4().hex[:10]}")
    response = await tenant.call("status-config", "PUT", "/v1/tenant", json={"seed_defaults": True})
    assert response.status_code == 201, response.text
    await tenant.await_config(SEEDED)
    return tenant


@dataclass
class Tenant:
    platform: Platform
    id: str
    _counter: int = 0

    def token(self, role: str, subject: str | None = None) -> dict[str, str]:
        return bearer(self.id, role, subject)

    async def call(
        self,
        service: str,
        method: str,
        path: str,
        *,
        role: str = "status:admin",
        subject: str | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        url = self.platform.urls[service] + path
        headers = self.token(role, subject) | kwargs.pop("headers", {})
        return await self.platform.http.request(method, url, headers=headers, **kwargs)

    async def json(self, service: str, path: str, **kwargs: Any) -> Any:
        """GET (as a viewer unless told) and the JSON of a 200 answer."""
        response = await self.call(
            service, "GET", path, role=kwargs.pop("role", "status:viewer"), **kwargs
        )
        assert response.status_code == 200, f"GET {path}: {response.status_code} {response.text}"
        return response.json()

    # --- input topics ---------------------------------------------------------------------

    def next_id(self, prefix: str = "evt") -> str:
        self._counter += 1
        return f"{prefix}-{self._counter}-{uuid.uuid4().hex[:8]}"

    async def emit(
        self,
        topic: str,
        customer: str,
        data: EventData,
        *,
        id: str | None = None,
        at: datetime | None = None,
        actor: str | None = None,
    ) -> str:
        """Publish one event (or command) keyed `{tenant}:{customer}`; its id."""
        event_id = id or self.next_id()
        event = new_event(
            data,
            id=event_id,
            source="e2e-tests",
            tenant=self.id,
            subject=customer,
            time=at or datetime.now(UTC),
            actor=actor,
        )
        await self.platform.send_raw(topic, message_key(self.id, customer), encode(event))
        return event_id

    async def created(self, customer: str, **profile: Any) -> str:
        return await self.emit(topics.CRM_CUSTOMERS, customer, CustomerCreated(**profile))

    async def erased(self, customer: str) -> str:
        return await self.emit(topics.CRM_CUSTOMERS, customer, CustomerErased())

    async def booked(
        self, customer: str, reservation: str, arrival: date, *, id: str | None = None
    ) -> str:
        data = ReservationBooked(reservation_id=reservation, arrival_date=arrival, channel="web")
        return await self.emit(topics.BOOKINGS_RESERVATIONS, customer, data, id=id)

    async def cancelled(self, customer: str, reservation: str, *, id: str | None = None) -> str:
        data = ReservationCancelled(reservation_id=reservation)
        return await self.emit(topics.BOOKINGS_RESERVATIONS, customer, data, id=id)

    async def transaction(
        self, customer: str, transaction: str, *, at: datetime | None = None
    ) -> str:
        data = TransactionCompleted(transaction_id=transaction, amount="10.00", currency="EUR")
        return await self.emit(topics.POS_TRANSACTIONS, customer, data, at=at)

    async def command_assign(
        self, customer: str, category: str, status: str, *, reason: str | None = None
    ) -> str:
        data = AssignStatus(category_code=category, status_code=status, reason=reason)
        return await self.emit(
            topics.COMMANDS, customer, data, id=self.next_id("cmd"), actor="crm-sync"
        )

    # --- reading back ---------------------------------------------------------------------

    async def await_config(self, statuses: dict[str, str]) -> None:
        """Wait until the assignment service knows each `category: status` pair.

        The probe is a change of a customer kept for it: it is refused as `unknown_category` or
        `unknown_status` until that part of the configuration has arrived; any other answer
        (applied, or refused for another reason) means it is known.
        """
        for category, status in sorted(statuses.items()):

            async def probe(category: str = category, status: str = status) -> tuple[int, str]:
                response = await self.call(
                    "assignment",
                    "PUT",
                    f"/v1/customers/config-probe/statuses/{category}",
                    role="status:agent",
                    json={"status_code": status, "reason": "configuration probe"},
                )
                return response.status_code, response.json().get("code", "")

            await eventually(
                probe,
                lambda seen: seen[1] not in ("unknown_category", "unknown_status"),
                f"{category}:{status} known to the assignment service",
            )

    async def statuses(self, customer: str) -> dict[str, Any] | None:
        response = await self.call(
            "assignment", "GET", f"/v1/customers/{customer}", role="status:viewer"
        )
        if response.status_code == 404:
            return None
        assert response.status_code == 200, response.text
        statuses: dict[str, Any] = response.json()["statuses"]
        return statuses

    async def await_status(
        self,
        customer: str,
        category: str,
        code: str | None,
        *,
        timeout_s: float = TIMEOUT_S,
        **expected: Any,
    ) -> dict[str, Any]:
        """Wait until `customer` holds `code` in `category` (with the fields of `expected`)."""

        def holds(statuses: dict[str, Any] | None) -> bool:
            if statuses is None or category not in statuses:
                return False
            held = statuses[category]
            if held is None:
                return code is None
            return held["status_code"] == code and all(
                held.get(k) == v for k, v in expected.items()
            )

        statuses = await eventually(
            lambda: self.statuses(customer),
            holds,
            f"{customer} in {category}:{code} {expected}",
            timeout_s=timeout_s,
        )
        assert statuses is not None
        held: dict[str, Any] = statuses[category]
        return held

    async def history(self, customer: str, **params: Any) -> list[dict[str, Any]]:
        body = await self.json(
            "audit", f"/v1/customers/{customer}/history", params={"order": "asc", **params}
        )
        items: list[dict[str, Any]] = body["items"]
        return items

    async def await_history(
        self, customer: str, ok: Callable[[list[dict[str, Any]]], bool], what: str
    ) -> list[dict[str, Any]]:
        return await eventually(lambda: self.history(customer), ok, f"audit history: {what}")

    async def activity(self, customer: str) -> dict[str, Any] | None:
        response = await self.call(
            "rules-engine", "GET", f"/v1/customers/{customer}/activity", role="status:viewer"
        )
        if response.status_code == 404:
            return None
        assert response.status_code == 200, response.text
        found: dict[str, Any] = response.json()
        return found


def changes_of(history: list[dict[str, Any]], category: str) -> list[tuple[str | None, ...]]:
    """`(from, to, source)` of each change of a category, in order."""
    return [
        (
            (h["from"] or {}).get("code"),
            (h["to"] or {}).get("code"),
            h["source"],
        )
        for h in history
        if h["category_code"] == category
    ]
