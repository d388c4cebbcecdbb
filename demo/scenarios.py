"""What employees and external systems do once the feed is in: manual changes and refusals.

- an agent gives a loyal guest `vip` by hand (a pin on the automatic relationship category);
- an agent suspends a customer, who then buys something: those sales come out as outliers;
- an agent closes (deletes) an account; reopening it is refused (`terminal`), and so is confirming
  fraud on a customer nobody suspected, and a lifecycle change without a reason;
- an external CRM sync sends a command the assignment service rejects on the rejections topic.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from cstatus.contracts.commands import AssignStatus
from cstatus.contracts.envelope import CloudEvent
from cstatus.contracts.outliers import TransactionOutlier
from cstatus.contracts.rejections import StatusRejected
from cstatus.contracts.topics import OUTLIERS, REJECTIONS
from demo.api import Api, ApiError, Refusal
from demo.census import Census
from demo.feed import Feed, transaction
from demo.producer import Publisher
from demo.topic_reader import read_since
from demo.waiting import say, wait_until

__all__ = ["Acts", "play_scenarios"]

SALES_WHILE_SUSPENDED = 3


@dataclass(frozen=True, slots=True)
class Acts:
    """Who the employees and systems acted on, and what was refused over HTTP."""

    vip: str
    suspended: str
    deleted: str
    fraud_suspected: str
    command_id: str
    refusals: list[Refusal] = field(default_factory=list)
    pending: str | None = None
    """The approval left waiting for a second person (SPEC 1.8), if one was asked for."""


def _pick(census: Census, feed: Feed) -> tuple[str, str, str, str]:
    """The VIP (a gold guest if any), the customer to suspend, the account to delete, a bystander."""
    taken = {feed.burst_customer}
    clients = [c for c in census.holders("relationship", "client") if c not in taken]
    loyal = [c for level in ("gold", "silver", "bronze") for c in census.holders("loyalty", level)]
    vip = next((c for c in loyal if c not in taken), clients[0])
    others = [c for c in clients if c != vip]
    leads = census.holders("relationship", "lead")
    return vip, others[0], (leads or others[2:])[0], others[1]


async def _agent_puts(
    api: Api, customer: str, category: str, body: dict[str, object], agent: str
) -> None:
    path = f"/v1/customers/{customer}/statuses/{category}"
    answer = await api.ok("PUT", "assignment", path, role="status:agent", subject=agent, json=body)
    if answer["result"] == "pending":  # four eyes (SPEC 1.8): a second person approves
        say(f"{agent} asked to set {category} of {customer} to {body['status_code']}: waits")
        ident = answer["approval_id"]
        await api.ok(
            "POST",
            "assignment",
            f"/v1/approvals/{ident}/approve",
            role="status:approver",
            subject="manager.eva",
            json={"reason": "Checked with the customer"},
        )
        say(f"manager.eva approved it (approval {ident})")
    say(f"{agent} set {category} of {customer} to {body['status_code']}: {body.get('reason')}")


async def _agent_refused(
    api: Api, action: str, customer: str, category: str, body: dict[str, object]
) -> Refusal:
    path = f"/v1/customers/{customer}/statuses/{category}"
    refusal = await api.refused(
        action, "PUT", "assignment", path, role="status:agent", subject="agent.tom", json=body
    )
    say(f"refused as expected: {action} → {refusal.status} {refusal.code}")
    return refusal


async def _suspend_and_sell(
    api: Api, publisher: Publisher, customer: str, since_ms: int, timeout_s: float
) -> None:
    """Suspend by hand; once the rules engine knows, the customer's sales are outliers."""
    await _agent_puts(
        api,
        customer,
        "lifecycle",
        {"status_code": "suspended", "reason": "Chargeback dispute under review"},
        "agent.tom",
    )

    async def engine_knows() -> tuple[bool, str]:
        activity = await api.ok("GET", "rules-engine", f"/v1/customers/{customer}/activity")
        held = {e["category_code"]: e["current"] for e in activity["evaluations"]}
        return held.get("lifecycle") == "suspended", f"lifecycle {held.get('lifecycle')}"

    await wait_until("the rules engine to see the suspension", engine_knows, timeout_s=timeout_s)
    now = datetime.now(UTC)
    sales = [
        transaction(customer, f"t-live-{n}", now - timedelta(seconds=n), Decimal("49.90"))
        for n in range(1, SALES_WHILE_SUSPENDED + 1)
    ]
    await publisher.publish(sales, label="sales of the suspended customer")

    async def flagged() -> tuple[bool, str]:
        found = await read_since(OUTLIERS, CloudEvent[TransactionOutlier], api.tenant, since_ms)
        mine = [o for o in found if o.subject == customer]
        return len(mine) >= SALES_WHILE_SUSPENDED, f"{len(mine)}/{SALES_WHILE_SUSPENDED} outliers"

    await wait_until("the outliers of the suspended customer", flagged, timeout_s=timeout_s)


