"""`POST /v1/checks` on the assignment service (SPEC §3): latency at a constant 1,000 req/s (after
a third as long at that rate to warm caches up) and throughput at saturation (32 workers), measured by bench/loadgen (Go, standard library, built on first use into
bench/.build/); without a Go toolchain by a Python load generator, which on 2 cores loads the box
itself and under-reports (the result says which one measured)."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx

from bench.stats import percentiles
from bench.system import ROOT, System

__all__ = ["Checks", "measure_checks"]

LOADGEN = ROOT / "bench" / "loadgen"
BINARY = ROOT / "bench" / ".build" / "loadgen"
GO_PATHS = ("/usr/local/go/bin/go", "/usr/lib/go/bin/go")


def build_loadgen() -> Path | None:
    go = shutil.which("go") or next((p for p in GO_PATHS if Path(p).exists()), None)
    if go is None:
        return None
    BINARY.parent.mkdir(exist_ok=True)
    env = {**os.environ, "GOTOOLCHAIN": "local", "GOFLAGS": "-mod=mod", "CGO_ENABLED": "0"}
    subprocess.run(
        [go, "build", "-o", str(BINARY), "."], cwd=LOADGEN, env=env, check=True, timeout=300
    )
    return BINARY


async def _go(binary: Path, args: list[str], timeout_s: float) -> dict[str, Any]:
    process = await asyncio.create_subprocess_exec(
        str(binary), *args, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout_s)
    if process.returncode != 0:
        raise RuntimeError(f"loadgen failed: {err.decode()[-500:]}")
    found: dict[str, Any] = json.loads(out)
    return found


async def _python(
    url: str, token: str, customers: int, prefix: str, rate: float, seconds: float
) -> dict[str, Any]:
    """Open-loop at `rate` (or closed-loop with 32 workers when rate is 0) from this process."""
    latencies: list[float] = []
    errors = 0
    headers = {"Authorization": f"Bearer {token}"}
    limits = httpx.Limits(max_connections=256, max_keepalive_connections=256)
    async with httpx.AsyncClient(headers=headers, limits=limits, timeout=10) as http:

        async def one(i: int, due: float) -> None:
            nonlocal errors
            body = {"customer_id": f"{prefix}{i % customers:07d}", "action": "transact"}
            try:
                response = await http.post(url, json=body)
                ok = response.status_code == 200
            except httpx.HTTPError:
                ok = False
            if ok:
                latencies.append((time.monotonic() - due) * 1000)
            else:
                errors += 1

        start = time.monotonic()
        if rate > 0:
            tasks = []
            for i in range(int(rate * seconds)):
                due = start + i / rate
                await asyncio.sleep(max(0.0, due - time.monotonic()))
                tasks.append(asyncio.create_task(one(i, due)))
            await asyncio.gather(*tasks)
        else:
            stop = start + seconds

            async def worker(w: int) -> None:
                i = w
                while time.monotonic() < stop:
                    await one(i, time.monotonic())
                    i += 32

            await asyncio.gather(*(worker(w) for w in range(32)))
        elapsed = time.monotonic() - start
    return {
        "mode": "open-loop" if rate > 0 else "closed-loop",
        "ok": len(latencies),
        "errors": errors,
        "seconds": elapsed,
        "req_per_s": len(latencies) / elapsed,
        **percentiles(latencies),
    }


class Checks:
    """One load generator against one tenant's `POST /v1/checks`."""

    def __init__(self, system: System, tenant: str, *, customers: int, prefix: str) -> None:
        self.url = f"{system.assignment_url}/v1/checks"
        self.token = system.token(tenant, "status:system")
        self.customers = customers
        self.prefix = prefix
        self.binary = build_loadgen()

    @property
    def generator(self) -> str:
        return "go" if self.binary is not None else "python"

    async def run(self, rate: float, seconds: float) -> dict[str, Any]:
        """Open-loop at `rate` req/s, or closed-loop with 32 workers when `rate` is 0."""
        if self.binary is None:
            return await _python(self.url, self.token, self.customers, self.prefix, rate, seconds)
        args = [
            f"-url={self.url}",
            f"-token={self.token}",
            f"-customers={self.customers}",
            f"-prefix={self.prefix}",
            f"-rate={rate}",
            f"-duration={seconds}s",
        ]
        return await _go(self.binary, args, seconds + 60)


async def measure_checks(
    system: System,
    tenant: str,
    *,
    customers: int,
    prefix: str,
    rate: float,
    seconds: float,
    saturation_seconds: float,
) -> dict[str, Any]:
    checks = Checks(system, tenant, customers=customers, prefix=prefix)
    runs: list[dict[str, Any]] = []
    plan = ((rate, max(1.0, seconds / 3)), (rate, seconds), (0.0, saturation_seconds))
    for run_rate, run_seconds in plan:  # the first run warms caches and connections up
        runs.append(await checks.run(run_rate, run_seconds))
    _, constant, saturated = runs
    print(f"  checks at {rate:.0f}/s: {constant}", flush=True)
    print(f"  checks at saturation: {saturated}", flush=True)
    return {
        "load_generator": checks.generator,
        "rate_req_per_s": rate,
        "achieved_req_per_s": constant["req_per_s"],
        "errors": constant["errors"] + saturated["errors"],
        "p50_ms": constant["p50_ms"],
        "p95_ms": constant["p95_ms"],
        "p99_ms": constant["p99_ms"],
        "max_ms": constant["max_ms"],
        "saturation_req_per_s": saturated["req_per_s"],
        "saturation_p50_ms": saturated["p50_ms"],
        "saturation_p99_ms": saturated["p99_ms"],
    }
