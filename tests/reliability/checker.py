"""The checker: what the services hold and published, against the reference model.

Run after the load drained. It reads only what the platform offers its users: assignment's
customer, restrictions and checks APIs, audit's change log, and the output and dead-letter topics.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import httpx
from model import ACTIONS, Expected
from workload import Event, Poison, Workload

from cstatus.contracts import topics
from cstatus.driver.reader import Record
from cstatus.driver.tokens import bearer

__all__ = ["CONSUMERS", "Findings", "Observed", "compare", "observe"]

CONSUMERS = {
    topics.BOOKINGS_RESERVATIONS: {"rules-engine", "assignment"},
    topics.POS_TRANSACTIONS: {"rules-engine"},
    topics.PAYMENTS: {"rules-engine"},
    topics.CRM_CUSTOMERS: {"rules-engine", "assignment", "audit"},
    topics.COMMANDS: {"assignment"},
}
"""Which consumer groups read each input topic: a poison record there is dead-lettered once by each."""

COMPARED = (
    "can_transact",
    "can_redeem",
    "can_book_online",
    "must_prepay_online",
    "transactions_are_outliers",
    "marketing_allowed",
)


@dataclass
class Observed:
    customers: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    restrictions: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    checks: dict[tuple[str, str, str], tuple[bool, bool]] = field(default_factory=dict)
    audit: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Findings:
    customers: int = 0
    lost: list[str] = field(default_factory=list)
    applied_twice: list[str] = field(default_factory=list)
    mismatches: list[str] = field(default_factory=list)
    valid_dead_lettered: list[str] = field(default_factory=list)
    poison_wrong: list[str] = field(default_factory=list)
    duplicate_records: int = 0
    duplicate_dead_letter_records: int = 0
    dead_letters: int = 0

    @property
    def ok(self) -> bool:
        return not (
            self.lost
            or self.applied_twice
            or self.mismatches
            or self.valid_dead_lettered
            or self.poison_wrong
        )

    def summary(self) -> dict[str, Any]:
        return {
            "customers": self.customers,
            "lost": len(self.lost),
            "applied_twice": len(self.applied_twice),
            "mismatches": len(self.mismatches),
            "valid_dead_lettered": len(self.valid_dead_lettered),
            "poison_not_dead_lettered_once": len(self.poison_wrong),
            "duplicate_change_records": self.duplicate_records,
            "duplicate_dead_letter_records": self.duplicate_dead_letter_records,
            "dead_letters": self.dead_letters,
            "kinds": dict(
                Counter(
                    _kind(x)
                    for x in self.lost
                    + self.applied_twice
                    + self.mismatches
                    + self.valid_dead_lettered
                    + self.poison_wrong
                )
            ),
            "examples": (
                self.lost
                + self.applied_twice
                + self.mismatches
                + self.valid_dead_lettered
                + self.poison_wrong
            )[:25],
        }


def _kind(finding: str) -> str:
    """What a finding is about, without the customer: for counting them by kind."""
    words = finding.split(":")[0].split(" ")
    return " ".join(w for w in words[1:] if not w.startswith("rel-")) or finding[:60]


async def _retrying(call: Any, *args: Any, **kwargs: Any) -> httpx.Response:
    for attempt in range(20):
        try:
            response: httpx.Response = await call(*args, **kwargs)
            if response.status_code < 500:
                return response
        except httpx.HTTPError:
            pass
        await asyncio.sleep(min(2.0, 0.1 * 2**attempt))
    raise RuntimeError(f"no answer from {args[0]}")


async def observe(
    http: httpx.AsyncClient,
    urls: dict[str, str],
    expected: dict[tuple[str, str], Expected],
    tenants: tuple[str, ...],
) -> Observed:
    seen = Observed()
    gate = asyncio.Semaphore(16)

    async def customer(tenant: str, cid: str) -> None:
        viewer = bearer(tenant, "status:viewer")
        async with gate:
            detail = await _retrying(
                http.get, f"{urls['assignment']}/v1/customers/{cid}", headers=viewer
            )
            seen.customers[(tenant, cid)] = detail.json() if detail.status_code == 200 else {}
            r = await _retrying(
                http.get, f"{urls['assignment']}/v1/customers/{cid}/restrictions", headers=viewer
            )
            seen.restrictions[(tenant, cid)] = r.json()
            for action in ACTIONS:
                answer = await _retrying(
                    http.post,
                    f"{urls['assignment']}/v1/checks",
                    json={"customer_id": cid, "action": action},
                    headers=viewer,
                )
                body = answer.json()
                seen.checks[(tenant, cid, action)] = (body.get("allowed"), body.get("must_prepay"))

    await asyncio.gather(*(customer(t, c) for t, c in expected))
    for tenant in tenants:
        cursor: str | None = None
        while True:
            params: dict[str, Any] = {"include_excluded": "true", "limit": 500}
            if cursor:
                params["cursor"] = cursor
            page = (
                await _retrying(
                    http.get,
                    f"{urls['audit']}/v1/changes",
                    params=params,
                    headers=bearer(tenant, "status:viewer"),
                )
            ).json()
            seen.audit += [{**item, "tenant": tenant} for item in page["items"]]
            cursor = page.get("next_cursor")
            if not cursor:
                break
    return seen


def compare(
    work: Workload,
    expected: dict[tuple[str, str], Expected],
    seen: Observed,
    records: list[Record],
) -> Findings:
    found = Findings(customers=len(expected))
    _statuses(expected, seen, found)
    _audit(seen, found)
    _changes_topic(seen, records, found)
    _snapshots(seen, records, found)
    _dead_letters(work, records, found)
    return found


def _statuses(expected: dict[tuple[str, str], Expected], seen: Observed, found: Findings) -> None:
    for (tenant, cid), want in expected.items():
        who = f"{tenant}/{cid}"
        detail = seen.customers.get((tenant, cid)) or {}
        held = {
            code: (s or {}).get("status_code") for code, s in (detail.get("statuses") or {}).items()
        }
        for category, code in want.statuses.items():
            if held.get(category) != code:
                found.mismatches.append(
                    f"{who} {category}: {held.get(category)!r} != model {code!r}"
                )
        restrictions = seen.restrictions.get((tenant, cid), {})
        for name in COMPARED:
            if name == "marketing_allowed" and want.erased:
                continue
            if restrictions.get(name) != want.restrictions.get(name):
                found.mismatches.append(
                    f"{who} restriction {name}: {restrictions.get(name)!r} != model "
                    f"{want.restrictions.get(name)!r}"
                )
        for action, answer in want.checks.items():
            if seen.checks.get((tenant, cid, action)) != answer:
                found.mismatches.append(
                    f"{who} check {action}: {seen.checks.get((tenant, cid, action))} != model {answer}"
                )
        for name, value in want.profile.items():
            if detail.get(name) != value:
                found.mismatches.append(
                    f"{who} profile {name}: {detail.get(name)!r} != model {value!r}"
                )


def _audit(seen: Observed, found: Findings) -> None:
    """Per (customer, category): sequence 1..n, no gap, no repeat; the last change leads to what
    assignment holds."""
    chains: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
    for item in seen.audit:
        chains[(item["tenant"], item["customer_id"], item["category_code"])].append(item)
    for (tenant, cid, category), items in chains.items():
        if cid == "config-probe":
            continue
        who = f"{tenant}/{cid} {category}"
        sequences = sorted(i["sequence"] for i in items)
        repeats = [s for s, n in Counter(sequences).items() if n > 1]
        if repeats:
            found.applied_twice.append(f"{who}: audit sequences repeated {repeats}")
        if sorted(set(sequences)) != list(range(1, len(set(sequences)) + 1)):
            found.lost.append(f"{who}: audit sequences {sequences} have a gap")
        last = max(items, key=lambda i: i["sequence"])
        held = ((seen.customers.get((tenant, cid)) or {}).get("statuses") or {}).get(category)
        last_to = (last.get("to") or {}).get("code")
        if held is not None and held.get("status_code") != last_to:
            found.lost.append(
                f"{who}: audit ends at {last_to!r}, assignment holds {held.get('status_code')!r}"
            )
    ids = Counter(i["change_id"] for i in seen.audit)
    found.applied_twice += [f"change {c} logged {n} times" for c, n in ids.items() if n > 1]


def _changes_topic(seen: Observed, records: list[Record], found: Findings) -> None:
    published: Counter[str] = Counter()
    for r in records:
        if r.topic == topics.STATUS_CHANGES and r.value:
            body = json.loads(r.value)
            if body.get("type") == "customer_status.changed":
                published[body["data"]["change_id"]] += 1
    logged = {i["change_id"] for i in seen.audit if i["customer_id"] != "config-probe"}
    probe = {i["change_id"] for i in seen.audit if i["customer_id"] == "config-probe"}
    on_topic = set(published) - probe
    found.duplicate_records = sum(n - 1 for n in published.values())
    found.lost += [f"change {c} published but not in the audit log" for c in on_topic - logged]
    found.lost += [f"change {c} in the audit log but never published" for c in logged - on_topic]


def _snapshots(seen: Observed, records: list[Record], found: Findings) -> None:
    latest: dict[bytes, Record] = {}
    for r in records:
        if r.topic == topics.SNAPSHOTS and r.key is not None:
            latest[r.key] = r
    for (tenant, cid), detail in seen.customers.items():
        snapshot = latest.get(f"{tenant}:{cid}".encode())
        if snapshot is None or not detail:
            if detail and detail.get("statuses"):
                found.lost.append(f"{tenant}/{cid}: no snapshot published")
            continue
        if snapshot.value is None:  # a tombstone after an erasure
            continue
        data = json.loads(snapshot.value)["data"]
        in_snapshot = {c: s["code"] for c, s in data["statuses"].items() if s}
        held = {c: s["status_code"] for c, s in (detail.get("statuses") or {}).items() if s}
        if in_snapshot != held:
            found.mismatches.append(f"{tenant}/{cid} latest snapshot {in_snapshot} != held {held}")
        restrictions = seen.restrictions.get((tenant, cid), {})
        for name in COMPARED:
            if name in data["restrictions"] and data["restrictions"][name] != restrictions.get(
                name
            ):
                found.mismatches.append(
                    f"{tenant}/{cid} snapshot restriction {name}: "
                    f"{data['restrictions'][name]!r} != served {restrictions.get(name)!r}"
                )


def _dead_letters(work: Workload, records: list[Record], found: Findings) -> None:
    valid = {(e.key(), e.value()) for e in work.steps if isinstance(e, Event)}
    poison = {(p.key, p.value): p for p in work.steps if isinstance(p, Poison)}
    lettered: dict[tuple[bytes | None, bytes | None], Counter[str]] = defaultdict(Counter)
    seen: set[tuple[str | None, ...]] = set()
    for r in records:
        if not r.topic.endswith(".dlq"):
            continue
        found.dead_letters += 1
        # A relay crash between publishing and deleting may repeat a dead-letter *record* (as it
        # may a change); dead-lettering the same consumed record twice is what must not happen.
        coordinates = (
            r.header("x-dlq-consumer-group"),
            r.header("x-dlq-original-topic"),
            r.header("x-dlq-original-partition"),
            r.header("x-dlq-original-offset"),
        )
        if coordinates in seen:
            found.duplicate_dead_letter_records += 1
            continue
        seen.add(coordinates)
        ident = (r.key, r.value)
        if ident in valid:
            found.valid_dead_lettered.append(
                f"valid event on {r.topic} dead-lettered by {r.header('x-dlq-consumer-group')}: "
                f"{r.header('x-dlq-error')}"
            )
        lettered[ident][r.header("x-dlq-consumer-group") or "?"] += 1
    for ident, p in poison.items():
        groups = lettered.get(ident, Counter())
        want = Counter(dict.fromkeys(CONSUMERS[p.topic], 1))
        if groups != want:
            found.poison_wrong.append(
                f"poison ({p.why}) on {p.topic}: dead-lettered {dict(groups)}, want {dict(want)}"
            )
