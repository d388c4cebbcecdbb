"""The latency knee (SPEC §3 v2, issue 13): the highest steady rate whose event → changed p99
stays ≤ 250 ms. The rate is stepped up (each step as long as the latency measurement, the system
settled in between); stepping stops at the first rate that misses — its p99 over the bound, a
change that never arrived, or a producer that could not keep the rate — so a run costs one failing
step at most."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bench.latency import measure_latency
from bench.system import System
from bench.workload import Workload
from cstatus.driver.offsets import Offsets

__all__ = ["P99_BOUND_MS", "measure_knee", "step_holds"]

P99_BOUND_MS = 250.0
RATE_SLACK = 0.95
"""A step counts only if the producer achieved at least this share of the rate asked for."""


def step_holds(step: dict[str, Any]) -> bool:
    """Whether one step's figures are inside the bound (every change arrived, the rate held)."""
    p99 = step.get("p99_ms")
    return (
        isinstance(p99, int | float)
        and p99 <= P99_BOUND_MS
        and step["changes_matched"] == step["changes_expected"] > 0
        and step["achieved_events_per_s"] >= RATE_SLACK * step["rate_events_per_s"]
    )


@dataclass(slots=True)
class Knee:
    steps: list[dict[str, Any]]
    knee_events_per_s: float | None


async def measure_knee(
    system: System,
    offsets: Offsets,
    workload: Workload,
    *,
    existing: int,
    rates: Sequence[float],
    seconds: float,
    change_fraction: float,
    first_new: int,
) -> Knee:
    steps: list[dict[str, Any]] = []
    knee: float | None = None
    new_index = first_new
    for rate in sorted(rates):
        print(f"  knee: {rate:,.0f} events/s for {seconds:g}s…", flush=True)
        found = await measure_latency(
            system,
            offsets,
            workload,
            existing=existing,
            rate_per_s=rate,
            seconds=seconds,
            change_fraction=change_fraction,
            first_new=new_index,
        )
        new_index += found.probes
        step = {
            "rate_events_per_s": rate,
            "achieved_events_per_s": round(found.achieved_rate_per_s, 1),
            "changes_expected": found.probes,
            "changes_matched": found.matched,
            **found.figures,
            "stages": found.stages,
        }
        step["holds"] = step_holds(step)
        steps.append(step)
        settled = await offsets.settle(timeout_s=180)
        if not step["holds"]:
            break
        knee = rate
        if not settled:
            print("  knee: the system did not settle after a step; stopping", flush=True)
            break
    return Knee(steps, knee)
