"""`make bench` / `bench/run.py`: runs the selected measurements against the running system, prints
the table beside the SPEC §3 targets and writes bench/results/latest.json."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import time
import traceback
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bench import report
from bench.checks import Checks, measure_checks
from bench.knee import measure_knee
from bench.latency import measure_latency
from bench.machine import describe
from bench.memory import MemorySampler
from bench.pipeline import measure_pipeline
from bench.soak import measure_soak, plot
from bench.sweep import measure_sweep
from bench.system import ROOT, System
from bench.warmup import prepare_tenant
from bench.workload import Workload
from cstatus.driver.offsets import Offsets

__all__ = ["main"]

MEASUREMENTS = ("pipeline", "latency", "checks", "sweep")


@dataclass(frozen=True, slots=True)
class Sizes:
    existing: int
    pipeline_events: int
    latency_seconds: float
    checks_seconds: float
    customers: int
    reservations: int


FULL = Sizes(5_000, 100_000, 20, 10, 1_000_000, 5_000_000)
QUICK = Sizes(300, 3_000, 3, 2, 20_000, 100_000)
KNEE_RATES = (1_000, 2_000, 4_000, 6_000, 8_000, 12_000, 16_000, 20_000)
QUICK_KNEE_RATES = (200, 500)


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench/run.py", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes, a few seconds each")
    parser.add_argument(
        "--only", default=",".join(MEASUREMENTS), help=f"comma-separated: {','.join(MEASUREMENTS)}"
    )
    parser.add_argument("--customers", type=int, help="sweep tenant customers (1,000,000)")
    parser.add_argument("--reservations", type=int, help="sweep tenant reservations (5,000,000)")
    parser.add_argument("--events", type=int, help="pipeline events (100,000)")
    parser.add_argument("--existing", type=int, help="warm customers of the traffic tenant")
    parser.add_argument("--latency-rate", type=float, default=2_000, help="events/s")
    parser.add_argument("--change-fraction", type=float, default=0.05)
    parser.add_argument("--checks-rate", type=float, default=1_000, help="req/s")
    parser.add_argument(
        "--knee-rates",
        help="events/s stepped up to find the latency knee (1000,2000,4000,6000,8000,12000,16000,20000)",
    )
    parser.add_argument(
        "--under-load-rate",
        type=float,
        default=2_000,
        help="events/s the pipeline carries while checks are measured under load",
    )
    parser.add_argument("--keep-sweep-tenant", action="store_true", help="leave its rows in place")
    parser.add_argument(
        "--soak",
        type=int,
        metavar="MINUTES",
        help="only the soak: a steady --soak-rate for MINUTES (results in bench/results/soak.json)",
    )
    parser.add_argument("--soak-rate", type=float, default=2_000, help="soak events/s")
    args = parser.parse_args(argv)
    unknown = set(args.only.split(",")) - set(MEASUREMENTS)
    if unknown:
        parser.error(f"unknown measurement(s) {sorted(unknown)}; choose from {MEASUREMENTS}")
    return args


async def _guarded(
    name: str, results: dict[str, Any], work: Callable[[], Awaitable[dict[str, Any]]]
) -> None:
    """A failed measurement is reported as such; the others still run."""
    print(f"[bench] {name}…", flush=True)
    started = time.monotonic()
    try:
        results[name] = await work()
    except Exception as error:
        traceback.print_exc()
        results[name] = {"error": f"{type(error).__name__}: {error}"}
    print(f"[bench] {name} done in {time.monotonic() - started:.1f}s", flush=True)


async def run(args: argparse.Namespace) -> dict[str, Any]:
    sizes = QUICK if args.quick else FULL
    only = args.only.split(",")
    run_id = f"{datetime.now(UTC):%m%d%H%M}-{uuid.uuid4().hex[:4]}"
    system = System.from_env()
    existing = args.existing or sizes.existing
    results: dict[str, Any] = {
        "run_id": run_id,
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "quick": args.quick,
        "machine": describe(),
    }
    rates = _knee_rates(args)
    news = _NewCustomers()
    sampler = MemorySampler(system.pid_files())
    sampling = asyncio.create_task(sampler.run())
    try:
        async with Offsets(system.bootstrap) as offsets:
            workload = Workload(f"bench-{run_id}", run_id=run_id)
            if {"pipeline", "latency", "checks"} & set(only):
                print(f"[bench] preparing tenant {workload.tenant}…", flush=True)
                await prepare_tenant(system, offsets, workload, existing, timeout_s=300)
            if "pipeline" in only:
                events = args.events or sizes.pipeline_events

                async def pipeline() -> dict[str, Any]:
                    found = await measure_pipeline(
                        system, offsets, workload, events=events, existing=existing, run_id=run_id
                    )
                    return {
                        "events": found.events,
                        "seconds": round(found.seconds, 3),
                        "events_per_s": round(found.events_per_s, 1),
                        "produce_events_per_s": round(found.produce_events_per_s, 1),
                        "passthrough_records": found.passthrough_records,
                        "passthrough_events_per_s": round(found.passthrough_events_per_s, 1),
                        "ratio_to_passthrough": round(found.ratio_to_passthrough, 3),
                    }

                await _guarded("pipeline", results, pipeline)
                await offsets.settle(timeout_s=120)
            if "latency" in only:

                async def latency() -> dict[str, Any]:
                    found = await measure_latency(
                        system,
                        offsets,
                        workload,
                        existing=existing,
                        rate_per_s=args.latency_rate,
                        seconds=sizes.latency_seconds,
                        change_fraction=args.change_fraction,
                        first_new=news.next,
                    )
                    fixed = {
                        "rate_events_per_s": found.rate_per_s,
                        "achieved_events_per_s": round(found.achieved_rate_per_s, 1),
                        "events": found.events,
                        "changes_expected": found.probes,
                        "changes_matched": found.matched,
                        **found.figures,
                        "stages": found.stages,
                    }
                    news.used(found.probes)
                    await offsets.settle(timeout_s=120)
                    knee = await measure_knee(
                        system,
                        offsets,
                        workload,
                        existing=existing,
                        rates=rates,
                        seconds=sizes.latency_seconds,
                        change_fraction=args.change_fraction,
                        first_new=news.next,
                    )
                    news.used(sum(step["changes_expected"] for step in knee.steps))
                    return fixed | {
                        "knee_events_per_s": knee.knee_events_per_s,
                        "knee_steps": knee.steps,
                    }

                await _guarded("latency", results, latency)
                await offsets.settle(timeout_s=120)
            if "checks" in only:

                async def checks() -> dict[str, Any]:
                    alone = await measure_checks(
                        system,
                        workload.tenant,
                        customers=existing,
                        prefix="c",
                        rate=args.checks_rate,
                        seconds=sizes.checks_seconds,
                        saturation_seconds=sizes.checks_seconds,
                    )
                    return alone | await _checks_under_load(
                        system, offsets, workload, args, sizes, existing, news
                    )

                await _guarded("checks", results, checks)
            if "sweep" in only:

                async def sweep() -> dict[str, Any]:
                    return await measure_sweep(
                        system,
                        offsets,
                        run_id=run_id,
                        customers=args.customers or sizes.customers,
                        reservations=args.reservations or sizes.reservations,
                        keep=args.keep_sweep_tenant,
                    )

                await _guarded("sweep", results, sweep)
                if isinstance(results.get("sweep"), dict) and "preview" in results["sweep"]:
                    results["preview"] = results["sweep"].pop("preview")
    finally:
        sampling.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await sampling
    sampler.sample()
    results["memory"] = sampler.figures()
    results["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    results["targets"] = report.verdicts(results)
    return results


class _NewCustomers:
    """The next index of a never-seen customer: each measurement's first bookings are new."""

    def __init__(self) -> None:
        self.next = 0

    def used(self, count: int) -> None:
        self.next += count


