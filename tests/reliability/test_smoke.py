"""The smoke subset of the reliability suite, run by `make test`: the workload played while each
consuming service is killed with -9 once and PostgreSQL restarts in immediate mode; nothing may
be lost, applied twice or differ from the reference model, and no valid event may be
dead-lettered."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from matrix import SMOKE
from report import table, write
from scenario import run_scenario

pytestmark = [pytest.mark.reliability, pytest.mark.timeout(600)]

ROOT = Path(__file__).resolve().parents[2]


async def test_smoke_nothing_lost_or_doubled_under_kill9_and_postgres_restart(stack: Any) -> None:
    outcome = await run_scenario(
        SMOKE,
        kafka=stack.kafka_bootstrap,
        pg_dsn=stack.pg_dsn,
        redis_url=stack.redis_url,
        log_dir=ROOT / ".stack/logs/reliability",
    )
    write([outcome], "smoke")
    print(table([outcome]))
    assert len(outcome.faults) == 4 and all("recovery_s" in f for f in outcome.faults)
    assert outcome.restarts["rules-engine"] >= 1 and outcome.restarts["assignment"] >= 1
    summary = outcome.findings.summary()
    assert outcome.findings.ok, summary
