"""Defaults, manual overrides and pins, refusals: through the real broker and database."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from cstatus.contracts import topics
from cstatus.contracts.customers import CustomerCreated
from cstatus.contracts.envelope import new_event

pytestmark = pytest.mark.integration

AGENT = ("status:agent",)


async def _create(h: Any, tenant: str, customer: str, **profile: Any) -> None:
    event = new_event(
        CustomerCreated(**profile),
        id=f"created-{customer}",
        source="crm",
        tenant=tenant,
        subject=customer,
        time=datetime.now(UTC),
    )
    await h.send(topics.CRM_CUSTOMERS, event)


async def test_a_new_customer_gets_every_default_status(harness: Any) -> None:
    h, tenant = harness, harness.tenant()
    await h.configure(tenant)
    await _create(h, tenant, "c-1", first_name="Ada", email="ada@example.com")

    changes = await h.wait_out(topics.STATUS_CHANGES, tenant, "c-1", 3)
    assert {(c.category_code, c.to.code, c.source, c.sequence) for c in changes} == {
        ("relationship", "lead", "system", 1),
        ("lifecycle", "active", "system", 1),
        ("tier", "basic", "system", 1),
    }
    snapshot = (await h.wait_out(topics.SNAPSHOTS, tenant, "c-1", 1))[-1]
    assert {k: v.code for k, v in snapshot.statuses.items()} == {
        "relationship": "lead",
        "lifecycle": "active",
        "tier": "basic",
    }
    reply = await h.client.get("/v1/customers/c-1", headers=h.headers(tenant, "status:viewer"))
    assert reply.status_code == 200
    body = reply.json()
    assert body["first_name"] == "Ada"
    assert body["statuses"]["relationship"]["status_code"] == "lead"
    assert body["statuses"]["relationship"]["colour"] == "#336699"
    assert body["statuses"]["segment"] is None


async def test_a_customer_first_seen_in_a_proposal_gets_defaults_then_the_proposal(
    harness: Any,
) -> None:
    h, tenant = harness, harness.tenant()
    await h.configure(tenant)
    await h.propose(tenant, "c-2", "relationship", "client")

    changes = await h.wait_out(topics.STATUS_CHANGES, tenant, "c-2", 4)
    relationship = [c for c in changes if c.category_code == "relationship"]
    assert [(c.from_ and c.from_.code, c.to.code, c.sequence) for c in relationship] == [
        (None, "lead", 1),
        ("lead", "client", 2),
    ]
    assert relationship[1].source == "automatic"
    assert relationship[1].explanation.rule == "count"


async def test_a_manual_override_pins_until_it_is_cleared(harness: Any) -> None:
    h, tenant = harness, harness.tenant()
    await h.configure(tenant)
    await _create(h, tenant, "c-3")
    await h.wait_out(topics.STATUS_CHANGES, tenant, "c-3", 3)

    reply = await h.client.put(
        "/v1/customers/c-3/statuses/relationship",
        json={"status_code": "vip", "reason": "met the owner"},
        headers=h.headers(tenant, *AGENT),
    )
    assert reply.status_code == 200, reply.text
    assert reply.json()["status"]["pinned"] is True
    assert reply.json()["status"]["source"] == "manual"

    refused_id = await h.propose(tenant, "c-3", "relationship", "client")
    rejection = (await h.wait_out(topics.REJECTIONS, tenant, "c-3", 1))[0]
    assert (rejection.ref_id, rejection.reason_code) == (f"proposal/{refused_id}", "pinned")
    assert await h.status_of(tenant, "c-3", "relationship") == "vip"

    reply = await h.client.delete(
        "/v1/customers/c-3/statuses/relationship", headers=h.headers(tenant, *AGENT)
    )
    assert reply.status_code == 200, reply.text
    await h.propose(tenant, "c-3", "relationship", "client")
    await h.until(lambda: _is(h.status_of(tenant, "c-3", "relationship"), "client"))
    published = await h.wait_out(topics.STATUS_CHANGES, tenant, "c-3", 6)
    changes = [c for c in published if c.category_code == "relationship"]
    assert [(c.to and c.to.code, c.source) for c in changes] == [
        ("lead", "system"),
        ("vip", "manual"),
        (None, "manual"),
        ("client", "automatic"),
    ]


async def _is(value: Any, expected: Any) -> bool:
    return bool(await value == expected)


async def test_a_pin_ends_at_its_until_time_and_automation_resumes(harness: Any) -> None:
    h, tenant = harness, harness.tenant()
    await h.configure(tenant)
    until = datetime.now(UTC) + timedelta(seconds=1.5)
    reply = await h.client.put(
        "/v1/customers/c-4/statuses/relationship",
        json={"status_code": "vip", "until": until.isoformat()},
        headers=h.headers(tenant, *AGENT),
    )
    assert reply.status_code == 200, reply.text
    assert reply.json()["status"]["pinned_until"] is not None

    row = await h.until(
        lambda: h.pool.fetchrow(
            f"SELECT * FROM {h.schema}.statuses WHERE tenant = $1 AND customer_id = 'c-4'"
            " AND category_code = 'relationship' AND NOT pinned",
            tenant,
        ),
        wait_s=15,
    )
    assert row["status_code"] == "vip"
    assert row["updated_at"] >= until
    expired = [
        c
        for c in await h.wait_out(topics.STATUS_CHANGES, tenant, "c-4", 5)
        if c.source == "system" and c.category_code == "relationship" and c.sequence == 3
    ]
    assert expired and expired[0].explanation.rule == "pin_expired"
    await h.propose(tenant, "c-4", "relationship", "client")
    await h.until(lambda: _is(h.status_of(tenant, "c-4", "relationship"), "client"))


async def test_refusals_carry_stable_reason_codes(harness: Any) -> None:
    h, tenant = harness, harness.tenant()
    await h.configure(tenant)
    agent = h.headers(tenant, *AGENT)

    async def put(category: str, body: dict[str, Any], headers: Any = agent) -> Any:
        return await h.client.put(
            f"/v1/customers/c-5/statuses/{category}", json=body, headers=headers
        )

    cases = [
        ("lifecycle", {"status_code": "suspended"}, 422, "reason_required"),
        (
            "lifecycle",
            {"status_code": "fraud_confirmed", "reason": "x"},
            409,
            "fraud_confirmed_requires_suspected",
        ),
        ("tier", {"status_code": "old"}, 409, "status_archived"),
        ("tier", {"status_code": "nope"}, 422, "unknown_status"),
        ("nope", {"status_code": "x"}, 422, "unknown_category"),
        (
            "tier",
            {"status_code": "restricted", "until": "2099-01-01T00:00:00Z"},
            422,
            "until_not_applicable",
        ),
    ]
    for category, body, status, code in cases:
        reply = await put(category, body)
        assert (reply.status_code, reply.json().get("code")) == (status, code), (category, body)
        assert reply.headers["content-type"] == "application/problem+json"

    system = h.headers(tenant, "status:system", subject="crm-sync")
    reply = await put("relationship", {"status_code": "vip"}, system)
    assert (reply.status_code, reply.json()["code"]) == (409, "source_not_allowed")
    reply = await put("segment", {"status_code": "b2b"}, system)
    assert reply.status_code == 200 and reply.json()["status"]["source"] == "external"
    viewer = h.headers(tenant, "status:viewer")
    assert (await put("tier", {"status_code": "restricted"}, viewer)).status_code == 403

    reply = await put("lifecycle", {"status_code": "deleted", "reason": "gdpr"})
    assert reply.status_code == 200
    reply = await put("lifecycle", {"status_code": "active", "reason": "undo"})
    assert (reply.status_code, reply.json()["code"]) == (409, "terminal")


async def test_refused_commands_and_proposals_are_published_once(harness: Any) -> None:
    h, tenant = harness, harness.tenant()
    await h.configure(tenant)
    command = await h.command(tenant, "c-6", "relationship", "vip")
    proposal = await h.propose(tenant, "c-6", "tier", "restricted")
    again = await h.propose(tenant, "c-6", "tier", "restricted", proposal_id=proposal)
    assert again == proposal
    applied = await h.command(tenant, "c-6", "segment", "b2c")

    found = await h.wait_out(topics.REJECTIONS, tenant, "c-6", 2)
    assert {(r.ref_id, r.reason_code) for r in found} == {
        (f"command/{command}", "source_not_allowed"),
        (f"proposal/{proposal}", "source_not_allowed"),
    }
    await h.until(lambda: _is(h.status_of(tenant, "c-6", "segment"), "b2c"))
    await asyncio.sleep(0.5)
    assert len(h.out(topics.REJECTIONS, tenant, "c-6")) == 2
    log = await h.pool.fetch(
        f"SELECT ref_id FROM {h.schema}.status_changes WHERE tenant = $1 AND category_code = 'segment'",
        tenant,
    )
    assert [r["ref_id"] for r in log] == [f"command/{applied}"]