def _knee_rates(args: argparse.Namespace) -> tuple[float, ...]:
    if args.knee_rates:
        return tuple(float(r) for r in args.knee_rates.split(","))
    return QUICK_KNEE_RATES if args.quick else KNEE_RATES


async def _checks_under_load(
    system: System,
    offsets: Offsets,
    workload: Workload,
    args: argparse.Namespace,
    sizes: Sizes,
    existing: int,
    news: _NewCustomers,
) -> dict[str, Any]:
    """`/v1/checks` at --checks-rate while the pipeline carries --under-load-rate events/s
    (`checks.under_load_p99_ms`, SPEC §3 v2): the checks start a second after the events, so
    they meet the batches in flight, and stop before them."""
    checks = Checks(system, workload.tenant, customers=existing, prefix="c")
    seconds = sizes.checks_seconds
    events = asyncio.create_task(
        measure_latency(
            system,
            offsets,
            workload,
            existing=existing,
            rate_per_s=args.under_load_rate,
            seconds=seconds + 2,
            change_fraction=args.change_fraction,
            first_new=news.next,
        )
    )
    await asyncio.sleep(1)
    loaded = await checks.run(args.checks_rate, seconds)
    pipeline = await events
    news.used(pipeline.probes)
    await offsets.settle(timeout_s=120)
    print(f"  checks at {args.checks_rate:.0f}/s under load: {loaded}", flush=True)
    return {
        "under_load_events_per_s": round(pipeline.achieved_rate_per_s, 1),
        "under_load_req_per_s": loaded["req_per_s"],
        "under_load_errors": loaded["errors"],
        "under_load_p50_ms": loaded.get("p50_ms"),
        "under_load_p99_ms": loaded.get("p99_ms"),
        "under_load_event_p99_ms": pipeline.figures.get("p99_ms"),
    }


