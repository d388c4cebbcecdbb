"""What the counter and the systems upstream ask (issue 14), through the running services:
marketing consent in three states, a limit of appointments per week, a booking with another
staff member, an agent reading German names, and an icon any page can show."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from support import eventually
from tenants import Tenant

from cstatus.contracts import topics
from cstatus.contracts.reservations import ReservationBooked

pytestmark = pytest.mark.e2e

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64


async def _membership(tenant: Tenant) -> dict[str, str]:
    """A manual category `membership` whose `member` status implies marketing consent, allows
    2 appointments a week and warns on a staff change; German names; an icon. Its status ids."""
    category = await tenant.call(
        "status-config",
        "POST",
        "/v1/categories",
        json={
            "code": "membership",
            "name": "Membership",
            "update_mode": "manual",
            "translations": {"de": {"name": "Mitgliedschaft"}},
        },
    )
    assert category.status_code == 201, category.text
    ids: dict[str, str] = {}
    for body in (
        {"code": "guest", "name": "Guest", "colour": "#999999", "is_default": True},
        {
            "code": "member",
            "name": "Member",
            "colour": "#228B22",
            "display_as": "name_and_icon",
            "translations": {"de": {"name": "Mitglied"}},
            "properties": {
                "implies_marketing_consent": True,
                "max_appointments": {"count": 2, "period_days": 7},
                "staff_change_warning": True,
            },
        },
    ):
        status = await tenant.call(
            "status-config", "POST", f"/v1/categories/{category.json()['id']}/statuses", json=body
        )
        assert status.status_code == 201, status.text
        ids[body["code"]] = status.json()["id"]
    icon = await tenant.call(
        "status-config",
        "PUT",
        f"/v1/statuses/{ids['member']}/icon",
        content=PNG + tenant.id.encode(),
        headers={"content-type": "image/png"},
    )
    assert icon.status_code == 200, icon.text
    await tenant.await_config({"membership": "member"})
    return ids


async def _member(tenant: Tenant, customer: str, **profile: Any) -> None:
    await tenant.created(customer, **profile)
    await tenant.await_status(customer, "membership", "guest")
    reply = await tenant.call(
        "assignment",
        "PUT",
        f"/v1/customers/{customer}/statuses/membership",
        role="status:agent",
        json={"status_code": "member"},
    )
    assert reply.status_code == 200, reply.text


async def _check(tenant: Tenant, customer: str, action: str, **more: Any) -> dict[str, Any]:
    reply = await tenant.call(
        "assignment",
        "POST",
        "/v1/checks",
        role="status:system",
        json={"customer_id": customer, "action": action, **more},
    )
    assert reply.status_code == 200, reply.text
    answer: dict[str, Any] = reply.json()
    return answer


async def test_the_counter_gets_consent_limits_staff_warnings_names_and_icons(
    tenant: Tenant,
) -> None:
    await _membership(tenant)
    await _member(tenant, "m-never")  # never answered about marketing
    await _member(tenant, "m-objected", marketing_objected=True)
    await _member(tenant, "m-off", marketing_opt_in=False)  # a toggle merely off

    # Consent: a status implying it counts unless the customer explicitly objected.
    member = {"category_code": "membership", "status_code": "member"}
    never = await _check(tenant, "m-never", "marketing")
    assert (never["allowed"], never["consent"]) == (True, "none")
    assert never["reasons"] == [{**member, "rule": "implies_marketing_consent"}]
    objected = await _check(tenant, "m-objected", "marketing")
    assert (objected["allowed"], objected["consent"]) == (False, "objected")
    assert objected["reasons"] == [{**member, "rule": "marketing_objected"}]
    assert (await _check(tenant, "m-off", "marketing"))["allowed"] is True
    may = await tenant.json(
        "assignment", "/v1/customers", params={"marketing": "true", "status": "membership:member"}
    )
    probe = "config-probe"  # the customer `await_config` changed to learn the configuration
    assert [row["customer_id"] for row in may["items"] if row["customer_id"] != probe] == [
        "m-never",
        "m-off",
    ]

    # Two appointments a week: a third in the same week is refused, the next week is free.
    monday = date.today() + timedelta(days=14 - date.today().weekday())
    for n, day in enumerate((monday, monday + timedelta(days=2))):
        await tenant.emit(
            topics.BOOKINGS_RESERVATIONS,
            "m-never",
            ReservationBooked(
                reservation_id=f"r-{n}", arrival_date=day, staff_id="ben", channel="desk"
            ),
            at=datetime.now(UTC) - timedelta(minutes=10 - n),
        )

    async def third() -> dict[str, Any]:
        day = (monday + timedelta(days=4)).isoformat()
        return await _check(tenant, "m-never", "book", appointment_date=day)

    refused = await eventually(third, lambda a: a["allowed"] is False, "the third booking refused")
    assert refused["reasons"] == [{**member, "rule": "max_appointments"}]
    later = await _check(
        tenant, "m-never", "book", appointment_date=(monday + timedelta(days=9)).isoformat()
    )
    assert later["allowed"] is True

    # Another staff member than the usual one: allowed, with a warning naming the usual staff.
    other = await _check(
        tenant,
        "m-never",
        "book",
        staff_id="anna",
        appointment_date=(monday + timedelta(days=9)).isoformat(),
    )
    assert other["allowed"] is True
    assert other["warnings"] == [
        {**member, "rule": "staff_change_warning", "usual_staff_id": "ben"}
    ]
    assert (await _check(tenant, "m-never", "change_staff", staff_id="ben"))["warnings"] == []

    # An agent in Austria reads German names, in the customer view, the directory and counts.
    german = {"Accept-Language": "de-AT, de;q=0.9, en;q=0.5"}
    detail = await tenant.json("assignment", "/v1/customers/m-never", headers=german)
    shown = detail["statuses"]["membership"]
    assert (shown["name"], detail["categories"]["membership"]) == ("Mitglied", "Mitgliedschaft")
    page = await tenant.json("assignment", "/v1/customers", params={"q": "m-never"}, headers=german)
    label = page["items"][0]["labels"]["membership"]
    assert (label["name"], label["colour"], label["display_as"]) == (
        "Mitglied",
        "#228B22",
        "name_and_icon",
    )
    counts = await tenant.json(
        "assignment", "/v1/status-counts", params={"category": "membership"}, headers=german
    )
    assert counts["counts"] == {"guest": 0, "member": 3 + 1}  # the three, and the probe
    assert counts["name"] == "Mitgliedschaft"

    # The icon, by a plain HTTP client with no token, as a page on another origin would.
    url = label["icon_url"]
    assert url == shown["icon_url"] and url.startswith("http://127.0.0.1:")
    async with httpx.AsyncClient(timeout=10) as anyone:
        icon = await anyone.get(url, headers={"Origin": "https://desk.example"})
    assert icon.status_code == 200
    assert icon.content == PNG + tenant.id.encode()
    assert icon.headers["access-control-allow-origin"] == "*"
    assert "immutable" in icon.headers["cache-control"]
