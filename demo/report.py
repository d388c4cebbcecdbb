"""The summary as readable text, ending with where to look next."""

from __future__ import annotations

from collections import Counter
from typing import Any

from demo.api import SERVICES
from demo.summary import Summary

__all__ = ["render"]

_RULE = "─" * 100


def _status(ref: dict[str, Any] | None) -> str:
    return ref["code"] if ref else "(none)"


def explain(explanation: dict[str, Any] | None) -> str:
    """`count: reservations = 4 (min 3) over 365 days`-like text of a change's explanation."""
    if not explanation:
        return ""
    rule, value, window = explanation["rule"], explanation.get("value"), explanation.get("window")
    details = explanation.get("details") or {}
    text = str(rule)
    if value is not None:
        text += f": measured {value}"
    if window:
        text += f", window {window}"
    if details:
        text += " (" + ", ".join(f"{k}={v}" for k, v in sorted(details.items())) + ")"
    events = explanation.get("event_ids") or []
    if events:
        more = f" +{len(events) - 3} more" if len(events) > 3 else ""
        text += f"; deciding events {', '.join(events[:3])}{more}"
    return text


def _change(change: dict[str, Any]) -> list[str]:
    when = change["effective_at"][:16].replace("T", " ")
    line = (
        f"  {when}  {change['customer_id']:<11} {change['category_code']:<13}"
        f"{_status(change['from'])} → {_status(change['to'])}  [{change['source']} by {change['actor']}]"
    )
    why = explain(change.get("explanation"))
    lines = [line]
    if change.get("reason"):
        lines.append(f"      reason: {change['reason']}")
    if why:
        lines.append(f"      why: {why}")
    return lines


def _counts(summary: Summary) -> list[str]:
    lines = [f"  {'category':<14}{'status':<18}{'customers':>10}"]
    for category in summary.categories:
        code, counts = category["code"], summary.counts.get(category["code"], {})
        names = [(s["code"], s["name"]) for s in category["statuses"]]
        if counts.get("none"):
            names.append(("none", "(no status)"))
        for n, (status, name) in enumerate(names):
            label = code if n == 0 else ""
            lines.append(f"  {label:<14}{name:<18}{counts.get(status, 0):>10}")
        lines.append(f"  {'':<14}{'total':<18}{sum(counts.values()):>10}")
    return lines


def _refusals(summary: Summary) -> list[str]:
    lines = ["  by employees over HTTP (problem+json):"]
    lines += [f"    {r.status} {r.code:<36} {r.action}: {r.detail}" for r in summary.refusals]
    by_code = Counter(r.reason_code for r in summary.rejections)
    lines.append(
        f"  on customer-status.rejections.v1 ({len(summary.rejections)}: "
        + ", ".join(f"{code} {n}" for code, n in by_code.most_common())
        + ")"
    )
    shown = sorted(
        summary.rejections, key=lambda r: not r.ref_id.endswith(summary.acts.command_id)
    )[:6]
    lines += [
        f"    {r.customer:<11} {r.category_code}→{r.status_code}  {r.reason_code}: {r.message}"
        f"  (ref {r.ref_id})"
        for r in shown
    ]
    return lines


def _moves(moves: list[dict[str, Any]]) -> str:
    return ", ".join(
        f"{m['category_code']} {m['from'] or '(none)'} → {m['to'] or '(none)'} {m['customers']}"
        for m in moves
    )


def _preview(summary: Summary) -> list[str]:
    found = summary.preview
    lines = [
        f"Preview, changing nothing (rules-engine POST /v1/previews): {found['question']}",
        f"  {found['customers']} customers evaluated on {found['as_of']} in {found['seconds']} s "
        f"over configuration version {found['config_version']}",
        f"  would move: {_moves(found['moves']) or 'nobody'}",
        f"  moving anyway under today's rules: {_moves(found['anyway']) or 'nobody'}",
    ]
    flips = [
        f"{r['restriction']} {r['from']} → {r['to']} {r['customers']}"
        for r in found["restrictions"]
    ]
    lines.append(f"  restrictions that flip: {', '.join(flips) or 'none'}")
    for sample in found["sample"][:3]:
        lines.append(
            f"  e.g. {sample['customer_id']:<11} {sample['from']} → {sample['to']}: "
            + explain(sample["explanation"])
        )
    return lines


