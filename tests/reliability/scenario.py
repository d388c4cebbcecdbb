"""One reliability scenario: services up, a workload played at a steady rate while faults strike,
the load drained, and the checker's findings against the reference model.

The run is isolated from anything else on the broker: its tenants, consumer groups and keys all
start with the run's id, its groups start at the end of their topics, and the services reach
PostgreSQL and Redis through the run's fault proxies.
"""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from checker import Findings, compare, observe
from model import expect
from people import apply_config, apply_person, configure
from workload import (
    Event,
    HttpChange,
    Poison,
    Step,
    generate,
)

from cstatus.contracts import topics
from cstatus.driver.cluster import Cluster
from cstatus.driver.faults import FaultProxy, Stack, free_port
from cstatus.driver.offsets import ALL_GROUPS, Offsets
from cstatus.driver.publisher import Publisher
from cstatus.driver.reader import read_between

__all__ = ["Fault", "Outcome", "Scenario", "run_scenario"]

ROOT = Path(__file__).resolve().parents[2]
READ_TOPICS = (
    topics.STATUS_CHANGES,
    topics.SNAPSHOTS,
    *(topics.dlq_topic(t) for t in topics.INPUT_TOPICS),
)


@dataclass
class Env:
    """What a fault may act on."""

    cluster: Cluster
    stack: Stack
    pg: FaultProxy
    redis: FaultProxy
    redis_url: str
    kafka: FaultProxy | None = None
    """Between the services and the broker's FAULTS listener (deploy/local/stack.sh), if it has one."""


@dataclass(frozen=True)
class Fault:
    """`strike` at `at` (fraction of the workload played); `heal`, if any, `hold_s` later."""

    name: str
    at: float
    strike: Callable[[Env], Awaitable[None]]
    heal: Callable[[Env], Awaitable[None]] | None = None
    hold_s: float = 3.0
    service: str | None = None
    """The service it strikes, whose readiness measures recovery (all of them when None)."""


@dataclass(frozen=True)
class Scenario:
    name: str
    faults: tuple[Fault, ...]
    tenants: int = 2
    customers: int = 150
    rate: float = 150.0  # workload steps per second
    seed: int = 7


@dataclass
class Outcome:
    scenario: str
    events: int
    steps: int
    faults: list[dict[str, Any]]
    findings: Findings
    restarts: dict[str, int]
    played_s: float
    drained_s: float
    extra: dict[str, Any] = field(default_factory=dict)

    def row(self) -> dict[str, Any]:
        s = self.findings.summary()
        return {
            "scenario": self.scenario,
            "events": self.events,
            "faults": len(self.faults),
            "lost": s["lost"],
            "applied_twice": s["applied_twice"],
            "mismatches": s["mismatches"],
            "valid_dlq": s["valid_dead_lettered"],
            "poison_wrong": s["poison_not_dead_lettered_once"],
            "dead_letters": s["dead_letters"],
            "dup_records": s["duplicate_change_records"],
            "recovery_s_max": max((f.get("recovery_s") or 0.0 for f in self.faults), default=0.0),
        }


def _say(text: str) -> None:
    print(f"[reliability {time.strftime('%H:%M:%S')}] {text}", flush=True)


