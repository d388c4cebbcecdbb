"""Bad input through the running services: poison messages go to `<topic>.dlq` with their error
and the partition keeps moving; bad API calls get problem+json; tenants never see each other."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import httpx
import pytest
from support import Output, Platform
from tenants import Tenant, provision

from cstatus.contracts import topics
from cstatus.contracts.envelope import message_key

pytestmark = pytest.mark.e2e

DLQ = topics.dlq_topic(topics.BOOKINGS_RESERVATIONS)


def _problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert (body["status"], bool(body["title"])) == (status, True)
    return body


async def test_poison_messages_are_dead_lettered_and_the_partition_moves_on(
    tenant: Tenant, platform: Platform
) -> None:
    key = message_key(tenant.id, "c-poison")
    undecodable = b"\xff\xfe not json at all"
    invalid = json.dumps(  # a booking without its arrival date
        {
            "specversion": "1.0",
            "id": tenant.next_id(),
            "source": "e2e-tests",
            "type": "reservation.booked",
            "time": datetime.now(UTC).isoformat(),
            "tenant": tenant.id,
            "subject": "c-poison",
            "data": {"reservation_id": "r-bad"},
        }
    ).encode()
    first = await platform.send_raw(topics.BOOKINGS_RESERVATIONS, key, undecodable)
    second = await platform.send_raw(topics.BOOKINGS_RESERVATIONS, key, invalid)
    await tenant.booked("c-poison", "r-good", date.today())

    await tenant.await_status("c-poison", "relationship", "client", source="automatic")

    def ours(output: Output) -> bool:
        return output.key == key

    letters = await platform.outputs.wait(DLQ, ours, "both poison messages", count=2)
    assert {o.value for o in letters} == {undecodable, invalid}
    for letter in letters:
        assert letter.headers["x-dlq-original-topic"] == topics.BOOKINGS_RESERVATIONS
        assert int(letter.headers["x-dlq-original-partition"]) == first == second
        assert letter.headers["x-dlq-error"]
        assert letter.headers["x-dlq-consumer-group"]
    invalid_errors = {o.headers["x-dlq-error"] for o in letters if o.value == invalid}
    assert any("arrival_date" in error for error in invalid_errors), invalid_errors


async def test_bad_api_calls_get_problem_json(tenant: Tenant) -> None:
    await tenant.created("c-api")
    await tenant.await_status("c-api", "lifecycle", "active")
    path = "/v1/customers/c-api/statuses/relationship"

    for body in [{}, {"status_code": "vip", "colour": "red"}, {"status_code": "has space"}]:
        response = await tenant.call("assignment", "PUT", path, role="status:agent", json=body)
        problem = _problem(response, 422)
        assert problem["errors"], problem
    for body in [
        {"customer_id": "c-api", "action": "fly"},
        {"action": "transact"},
    ]:
        _problem(await tenant.call("assignment", "POST", "/v1/checks", json=body), 422)
    category = await tenant.call(
        "status-config",
        "POST",
        "/v1/categories",
        json={"code": "no spaces allowed", "name": "X", "update_mode": "sometimes"},
    )
    fields = {e["field"] for e in _problem(category, 422)["errors"]}
    assert any("code" in f for f in fields) and any("update_mode" in f for f in fields), fields
    past = await tenant.call(
        "assignment",
        "PUT",
        path,
        role="status:agent",
        json={"status_code": "vip", "until": "2001-01-01T00:00:00Z"},
    )
    assert _problem(past, 422)["code"] == "until_in_past"

    unknown = await tenant.call("assignment", "GET", "/v1/customers/c-nobody")
    assert _problem(unknown, 404)["code"] == "customer_not_found"
    _problem(await tenant.call("rules-engine", "GET", "/v1/customers/c-nobody/activity"), 404)
    _problem(await tenant.call("audit", "GET", "/v1/customers/c-nobody/export"), 404)
    anonymous = await tenant.platform.http.put(
        tenant.platform.urls["assignment"] + path, json={"status_code": "vip"}
    )
    _problem(anonymous, 401)
    viewer = await tenant.call(
        "assignment", "PUT", path, role="status:viewer", json={"status_code": "vip"}
    )
    _problem(viewer, 403)
    await tenant.await_status("c-api", "relationship", "lead")


async def test_another_tenants_token_sees_nothing(tenant: Tenant, platform: Platform) -> None:
    await tenant.created("c-mine", first_name="Ann")
    await tenant.await_status("c-mine", "lifecycle", "active")
    await tenant.await_history("c-mine", lambda h: len(h) == 2, "the defaults logged")
    other = await provision(platform)

    customer = await other.call("assignment", "GET", "/v1/customers/c-mine")
    _problem(customer, 404)
    assert (await other.history("c-mine")) == []
    _problem(await other.call("audit", "GET", "/v1/customers/c-mine/export"), 404)
    _problem(await other.call("rules-engine", "GET", "/v1/customers/c-mine/activity"), 404)
    changes = await other.json("audit", "/v1/changes")
    assert all(c["customer_id"] != "c-mine" for c in changes["items"]), changes
    forged = await other.call(
        "assignment", "GET", "/v1/customers/c-mine", headers={"X-Cstatus-Tenant": tenant.id}
    )
    _problem(forged, 403)
    change = await other.call(
        "assignment",
        "PUT",
        "/v1/customers/c-mine/statuses/lifecycle",
        role="status:agent",
        json={"status_code": "suspended", "reason": "not mine"},
    )
    assert change.status_code == 200, change.text  # its own customer of that id, not ours
    await other.await_status("c-mine", "lifecycle", "suspended")
    await tenant.await_status("c-mine", "lifecycle", "active")
    assert len(await tenant.history("c-mine")) == 2
