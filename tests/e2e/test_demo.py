"""`make run`'s demo against the running services: a small feed, and a summary that holds up."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
CUSTOMERS = 150


@pytest.fixture(scope="module")
def demo_run(
    services: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> tuple[str, dict[str, Any]]:
    """The demo's printed output and its JSON summary."""
    summary = tmp_path_factory.mktemp("demo") / "summary.json"
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "demo/run.py"),
            "--customers",
            str(CUSTOMERS),
            "--timeout",
            "180",
            "--summary-json",
            str(summary),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=280,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done.stdout, json.loads(summary.read_text())


def test_every_customer_holds_one_status_per_seeded_category(
    demo_run: tuple[str, dict[str, Any]],
) -> None:
    _, summary = demo_run
    counts = summary["counts"]
    assert summary["customers"] == CUSTOMERS
    for category in ("relationship", "lifecycle", "loyalty"):
        assert sum(counts[category].values()) == CUSTOMERS, category
    assert counts["relationship"].get("none", 0) == 0
    assert counts["lifecycle"].get("none", 0) == 0
    assert counts["relationship"]["client"] > 0
    assert counts["relationship"]["lead"] > 0
    assert counts["relationship"]["vip"] == 1
    assert counts["relationship"]["inactive"] > 0
    assert counts["loyalty"]["bronze"] > 0
    assert counts["lifecycle"]["deleted"] == 1


def test_the_burst_makes_a_fraud_suspect_with_its_explanation(
    demo_run: tuple[str, dict[str, Any]],
) -> None:
    _, summary = demo_run
    assert summary["counts"]["lifecycle"]["fraud_suspected"] >= 1
    suspect = summary["fraud_suspected"]
    flagged = [
        c
        for c in summary["history"]
        if c["customer_id"] == suspect and c["to"] and c["to"]["code"] == "fraud_suspected"
    ]
    assert flagged and flagged[0]["explanation"]["rule"] == "velocity"


def test_sales_of_the_suspended_customer_are_outliers(
    demo_run: tuple[str, dict[str, Any]],
) -> None:
    _, summary = demo_run
    suspended = summary["acts"]["suspended"]
    assert summary["counts"]["lifecycle"]["suspended"] >= 1
    mine = [o for o in summary["outliers"] if o["customer"] == suspended]
    assert len(mine) >= 3
    assert {o["status_code"] for o in mine} == {"suspended"}


def test_refusals_come_from_the_api_and_the_rejections_topic(
    demo_run: tuple[str, dict[str, Any]],
) -> None:
    _, summary = demo_run
    codes = {(r["status"], r["code"]) for r in summary["refusals"]}
    assert {(409, "fraud_confirmed_requires_suspected"), (409, "terminal")} <= codes
    assert (422, "reason_required") in codes
    command = summary["acts"]["command_id"]
    assert any(r["ref_id"].endswith(command) for r in summary["rejections"])


def test_the_printed_summary_says_what_happened_and_where_to_look(
    demo_run: tuple[str, dict[str, Any]],
) -> None:
    output, summary = demo_run
    tenant = summary["tenant"]
    assert f"Demo summary: tenant {tenant}, {CUSTOMERS} customers" in output
    for heading in ("Customers per status", "Sample of changes", "Outliers on", "Refusals"):
        assert heading in output
    assert "why: velocity" in output
    assert f"make -s token ROLE=status:viewer TENANT={tenant}" in output
    assert "/openapi.json" in output and "make down" in output


def test_the_summary_shows_the_counter_answers(demo_run: tuple[str, dict[str, Any]]) -> None:
    """Gold implies marketing consent unless the guest objected; bronze books at most twice a
    week: the summary asks both, as the counter would."""
    output, summary = demo_run
    answers = summary["counter_answers"]
    gold = [a for a in answers if a["holds"] == "loyalty:gold"]
    bronze = [a for a in answers if a["holds"] == "loyalty:bronze"]
    assert gold and len(bronze) == 2
    for answer in gold:
        assert answer["question"] == "marketing?"
        objected = "consent objected" in answer["detail"]
        assert answer["allowed"] is not objected, answer
    for answer in bronze:
        assert answer["question"].startswith("book on ")
        if not answer["allowed"]:
            assert "loyalty:bronze max_appointments" in answer["detail"], answer
    assert "Counter answers (POST /v1/checks)" in output


def test_the_summary_shows_an_approved_and_a_pending_four_eyes_change(
    demo_run: tuple[str, dict[str, Any]],
) -> None:
    """SPEC 1.8 in the demo: the deletion asked by agent.maria was approved by manager.eva; the
    fraud confirmation asked by agent.tom waits, and his own approval was refused."""
    output, summary = demo_run
    approvals = {a["status_code"]: a for a in summary["approvals"]}
    deleted = approvals["deleted"]
    assert (deleted["state"], deleted["requested_by"], deleted["decided_by"]) == (
        "approved",
        "agent.maria",
        "manager.eva",
    )
    assert deleted["customer_id"] == summary["acts"]["deleted"]
    pending = approvals["fraud_confirmed"]
    assert pending["id"] == summary["acts"]["pending"]
    assert (pending["state"], pending["requested_by"]) == ("pending", "agent.tom")
    assert summary["counts"]["lifecycle"].get("fraud_confirmed", 0) == 0  # nothing applied
    assert any("approves his own request" in r["action"] for r in summary["refusals"])
    assert "Four eyes" in output and "asked by agent.tom, pending" in output


def test_the_summary_previews_a_rule_change_that_changes_nothing(
    demo_run: tuple[str, dict[str, Any]],
) -> None:
    """SPEC 1.9 in the demo: gold needing one stay more, previewed over every customer; the
    gold holders it would move are all still gold afterwards."""
    output, summary = demo_run
    preview = summary["preview"]
    assert preview["customers"] == CUSTOMERS
    moves = {(m["category_code"], m["from"], m["to"]): m["customers"] for m in preview["moves"]}
    anyway = {(m["category_code"], m["from"], m["to"]): m["customers"] for m in preview["anyway"]}
    # beyond gold → silver, only what moves anyway under today's rules (normally nothing)
    assert {k: n for k, n in moves.items() if k != ("loyalty", "gold", "silver")} == anyway
    moves = {(f, t): n for (_, f, t), n in moves.items()}
    assert moves.get(("gold", "silver"), 0) <= summary["counts"]["loyalty"].get("gold", 0)
    assert "Preview, changing nothing" in output and "gold needing 7 stays" in output