async def _external_command(
    api: Api, publisher: Publisher, customer: str, since_ms: int, timeout_s: float
) -> str:
    """The CRM sync tries to reopen a closed account in the automatic lifecycle: rejected."""
    command_id = f"cmd-{api.tenant}-reopen"
    command = AssignStatus(
        category_code="lifecycle", status_code="active", reason="CRM sync: account reopened"
    )
    await publisher.command(command_id, customer, command, actor="crm-sync")
    say(f"crm-sync sent customer_status.assign lifecycle=active for {customer} ({command_id})")

    async def rejected() -> tuple[bool, str]:
        found = await read_since(REJECTIONS, CloudEvent[StatusRejected], api.tenant, since_ms)
        mine = [r.data for r in found if r.data.ref_id.endswith(command_id)]
        return bool(mine), mine[0].reason_code if mine else "no rejection yet"

    await wait_until("the command's rejection", rejected, timeout_s=timeout_s)
    return command_id


async def play_scenarios(
    api: Api, publisher: Publisher, feed: Feed, census: Census, since_ms: int, *, timeout_s: float
) -> Acts:
    vip, suspended, deleted, bystander = _pick(census, feed)
    await _agent_puts(
        api,
        vip,
        "relationship",
        {"status_code": "vip", "reason": "Loyal guest, a friend of the house"},
        "agent.maria",
    )
    await _suspend_and_sell(api, publisher, suspended, since_ms, timeout_s)
    refusals = [
        await _agent_refused(
            api,
            f"confirm fraud on {bystander}, who is not suspected",
            bystander,
            "lifecycle",
            {"status_code": "fraud_confirmed", "reason": "Looked suspicious at the desk"},
        ),
        await _agent_refused(
            api,
            f"suspend {bystander} without a reason",
            bystander,
            "lifecycle",
            {"status_code": "suspended"},
        ),
    ]
    await _agent_puts(
        api,
        deleted,
        "lifecycle",
        {"status_code": "deleted", "reason": "Customer asked to close the account"},
        "agent.maria",
    )
    refusals.append(
        await _agent_refused(
            api,
            f"reopen the deleted account {deleted}",
            deleted,
            "lifecycle",
            {"status_code": "active", "reason": "Customer came back"},
        )
    )
    command_id = await _external_command(api, publisher, deleted, since_ms, timeout_s)
    pending = None
    if feed.burst_customer in census.holders("lifecycle", "fraud_suspected"):
        pending, refusal = await _confirm_fraud_waits(api, feed.burst_customer)
        refusals.append(refusal)
    return Acts(vip, suspended, deleted, feed.burst_customer, command_id, refusals, pending)


async def _confirm_fraud_waits(api: Api, customer: str) -> tuple[str, Refusal]:
    """agent.tom (also an approver) asks to confirm the fraud: it waits for a second person
    (SPEC 1.8), he cannot approve it himself, and the demo leaves it pending."""
    path = f"/v1/customers/{customer}/statuses/lifecycle"
    body = {"status_code": "fraud_confirmed", "reason": "Card issuer confirmed the chargebacks"}
    answer = await api.ok(
        "PUT", "assignment", path, role="status:agent", subject="agent.tom", json=body
    )
    if answer["result"] != "pending":
        raise ApiError(f"confirming fraud should wait for a second person: {answer}")
    ident = answer["approval_id"]
    say(f"agent.tom asked to confirm fraud on {customer}: waits for approval {ident}")
    refusal = await api.refused(
        f"agent.tom approves his own request {ident}",
        "POST",
        "assignment",
        f"/v1/approvals/{ident}/approve",
        role="status:approver",
        subject="agent.tom",
        json={"reason": "Looks right to me"},
    )
    say(f"refused as expected: self-approval → {refusal.status} {refusal.code}")
    return ident, refusal
