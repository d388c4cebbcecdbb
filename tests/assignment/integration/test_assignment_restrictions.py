"""Restrictions and checks with their reasons; still right when Redis cannot be reached."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from cstatus.contracts import topics
from cstatus.contracts.customers import CustomerCreated, CustomerUpdated
from cstatus.contracts.envelope import new_event
from cstatus.contracts.reservations import ReservationBooked, ReservationCancelled

pytestmark = pytest.mark.integration

CLOSED_REDIS = "redis://127.0.0.1:1/0"


def _event(data: Any, tenant: str, customer: str, event_id: str) -> Any:
    return new_event(
        data, id=event_id, source="test", tenant=tenant, subject=customer, time=datetime.now(UTC)
    )


async def _put(h: Any, tenant: str, customer: str, category: str, **body: Any) -> None:
    reply = await h.client.put(
        f"/v1/customers/{customer}/statuses/{category}",
        json=body,
        headers=h.headers(tenant, "status:agent"),
    )
    assert reply.status_code == 200, reply.text


async def _check(h: Any, tenant: str, customer: str, action: str, **more: Any) -> Any:
    reply = await h.client.post(
        "/v1/checks",
        json={"customer_id": customer, "action": action, **more},
        headers=h.headers(tenant, "status:system"),
    )
    assert reply.status_code == 200, reply.text
    body = reply.json()
    reasons = {(r["category_code"], r["status_code"], r["rule"]) for r in body["reasons"]}
    return body["allowed"], body["must_prepay"], reasons


async def test_restrictions_combine_every_status_and_name_their_reasons(harness: Any) -> None:
    h, tenant = harness, harness.tenant()
    await h.configure(tenant)
    await _put(h, tenant, "c-1", "lifecycle", status_code="suspended", reason="unpaid invoice")
    await _put(h, tenant, "c-1", "tier", status_code="restricted")

    reply = await h.client.get(
        "/v1/customers/c-1/restrictions", headers=h.headers(tenant, "status:viewer")
    )
    assert reply.status_code == 200
    body = reply.json()
    assert (body["can_transact"], body["can_redeem"], body["can_book_online"]) == (
        True,
        False,
        False,
    )
    assert body["must_prepay_online"] is True
    assert body["transactions_are_outliers"] is True
    assert body["allowed_service_codes"] == ["massage", "sauna"]
    assert body["max_appointments"] == {"count": 1, "period_days": 30}
    reasons = {(r["category_code"], r["status_code"], r["rule"]) for r in body["reasons"]}
    assert {
        ("lifecycle", "suspended", "can_redeem"),
        ("lifecycle", "suspended", "must_prepay_online"),
        ("lifecycle", "suspended", "transactions_are_outliers"),
        ("tier", "restricted", "can_book_online"),
    } <= reasons

    assert await _check(h, tenant, "c-1", "transact") == (True, False, set())
    assert await _check(h, tenant, "c-1", "redeem") == (
        False,
        False,
        {("lifecycle", "suspended", "can_redeem")},
    )
    allowed, must_prepay, why = await _check(h, tenant, "c-1", "book_online")
    assert (allowed, must_prepay) == (False, True)
    assert ("tier", "restricted", "can_book_online") in why
    assert await _check(h, tenant, "c-1", "book", service_code="yoga") == (
        False,
        False,
        {("tier", "restricted", "allowed_service_codes")},
    )
    assert (await _check(h, tenant, "c-1", "book", service_code="sauna"))[0] is True


async def test_max_appointments_counts_bookings_and_cancellations(harness: Any) -> None:
    h, tenant = harness, harness.tenant()
    await h.configure(tenant)
    await _put(h, tenant, "c-2", "tier", status_code="restricted")
    arrival = date.today() + timedelta(days=3)
    await h.send(
        topics.BOOKINGS_RESERVATIONS,
        _event(ReservationBooked(reservation_id="r-1", arrival_date=arrival), tenant, "c-2", "b1"),
    )

    async def refused() -> bool:
        return (await _check(h, tenant, "c-2", "book"))[0] is False

    await h.until(refused)
    assert (await _check(h, tenant, "c-2", "book"))[2] == {
        ("tier", "restricted", "max_appointments")
    }
    await h.send(
        topics.BOOKINGS_RESERVATIONS,
        _event(ReservationCancelled(reservation_id="r-1"), tenant, "c-2", "b2"),
    )

    async def allowed() -> bool:
        return (await _check(h, tenant, "c-2", "book"))[0] is True

    await h.until(allowed)


async def test_marketing_consent_has_three_states(harness: Any) -> None:
    """SPEC §1 v2: opted in / explicitly objected / no answer. An opt-in switched off is not an
    objection; an objection wins over a status implying consent; the latest event by its time
    wins per field, whatever order the events arrive in."""
    h, tenant = harness, harness.tenant()
    await h.configure(tenant)
    earlier = datetime.now(UTC) - timedelta(minutes=5)
    profiles = {
        "c-3": {},  # never answered
        "c-4": {"marketing_opt_in": False},  # a CRM toggle that is merely off
        "c-7": {"marketing_objected": True},  # GDPR Art. 21
    }
    for customer, fields in profiles.items():
        await h.send(
            topics.CRM_CUSTOMERS,
            _event(CustomerCreated(**fields), tenant, customer, f"new-{customer}"),
        )
        await h.until(lambda c=customer: h.status_of(tenant, c, "relationship"))
        await _put(h, tenant, customer, "relationship", status_code="vip")

    async def marketing(customer: str) -> tuple[bool, str, set[Any]]:
        reply = await h.client.post(
            "/v1/checks",
            json={"customer_id": customer, "action": "marketing"},
            headers=h.headers(tenant, "status:system"),
        )
        assert reply.status_code == 200, reply.text
        body = reply.json()
        why = {(r["category_code"], r["status_code"], r["rule"]) for r in body["reasons"]}
        return body["allowed"], body["consent"], why

    vip = ("relationship", "vip")
    assert await marketing("c-3") == (True, "none", {(*vip, "implies_marketing_consent")})
    assert await marketing("c-4") == (True, "none", {(*vip, "implies_marketing_consent")})
    assert await marketing("c-7") == (False, "objected", {(*vip, "marketing_objected")})
    viewer = h.headers(tenant, "status:viewer")
    objected = (await h.client.get("/v1/customers/c-7/restrictions", headers=viewer)).json()
    assert (objected["marketing_allowed"], objected["marketing_consent"]) == (False, "objected")
    detail = (await h.client.get("/v1/customers/c-7", headers=viewer)).json()
    assert (detail["marketing_objected"], detail["marketing_consent"]) == (True, "objected")

    async def snapshot_says_objected() -> Any:
        for snapshot in reversed(h.out(topics.SNAPSHOTS, tenant, "c-7")):
            if (
                snapshot.statuses.get("relationship")
                and snapshot.statuses["relationship"].code == "vip"
            ):
                return snapshot
        return None

    snapshot = await h.until(snapshot_says_objected)
    assert snapshot.restrictions.marketing_consent == "objected"
    assert snapshot.restrictions.marketing_allowed is False
    assert (
        snapshot.statuses["relationship"].colour,
        snapshot.statuses["relationship"].display_as,
    ) == (
        "#336699",
        "name",
    )
    change = h.out(topics.STATUS_CHANGES, tenant, "c-7")[-1]
    assert (change.to.code, change.to.colour) == ("vip", "#336699")

    # c-3 objects now; an older event withdrawing an objection arrives after it and loses.
    await h.send(
        topics.CRM_CUSTOMERS,
        _event(CustomerUpdated(marketing_objected=True), tenant, "c-3", "obj-c-3"),
    )
    await h.until(lambda: _allowed_is(h, tenant, "c-3", False))
    older = new_event(
        CustomerUpdated(marketing_objected=False, marketing_opt_in=True),
        id="old-c-3",
        source="test",
        tenant=tenant,
        subject="c-3",
        time=earlier,
    )
    await h.send(topics.CRM_CUSTOMERS, older)
    await h.send(
        topics.CRM_CUSTOMERS,
        _event(CustomerUpdated(email="c3@example.com"), tenant, "c-3", "mail-c-3"),
    )
    await h.until(
        lambda: h.pool.fetchval(
            f"SELECT email IS NOT NULL FROM {h.schema}.customers"
            " WHERE tenant = $1 AND customer_id = 'c-3'",
            tenant,
        )
    )
    assert await marketing("c-3") == (False, "objected", {(*vip, "marketing_objected")})

    # An opt-in alone is enough without any status implying consent, until an objection.
    await h.send(
        topics.CRM_CUSTOMERS,
        _event(CustomerCreated(marketing_opt_in=True), tenant, "c-8", "new-c-8"),
    )
    await h.until(lambda: _allowed_is(h, tenant, "c-8", True))
    assert await marketing("c-8") == (True, "opted_in", set())
    await h.send(
        topics.CRM_CUSTOMERS,
        _event(CustomerUpdated(marketing_objected=True), tenant, "c-8", "obj-c-8"),
    )
    await h.until(lambda: _allowed_is(h, tenant, "c-8", False))


async def _allowed_is(h: Any, tenant: str, customer: str, allowed: bool) -> bool:
    reply = await h.client.post(
        "/v1/checks",
        json={"customer_id": customer, "action": "marketing"},
        headers=h.headers(tenant, "status:system"),
    )
    return bool(reply.status_code == 200 and reply.json()["allowed"] is allowed)


async def test_a_booking_with_another_staff_member_is_allowed_with_a_warning(
    harness: Any,
) -> None:
    """SPEC §1 v2: the usual staff is the staff of the most recent non-cancelled booking that
    named one; `book` and `change_staff` with another `staff_id` carry the warning."""
    h, tenant = harness, harness.tenant()
    await h.configure(tenant)
    await _put(h, tenant, "c-9", "tier", status_code="regular")
    start = datetime.now(UTC) - timedelta(hours=1)
    soon = date.today() + timedelta(days=7)

    def booked(reservation: str, staff: str | None, minutes: int) -> Any:
        return new_event(
            ReservationBooked(reservation_id=reservation, arrival_date=soon, staff_id=staff),
            id=f"b-{reservation}",
            source="test",
            tenant=tenant,
            subject="c-9",
            time=start + timedelta(minutes=minutes),
        )

    async def warned(action: str, staff: str) -> list[Any]:
        reply = await h.client.post(
            "/v1/checks",
            json={"customer_id": "c-9", "action": action, "staff_id": staff},
            headers=h.headers(tenant, "status:system"),
        )
        assert reply.status_code == 200, reply.text
        assert reply.json()["allowed"] is True
        return list(reply.json()["warnings"])

    assert await warned("book", "anna") == []  # no usual staff yet
    await h.send(topics.BOOKINGS_RESERVATIONS, booked("r-ben", "ben", 0))
    await h.send(topics.BOOKINGS_RESERVATIONS, booked("r-none", None, 10))  # names nobody
    warning = {
        "category_code": "tier",
        "status_code": "regular",
        "rule": "staff_change_warning",
        "usual_staff_id": "ben",
    }

    async def usual_is_ben() -> bool:
        return await warned("book", "anna") == [warning]

    await h.until(usual_is_ben)
    assert await warned("change_staff", "anna") == [warning]
    assert await warned("book", "ben") == []

    await h.send(topics.BOOKINGS_RESERVATIONS, booked("r-anna", "anna", 20))

    async def usual_is_anna() -> bool:
        return await warned("book", "anna") == []

    await h.until(usual_is_anna)
    assert await warned("book", "ben") == [{**warning, "usual_staff_id": "anna"}]
    await h.send(
        topics.BOOKINGS_RESERVATIONS,
        _event(ReservationCancelled(reservation_id="r-anna"), tenant, "c-9", "cancel-anna"),
    )
    await h.until(usual_is_ben)

    # A customer without the flag gets no warning whoever is booked.
    reply = await h.client.post(
        "/v1/checks",
        json={"customer_id": "c-10", "action": "book", "staff_id": "anna"},
        headers=h.headers(tenant, "status:system"),
    )
    assert reply.json()["warnings"] == []


async def test_an_unknown_customer_is_checked_against_the_default_statuses(harness: Any) -> None:
    h, tenant = harness, harness.tenant()
    await h.configure(tenant)
    assert await _check(h, tenant, "never-seen", "transact") == (True, False, set())


async def test_checks_stay_right_with_redis_unreachable(start_service: Any) -> None:
    async with start_service(CLOSED_REDIS) as h:
        tenant = h.tenant()
        await h.configure(tenant)
        await _put(h, tenant, "c-5", "lifecycle", status_code="deleted", reason="closed account")
        assert await _check(h, tenant, "c-5", "transact") == (
            False,
            False,
            {("lifecycle", "deleted", "can_transact")},
        )
        await _put(h, tenant, "c-5", "tier", status_code="spa_only")
        assert (await _check(h, tenant, "c-5", "book", service_code="massage"))[2] >= {
            ("tier", "spa_only", "allowed_service_codes")
        }


async def test_a_booking_is_checked_for_its_day_against_past_and_future_appointments(
    harness: Any,
) -> None:
    """SPEC §1 v2: `appointment_date` is checked against every window containing it; a past
    booking still inside such a window counts (before, bookings older than a day were dropped
    from the cached entry and the day asked was ignored)."""
    h, tenant = harness, harness.tenant()
    await h.configure(tenant)
    await _put(h, tenant, "c-6", "tier", status_code="restricted")  # at most 1 in 30 days
    past = date.today() - timedelta(days=5)
    await h.send(
        topics.BOOKINGS_RESERVATIONS,
        _event(ReservationBooked(reservation_id="r-p", arrival_date=past), tenant, "c-6", "p1"),
    )

    async def answer(day: date) -> bool:
        reply = await h.client.post(
            "/v1/checks",
            json={"customer_id": "c-6", "action": "book", "appointment_date": day.isoformat()},
            headers=h.headers(tenant, "status:system"),
        )
        assert reply.status_code == 200, reply.text
        return bool(reply.json()["allowed"])

    async def counted() -> bool:
        return not await answer(date.today())

    await h.until(counted)  # five days ago and today share a 30-day window
    assert not await answer(past + timedelta(days=29))
    assert await answer(past + timedelta(days=30))  # no 30-day window holds both
    assert await answer(past - timedelta(days=30))
