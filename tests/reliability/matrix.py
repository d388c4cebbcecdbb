"""The scenarios of `make reliability`, and the smoke subset `make test` runs."""

from __future__ import annotations

import asyncio
import random
from typing import Any

from scenario import Env, Fault, Scenario

__all__ = ["FULL", "SMOKE"]


def kill9(service: str) -> Fault:
    async def strike(env: Env) -> None:
        env.cluster.replicas[service][0].kill9()

    return Fault(f"kill -9 {service}", 0.0, strike, service=service)


def at(fault: Fault, when: float) -> Fault:
    return Fault(fault.name, when, fault.strike, fault.heal, fault.hold_s, fault.service)


def postgres_restart() -> Fault:
    async def strike(env: Env) -> None:
        await env.stack.postgres_restart()

    return Fault("PostgreSQL immediate restart", 0.0, strike)


def broker_kill() -> Fault:
    async def strike(env: Env) -> None:
        await env.stack.kafka_kill()

    async def heal(env: Env) -> None:
        await env.stack.kafka_start()

    return Fault("Kafka broker kill -9, restart", 0.0, strike, heal, hold_s=3.0)


def redis_flush() -> Fault:
    async def strike(env: Env) -> None:
        await env.stack.redis_flushall(env.redis_url)

    return Fault("Redis FLUSHALL", 0.0, strike)


def redis_stop_start() -> Fault:
    async def strike(env: Env) -> None:
        await env.stack.redis_stop()

    async def heal(env: Env) -> None:
        await env.stack.redis_start()

    return Fault("Redis stopped, started", 0.0, strike, heal, hold_s=5.0)


def _proxy(env: Env, target: str) -> Any:
    return getattr(env, target) or _NoProxy()


class _NoProxy:
    def blackhole(self) -> None: ...
    def latency(self, seconds: float) -> None: ...
    def heal(self) -> None: ...


def blackhole(target: str, seconds: float) -> Fault:
    async def strike(env: Env) -> None:
        _proxy(env, target).blackhole()

    async def heal(env: Env) -> None:
        _proxy(env, target).heal()

    return Fault(f"blackhole to {target} {seconds:.0f}s", 0.0, strike, heal, hold_s=seconds)


def latency(target: str, ms: float, seconds: float) -> Fault:
    async def strike(env: Env) -> None:
        _proxy(env, target).latency(ms / 1000)

    async def heal(env: Env) -> None:
        _proxy(env, target).heal()

    return Fault(f"+{ms:.0f} ms to {target} for {seconds:.0f}s", 0.0, strike, heal, hold_s=seconds)


def second_replica(service: str, seconds: float) -> Fault:
    """A second process of the service joins its groups (a rebalance) and leaves again."""

    async def strike(env: Env) -> None:
        replica = await env.cluster.add(service)
        await env.cluster.wait_ready(timeout_s=120)
        await asyncio.sleep(seconds)
        await env.cluster.remove(replica)

    return Fault(f"second {service} joins and leaves", 0.0, strike)


def relay_crash(service: str) -> Fault:
    """The service's outbox relay dies after the broker acknowledged a batch, before deleting
    it (a one-shot failpoint): the batch is published again by the restarted process."""

    async def strike(env: Env) -> None:
        env.cluster.replicas[service][0].arm("relay-after-publish")

    return Fault(f"{service} relay killed between publish and delete", 0.0, strike, service=service)


CONSUMING = ("rules-engine", "assignment", "audit")

SMOKE = Scenario(
    name="smoke",
    tenants=2,
    customers=150,
    rate=100.0,
    faults=(
        at(kill9("rules-engine"), 0.1),
        at(kill9("assignment"), 0.35),
        at(postgres_restart(), 0.6),
        at(kill9("audit"), 0.85),
    ),
)


def _kills(seed: int) -> tuple[Fault, ...]:
    rng = random.Random(seed)
    services = [s for s in (*CONSUMING, "status-config") for _ in range(3)]
    rng.shuffle(services)
    return tuple(
        at(kill9(s), round(0.05 + 0.9 * i / len(services) + rng.uniform(0, 0.03), 3))
        for i, s in enumerate(services)
    )


FULL: tuple[Scenario, ...] = (
    Scenario("kill -9 every service x3", _kills(11), tenants=3, customers=700, rate=300.0),
    Scenario(
        "rebalances",
        tuple(at(second_replica(s, 8.0), 0.1 + 0.3 * i) for i, s in enumerate(CONSUMING)),
        tenants=2,
        customers=600,
        rate=300.0,
    ),
    Scenario("broker kill -9 and restart", (at(broker_kill(), 0.4),), customers=600, rate=300.0),
    Scenario(
        "PostgreSQL immediate restarts",
        (at(postgres_restart(), 0.3), at(postgres_restart(), 0.7)),
        customers=600,
        rate=300.0,
    ),
    Scenario(
        "Redis flush, stop and start",
        (at(redis_flush(), 0.25), at(redis_stop_start(), 0.6)),
        customers=600,
        rate=300.0,
    ),
    Scenario(
        "relays killed between publish and delete",
        (
            at(relay_crash("assignment"), 0.15),
            at(relay_crash("status-config"), 0.4),  # before the configuration changes mid-stream
            at(relay_crash("rules-engine"), 0.65),
            at(relay_crash("assignment"), 0.85),
        ),
        customers=600,
        rate=300.0,
    ),
    Scenario(
        "blackholes and latency: PostgreSQL, Redis, Kafka",
        (
            at(blackhole("pg", 8.0), 0.1),
            at(latency("redis", 200.0, 8.0), 0.25),
            at(blackhole("redis", 8.0), 0.4),
            at(latency("pg", 100.0, 8.0), 0.55),
            at(blackhole("kafka", 8.0), 0.7),
            at(latency("kafka", 150.0, 8.0), 0.85),
        ),
        customers=600,
        rate=200.0,
    ),
)
