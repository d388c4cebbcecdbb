"""The alert rules and the dashboard read only metrics the running services export, and every
alert names a runbook section that exists (deploy/prometheus, deploy/grafana, docs/operations.md)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from support import metrics_of

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).parents[2]
_FUNCTIONS = {
    "sum", "max", "min", "avg", "rate", "increase", "deriv", "histogram_quantile", "by", "and",
    "or", "unless", "on", "without", "humanize1024", "count",
}  # fmt: skip


def _metric_names(expr: str) -> set[str]:
    bare = re.sub(r"\{[^}]*\}|\[[^\]]*\]|\"[^\"]*\"", "", expr)
    names = set(re.findall(r"[a-zA-Z_:][a-zA-Z0-9_:]*", bare)) - _FUNCTIONS
    labels = set(re.findall(r"by \(([^)]*)\)", bare))
    for group in labels:
        names -= {n.strip() for n in group.split(",")}
    return {n for n in names if "_" in n}  # metric names have one; labels like `le`, `pod` not


def _family(name: str) -> str:
    return re.sub(r"_(bucket|count|sum|total)$", "", name)


def _expressions() -> dict[str, str]:
    rules = yaml.safe_load((ROOT / "deploy/prometheus/alerts.yaml").read_text(encoding="utf-8"))
    found = {r["alert"]: r["expr"] for g in rules["groups"] for r in g["rules"]}
    dashboard = json.loads((ROOT / "deploy/grafana/cstatus-overview.json").read_text("utf-8"))
    for panel in dashboard["panels"]:
        for target in panel["targets"]:
            found[f"panel {panel['title']} {target['refId']}"] = target["expr"]
    return found


async def test_every_metric_of_the_alerts_and_the_dashboard_is_exported(platform: Any) -> None:
    exported: set[str] = set()
    for service, url in platform.urls.items():
        text = await metrics_of(platform.http, service, url)
        exported |= {_family(n) for n in re.findall(r"^# TYPE (\S+)", text, re.MULTILINE)}
    missing = {
        where: sorted(_family(n) for n in _metric_names(expr) if _family(n) not in exported)
        for where, expr in _expressions().items()
    }
    assert {k: v for k, v in missing.items() if v} == {}


def test_every_alert_names_a_runbook_section_that_exists() -> None:
    runbook = (ROOT / "docs/operations.md").read_text(encoding="utf-8")
    anchors = {
        re.sub(r"[^a-z0-9 -]", "", h.lower()).strip().replace(" ", "-")
        for h in re.findall(r"^#+ (.+)$", runbook, re.MULTILINE)
    }
    rules = yaml.safe_load((ROOT / "deploy/prometheus/alerts.yaml").read_text(encoding="utf-8"))
    named = {
        r["alert"]: r["annotations"]["runbook"].split("#")[1]
        for g in rules["groups"]
        for r in g["rules"]
    }
    assert {alert: anchor for alert, anchor in named.items() if anchor not in anchors} == {}