async def soak(args: argparse.Namespace) -> dict[str, Any]:
    run_id = f"{datetime.now(UTC):%m%d%H%M}-{uuid.uuid4().hex[:4]}"
    system = System.from_env()
    existing = args.existing or 2_000
    results: dict[str, Any] = {
        "run_id": run_id,
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": describe(),
        "rate_events_per_s": args.soak_rate,
        "minutes_planned": args.soak,
        "existing_customers": existing,
        "change_fraction": args.change_fraction,
    }
    async with Offsets(system.bootstrap) as offsets:
        workload = Workload(f"soak-{run_id}", run_id=run_id)
        print(f"[soak] preparing tenant {workload.tenant}…", flush=True)
        await prepare_tenant(system, offsets, workload, existing, timeout_s=300)
        print(f"[soak] {args.soak} minutes at {args.soak_rate:,.0f} events/s…", flush=True)
        found = await measure_soak(
            system,
            offsets,
            workload,
            existing=existing,
            rate_per_s=args.soak_rate,
            minutes=args.soak,
            change_fraction=args.change_fraction,
            first_new=0,
        )
    results |= {
        "minutes": found.minutes,
        "overall": found.overall,
        "lag_at_end": found.lag_at_end,
        "lag_measured_s_after_last_send": found.lag_after_s,
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    return results


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    if args.soak:
        found = asyncio.run(soak(args))
        report.write(found, report.SOAK)
        plotted = plot(found, report.SOAK.with_suffix(".png"))
        print()
        print(report.soak_table(found))
        where = report.SOAK.relative_to(ROOT)
        print(
            f"\nwritten to {where}" + (" and its .png" if plotted else " (no plot: no matplotlib)")
        )
        return 0
    results = asyncio.run(run(args))
    report.write(results)
    print()
    print(report.table(results))
    print(f"\nwritten to {report.RESULTS.relative_to(ROOT)}")
    return 0