async def _play(
    steps: list[Step],
    rate: float,
    publisher: Publisher,
    http: httpx.AsyncClient,
    urls: dict[str, str],
    ids: dict[str, dict[str, str]],
    progress: Callable[[int], None],
) -> None:
    """Publish the steps in order at `rate` per second; people's and admins' calls run beside."""
    calls: list[asyncio.Task[None]] = []
    tick = 0.1
    per_tick = max(1, int(rate * tick))
    started = time.monotonic()
    for first in range(0, len(steps), per_tick):
        chunk = steps[first : first + per_tick]
        records = []
        for step in chunk:
            if isinstance(step, Event):
                records.append((step.topic, step.key(), step.value(), ()))
            elif isinstance(step, Poison):
                records.append((step.topic, step.key, step.value, ()))
            elif isinstance(step, HttpChange):
                calls.append(asyncio.create_task(apply_person(http, urls, step)))
            else:
                calls.append(asyncio.create_task(apply_config(http, urls, ids[step.tenant], step)))
        await publisher.send_many(records)
        progress(first + len(chunk))
        delay = started + (first // per_tick + 1) * tick - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
    await asyncio.gather(*calls)


async def _fault_task(fault: Fault, env: Env, reached: asyncio.Event, log: dict[str, Any]) -> None:
    await reached.wait()
    log["struck_at"] = time.monotonic()
    _say(f"fault: {fault.name}")
    await fault.strike(env)
    if fault.heal is not None:
        await asyncio.sleep(fault.hold_s)
        await fault.heal(env)
    healed = time.monotonic()
    await asyncio.sleep(0.5)  # a killed process is noticed by the supervisor
    await env.cluster.wait_ready(timeout_s=180, service=fault.service)
    log["recovery_s"] = round(time.monotonic() - healed, 2)
    log["healed_after_s"] = round(healed - log["struck_at"], 2)


async def run_scenario(
    scenario: Scenario, *, kafka: str, pg_dsn: str, redis_url: str, log_dir: Path
) -> Outcome:
    run = f"rel-{uuid.uuid4().hex[:6]}"
    log_dir = log_dir / f"{scenario.name}-{run}"
    log_dir.mkdir(parents=True, exist_ok=True)
    work = generate(
        scenario.seed,
        run,
        tenants=scenario.tenants,
        customers=scenario.customers,
        now=datetime.now(UTC),
    )
    expected = expect(work)
    _say(
        f"{scenario.name}: run {run}, {len(work.steps)} steps "
        f"({len(work.events)} events, {len(work.poison)} poison), "
        f"{len(expected)} customers, {len(scenario.faults)} faults; logs in {log_dir}"
    )

    pg_host, pg_port = _host_port(pg_dsn, 5432)
    redis_host, redis_port = _host_port(redis_url, 6379)
    pg = FaultProxy(free_port(), (pg_host, pg_port))
    redis = FaultProxy(free_port(), (redis_host, redis_port))
    await pg.start()
    await redis.start()
    proxied_redis = f"redis://127.0.0.1:{redis.port}/0"
    kafka_proxy = await _kafka_proxy()
    services_kafka = f"127.0.0.1:{kafka_proxy.port}" if kafka_proxy else kafka
    groups = {f"{run}-{g}": names for g, names in ALL_GROUPS.items()}
    async with Offsets(kafka) as offsets:
        start = await offsets.ends(READ_TOPICS)
        await offsets.place_at_end(groups)
    cluster = Cluster(
        env={
            "CSTATUS_KAFKA_BOOTSTRAP": services_kafka,
            "CSTATUS_PG_DSN": _with_port(pg_dsn, pg.port),
            "CSTATUS_REDIS_URL": proxied_redis,
            "CSTATUS_KAFKA_GROUP_PREFIX": f"{run}-",
            "CSTATUS_KAFKA_TENANT_PREFIX": f"{run}-",
            "CSTATUS_ENV": "test",
            "CSTATUS_LOG_FORMAT": "text",
        },
        log_dir=log_dir,
        base_port=None if os.environ.get("CSTATUS_REL_RANDOM_PORTS") else 18080,
    )
    env = Env(cluster, Stack(), pg, redis, redis_url, kafka_proxy)
    fault_logs: list[dict[str, Any]] = [{"fault": f.name, "at": f.at} for f in scenario.faults]
    try:
        await cluster.start()
        urls = {s: cluster.url(s) for s in cluster.replicas}
        async with httpx.AsyncClient() as http, Publisher(kafka) as publisher:
            ids = {t: await configure(http, urls, t) for t in work.tenants}
            _say(f"{len(work.tenants)} tenants configured; playing at {scenario.rate:.0f} steps/s")
            marks = [asyncio.Event() for _ in scenario.faults]
            total = len(work.steps)

            def progress(done: int) -> None:
                for fault, mark in zip(scenario.faults, marks, strict=True):
                    if done >= fault.at * total:
                        mark.set()

            faults = [
                asyncio.create_task(_fault_task(f, env, m, log))
                for f, m, log in zip(scenario.faults, marks, fault_logs, strict=True)
            ]
            played = time.monotonic()
            await _play(work.steps, scenario.rate, publisher, http, urls, ids, progress)
            played_s = time.monotonic() - played
            for mark in marks:
                mark.set()
            await asyncio.gather(*faults)
            _say(f"played in {played_s:.1f}s; faults done: {env.stack.log}; draining…")
            drained = time.monotonic()
            await cluster.wait_ready(timeout_s=180)
            async with Offsets(kafka) as offsets:
                settled = await offsets.settle(timeout_s=300, quiet_s=2.0, groups=groups)
            drained_s = time.monotonic() - drained
            _say(f"drained in {drained_s:.1f}s (settled={settled}); checking…")
            findings = await _converged(http, urls, work, expected, kafka, start, run)
        for fl in fault_logs:
            fl.pop("struck_at", None)
        return Outcome(
            scenario.name,
            len(work.events),
            len(work.steps),
            fault_logs,
            findings,
            cluster.restarts(),
            round(played_s, 1),
            round(drained_s, 1),
            {"run": run, "log_dir": str(log_dir)},
        )
    finally:
        await cluster.stop()
        await pg.stop()
        await redis.stop()
        if kafka_proxy is not None:
            await kafka_proxy.stop()


async def _converged(
    http: httpx.AsyncClient,
    urls: dict[str, str],
    work: Any,
    expected: Any,
    kafka: str,
    start: Any,
    run: str,
    *,
    within_s: float = 30.0,
) -> Findings:
    """The findings once they stop changing (answers may trail the committed state by the
    freshness the specification allows), at most `within_s` after the load drained."""
    deadline = time.monotonic() + within_s
    while True:
        async with Offsets(kafka) as offsets:
            end = await offsets.ends(READ_TOPICS)
        records = await read_between(kafka, start, end, key_prefix=f"{run}-".encode())
        seen = await observe(http, urls, expected, work.tenants)
        findings = compare(work, expected, seen, records)
        if findings.ok or time.monotonic() > deadline:
            return findings
        await asyncio.sleep(3)


KAFKA_FAULTS_PORT = int(os.environ.get("CSTATUS_KAFKA_FAULTS_PORT", "9094"))
KAFKA_FAULTS_PROXY_PORT = int(os.environ.get("CSTATUS_KAFKA_FAULTS_PROXY_PORT", "9095"))


async def _kafka_proxy() -> FaultProxy | None:
    """A fault proxy in front of the broker's FAULTS listener, which advertises the proxy's port
    (so clients keep going through it after bootstrapping); None if the broker has no such
    listener (an external Kafka): then the services talk to it directly."""
    try:
        _, writer = await asyncio.wait_for(
            asyncio.open_connection("127.0.0.1", KAFKA_FAULTS_PORT), 2
        )
    except (OSError, TimeoutError):
        _say("the broker has no FAULTS listener: Kafka faults between services and broker skipped")
        return None
    writer.close()
    proxy = FaultProxy(KAFKA_FAULTS_PROXY_PORT, ("127.0.0.1", KAFKA_FAULTS_PORT))
    await proxy.start()
    return proxy


def _host_port(url: str, default: int) -> tuple[str, int]:
    from urllib.parse import urlparse

    parsed = urlparse(url)
    return parsed.hostname or "127.0.0.1", parsed.port or default


def _with_port(dsn: str, port: int) -> str:
    from urllib.parse import urlparse, urlunparse

    parsed = urlparse(dsn)
    netloc = parsed.netloc.rsplit("@", 1)
    host = f"127.0.0.1:{port}"
    return urlunparse(parsed._replace(netloc=f"{netloc[0]}@{host}" if len(netloc) == 2 else host))
