"""A bench tenant ready for traffic: configured through status-config, known to the rules engine,
and `existing` customers who already had their first activity (so they hold client)."""

from __future__ import annotations

import time

from bench.producing import produce_all, producer
from bench.system import System, provision_tenant, wait_engine_config
from bench.workload import Workload
from cstatus.driver.offsets import Offsets

__all__ = ["prepare_tenant"]


async def prepare_tenant(
    system: System, offsets: Offsets, workload: Workload, existing: int, *, timeout_s: float
) -> None:
    started = time.monotonic()
    await provision_tenant(system, workload.tenant)
    await wait_engine_config(system, workload.tenant)
    messages = [workload.first_booking(workload.existing(i)) for i in range(existing)]
    async with producer(system.bootstrap) as kafka:
        await produce_all(kafka, messages)
    settled = await offsets.settle(timeout_s=timeout_s)
    print(
        f"  tenant {workload.tenant}: {existing} customers warmed up in"
        f" {time.monotonic() - started:.1f}s{'' if settled else ' (topics still moving)'}",
        flush=True,
    )