def _approvals(summary: Summary) -> list[str]:
    lines = ["Four eyes (assignment /v1/approvals): changes that need a second person"]
    for a in summary.approvals:
        decided = f", {a['state']} by {a['decided_by']}" if a["decided_by"] else f", {a['state']}"
        until = f" until {a['expires_at'][:10]}" if a["state"] == "pending" else ""
        lines.append(
            f"  {a['customer_id']:<11} {a['category_code']} → {a['status_code']:<16} asked by "
            f"{a['requested_by']}{decided}{until}: {a['reason']}"
        )
    return lines


def _where(summary: Summary) -> list[str]:
    tenant, fraud = summary.tenant, summary.acts.fraud_suspected
    urls = [
        f"    {name:<14} {url}   (API docs: {url}/openapi.json)" for name, url in SERVICES.items()
    ]
    return [
        "Where to look",
        *urls,
        f"  TOKEN=$(make -s token ROLE=status:viewer TENANT={tenant})",
        '  curl -s -H "Authorization: Bearer $TOKEN" '
        f"'{SERVICES['assignment']}/v1/customers?status=loyalty:gold&limit=5'",
        '  curl -s -H "Authorization: Bearer $TOKEN" '
        f"{SERVICES['assignment']}/v1/customers/{fraud}",
        '  curl -s -H "Authorization: Bearer $TOKEN" '
        f"{SERVICES['audit']}/v1/customers/{fraud}/history",
        '  curl -s -H "Authorization: Bearer $TOKEN" '
        f"{SERVICES['rules-engine']}/v1/customers/{fraud}/activity",
        "  The services keep running; stop everything with: make down",
    ]


def render(summary: Summary) -> str:
    acts, sweep = summary.acts, summary.sweep
    lines = [
        _RULE,
        f"Demo summary: tenant {summary.tenant}, {summary.customers} customers",
        _RULE,
        "Customers per status (assignment GET /v1/status-counts)",
        *_counts(summary),
        "",
        "Changes in the audit log: "
        + f"{sum(summary.sources.values())} ("
        + ", ".join(f"{source} {n}" for source, n in summary.sources.items())
        + "; system = the default statuses of new customers)",
        f"Sweep as of {sweep['as_of']}: {sweep['candidates']} candidates, {sweep['proposed']} proposals"
        + ("" if sweep["proposed"] else " (the feed was already evaluated at today's clock)"),
        "",
        "Sample of changes and why (audit /v1/changes)",
    ]
    for change in summary.changes:
        lines += _change(change)
    lines += ["", f"History of {acts.fraud_suspected} (burst of sales → fraud_suspected)"]
    for change in summary.history:
        lines += _change(change)
    lines += ["", f"Outliers on customer-status.outliers.v1 ({len(summary.outliers)})"]
    lines += [
        f"  {o.customer:<11} {o.transaction_id:<14} {o.status_code:<16} {o.reason}"
        for o in summary.outliers[:12]
    ]
    if len(summary.outliers) > 12:
        lines.append(f"  … and {len(summary.outliers) - 12} more")
    lines += ["", "Counter answers (POST /v1/checks)"]
    lines += [
        f"  {a.customer:<11} {a.holds:<15} {a.question:<22} "
        f"{'allowed' if a.allowed else 'refused'}{f' — {a.detail}' if a.detail else ''}"
        for a in summary.answers
    ]
    lines += ["", *_approvals(summary), "", *_preview(summary)]
    lines += ["", "Refusals", *_refusals(summary), "", *_where(summary), _RULE]
    return "\n".join(lines)
