"""The SPEC §3 targets, the table printed beside them, and bench/results/latest.json."""

from __future__ import annotations

import json
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.system import ROOT, SERVICES

__all__ = ["RESULTS", "SOAK", "Target", "soak_table", "table", "targets", "verdicts", "write"]

RESULTS = ROOT / "bench" / "results" / "latest.json"
SOAK = ROOT / "bench" / "results" / "soak.json"


@dataclass(frozen=True, slots=True)
class Target:
    key: str
    """Dotted path into the results, e.g. `latency.p99_ms`."""
    label: str
    sign: str
    bound: float
    unit: str

    @property
    def holds(self) -> Callable[[float, float], bool]:
        return operator.ge if self.sign == ">=" else operator.le


def targets() -> list[Target]:
    fixed = [
        Target("pipeline.events_per_s", "pipeline throughput", ">=", 20_000, "events/s"),
        Target("pipeline.ratio_to_passthrough", "pipeline / raw pass-through", ">=", 0.5, "x"),
        Target("latency.p50_ms", "event → changed p50", "<=", 50, "ms"),
        Target("latency.p99_ms", "event → changed p99", "<=", 250, "ms"),
        Target("latency.knee_events_per_s", "latency knee (p99 <= 250 ms)", ">=", 8_000, "events/s"),
        Target("checks.p99_ms", "POST /v1/checks p99 at 1,000/s", "<=", 5, "ms"),
        Target("checks.under_load_p99_ms", "checks p99, pipeline at 2,000/s", "<=", 5, "ms"),
        Target("checks.saturation_req_per_s", "POST /v1/checks at saturation", ">=", 5_000, "req/s"),
        Target("sweep.seconds", "daily sweep", "<=", 60, "s"),
        Target("preview.seconds", "preview of a rule change, every customer", "<=", 60, "s"),
    ]  # fmt: skip
    memory = [
        Target(f"memory.{name}.rss_mib", f"{name} peak RSS", "<=", 200, "MiB") for name in SERVICES
    ]
    return fixed + memory


INFORMATIVE = [
    ("pipeline.passthrough_events_per_s", "raw aiokafka pass-through", "events/s"),
    ("latency.p95_ms", "event → changed p95", "ms"),
    ("latency.max_ms", "event → changed max", "ms"),
    ("checks.p50_ms", "POST /v1/checks p50 at 1,000/s", "ms"),
    ("checks.under_load_p50_ms", "checks p50, pipeline at 2,000/s", "ms"),
    ("checks.under_load_events_per_s", "pipeline rate during those checks", "events/s"),
    ("sweep.candidates", "daily sweep candidates", "customers"),
    ("sweep.customers", "sweep tenant customers", ""),
    ("sweep.reservations", "sweep tenant reservations", ""),
    ("sweep.jump_30d_seconds", "sweep 30 days ahead", "s"),
    ("sweep.jump_30d_candidates", "sweep 30 days ahead candidates", "customers"),
    ("preview.customers", "previewed customers", ""),
    ("preview.moved_customers", "customers the previewed change moves", "customers"),
]


def lookup(results: Mapping[str, Any], key: str) -> Any:
    found: Any = results
    for part in key.split("."):
        if not isinstance(found, Mapping) or part not in found:
            return None
        found = found[part]
    return found


def verdicts(results: Mapping[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for target in targets():
        value = lookup(results, target.key)
        measured = isinstance(value, int | float)
        rows.append(
            {
                "key": target.key,
                "what": target.label,
                "target": f"{target.sign} {target.bound:g} {target.unit}",
                "value": value,
                "pass": bool(measured and target.holds(value, target.bound)) if measured else None,
            }
        )
    return rows


def _number(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.2f}" if abs(value) < 100 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return "—" if value is None else str(value)


def table(results: Mapping[str, Any]) -> str:
    lines = [f"{'measurement':<36} {'value':>14}  {'target':<20} verdict", "-" * 80]
    for row in verdicts(results):
        verdict = {True: "pass", False: "MISS", None: "not measured"}[row["pass"]]
        lines.append(
            f"{row['what']:<36} {_number(row['value']):>14}  {row['target']:<20} {verdict}"
        )
    lines.append("-" * 80)
    for key, label, unit in INFORMATIVE:
        value = lookup(results, key)
        if value is not None:
            lines.append(f"{label:<36} {_number(value):>14}  {unit}")
    return "\n".join(lines)


def write(results: Mapping[str, Any], path: Path = RESULTS) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2, sort_keys=False, default=str) + "\n")


def soak_table(results: Mapping[str, Any]) -> str:
    """Per minute: sent rate, changes matched, p50/p99 and each service's RSS; then the lags."""
    names = sorted({n for row in results["minutes"] for n in row["rss_mib"]})
    head = f"{'min':>4} {'events/s':>9} {'changes':>15} {'p50 ms':>9} {'p99 ms':>9}"
    lines = [head + "".join(f" {n[:12]:>13}" for n in names), "-" * (len(head) + 14 * len(names))]
    for row in results["minutes"]:
        line = (
            f"{row['minute']:>4} {row['achieved_events_per_s']:>9,}"
            f" {row['changes_matched']:>7,}/{row['changes_expected']:<7,}"
            f" {_number(row.get('p50_ms')):>9} {_number(row.get('p99_ms')):>9}"
        )
        lines.append(line + "".join(f" {_number(row['rss_mib'].get(n)):>13}" for n in names))
    staged = [row for row in results["minutes"] if row.get("stages_p99_ms")]
    if staged:
        stages = list(staged[0]["stages_p99_ms"])
        lines.append("p99 ms per stage: " + ", ".join(stages))
        for row in staged:
            found = row["stages_p99_ms"]
            values = " ".join(f"{_number(found.get(name)):>9}" for name in stages)
            lines.append(f"{row['minute']:>4} {values}")
    lag = ", ".join(f"{group} {count:,}" for group, count in results["lag_at_end"].items())
    lines.append(
        f"consumer lag {results['lag_measured_s_after_last_send']:g} s after the last send: {lag}"
    )
    return "\n".join(lines)
