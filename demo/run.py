"""`make run`: play a simulated booking/POS/payments feed through the running services.

Run from the repository root: `.venv/bin/python demo/run.py [--customers 2000] [--tenant ID]`.
Everything goes through the public HTTP APIs (ports 8081-8084) and the public Kafka topics.
"""

from __future__ import annotations

import sys
from pathlib import Path

# `python demo/run.py` puts demo/ on the path; the modules import each other as `demo.*`.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import argparse
import asyncio
import json
import random
import re
import time
from datetime import UTC, datetime
from typing import Any

import httpx

from demo.api import SERVICES, Api, ApiError
from demo.feed import simulate
from demo.pipeline import wait_for_configuration, wait_for_settled
from demo.producer import Publisher
from demo.provision import provision
from demo.report import render
from demo.scenarios import play_scenarios
from demo.summary import gather
from demo.waiting import DemoTimeout, say, wait_until

_TENANT = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")
_RESERVED = ("as-", "re-", "au-")  # the in-process test tenants, skipped by the running services


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=2_000, help="simulated customers")
    parser.add_argument("--tenant", help="tenant id (default: a fresh demo-<yymmdd-hhmm>-<xx>)")
    parser.add_argument("--seed", type=int, default=7, help="seed of the simulated feed")
    parser.add_argument("--timeout", type=float, default=600, help="seconds each wait may take")
    parser.add_argument("--summary-json", type=Path, help="also write the summary as JSON here")
    args = parser.parse_args(argv)
    if args.tenant is None:
        suffix = "".join(random.choices("abcdefghijkmnpqrstuvwxyz23456789", k=3))
        args.tenant = f"demo-{datetime.now(UTC):%y%m%d-%H%M}-{suffix}"
    if not _TENANT.match(args.tenant) or args.tenant.startswith(_RESERVED):
        parser.error(
            f"--tenant {args.tenant!r}: lowercase letters, digits and '-', 2-63 chars, "
            f"not starting with {', '.join(_RESERVED)}"
        )
    if args.customers < 10:
        parser.error("--customers must be at least 10")
    return args


async def _ready(client: httpx.AsyncClient, timeout_s: float) -> None:
    async def all_ready() -> tuple[bool, str]:
        waiting = []
        for name, url in SERVICES.items():
            try:
                ok = (await client.get(f"{url}/health/ready", timeout=3)).status_code == 200
            except httpx.HTTPError:
                ok = False
            if not ok:
                waiting.append(name)
        return not waiting, f"not ready: {', '.join(waiting)}" if waiting else "all four ready"

    await wait_until("the services", all_ready, timeout_s=timeout_s)


async def _sweep(api: Api, timeout_s: float) -> dict[str, Any]:
    """The daily sweep as of today; `409 sweep_running` (the daily timer) means try again."""
    answers: list[dict[str, Any]] = []

    async def swept() -> tuple[bool, str]:
        answer = await api.call("POST", "rules-engine", "/v1/sweeps", role="status:admin", json={})
        if answer.status_code == 409:
            return False, "another sweep of the tenant is running"
        if not answer.is_success:
            raise ApiError(f"POST /v1/sweeps → {answer.status_code}: {answer.text[:300]}")
        sweep = answer.json()
        answers.append(sweep)
        return (
            True,
            f"as of {sweep['as_of']}, {sweep['candidates']} candidates, {sweep['proposed']} proposals",
        )

    await wait_until("the sweep", swept, timeout_s=timeout_s)
    return answers[0]


async def demo(args: argparse.Namespace) -> int:
    started_ms = int(time.time() * 1000)
    tenant = args.tenant
    async with httpx.AsyncClient(timeout=30) as client:
        await _ready(client, min(args.timeout, 120))
        api = Api(tenant, client)
        say(f"tenant {tenant}")
        version = await provision(api)
        say(
            f"configured: relationship, lifecycle (SPEC 1.6), inactive after 180 days, "
            f"loyalty bronze/silver/gold (config version {version})"
        )
        now = datetime.now(UTC)
        feed = simulate(args.customers, now, args.seed)
        say(
            f"simulated {len(feed.customers)} customers, {len(feed.events)} events "
            f"from {feed.events[0].time:%Y-%m-%d} to {now:%Y-%m-%d}"
        )
        async with Publisher(tenant) as publisher:
            await wait_for_configuration(api, publisher, feed.events[0], timeout_s=args.timeout)
            await publisher.publish(feed.events[1:])
            settled = await wait_for_settled(
                api, len(feed.customers), feed.active, timeout_s=args.timeout
            )
            acts = await play_scenarios(
                api, publisher, feed, settled, started_ms, timeout_s=args.timeout
            )
        sweep = await _sweep(api, args.timeout)
        final = await wait_for_settled(
            api,
            len(feed.customers),
            feed.active,
            timeout_s=args.timeout,
            what="the sweep's effects",
        )
        summary = await gather(api, final, acts, sweep, started_ms)
    print(render(summary), flush=True)
    if args.summary_json:
        args.summary_json.write_text(json.dumps(summary.as_json(), indent=2, default=str))
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    try:
        return asyncio.run(demo(args))
    except (DemoTimeout, ApiError, httpx.HTTPError) as error:
        say(f"FAILED: {error}")
        return 1


if __name__ == "__main__":
    sys.exit(main())
