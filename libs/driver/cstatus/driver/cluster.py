"""The four services as processes, supervised the way an orchestrator would run them.

Each replica is `python -m cstatus.<service>` with its own HTTP port, a consumer-group prefix and
a tenant prefix of the run (so it reads only what the run publishes, beside whatever else the
broker holds), and PostgreSQL and Redis reached through the run's fault proxies. A replica that
dies (kill -9 included) is started again after a short back-off, as Kubernetes restarts a pod.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from cstatus.driver.faults import free_port

__all__ = ["Cluster", "Replica"]

MODULES = {
    "status-config": "cstatus.status_config",
    "assignment": "cstatus.assignment",
    "rules-engine": "cstatus.rules_engine",
    "audit": "cstatus.audit",
}
PORT_ENV = {
    "status-config": "CSTATUS_STATUS_CONFIG_HTTP_PORT",
    "assignment": "CSTATUS_ASSIGNMENT_HTTP_PORT",
    "rules-engine": "CSTATUS_RULES_ENGINE_HTTP_PORT",
    "audit": "CSTATUS_AUDIT_HTTP_PORT",
}
BACKOFF_S = 0.5


def _own_role(service: str, owner_dsn: str) -> dict[str, str]:
    """As `deploy/local/services.sh` runs them: the service logs in as its own role
    (`cstatus_<service>`, made by the local stack), migrations run as the schemas' owner."""
    if "//cstatus:" not in owner_dsn:
        return {}
    role = "cstatus_" + service.replace("-", "_")
    return {
        "CSTATUS_PG_DSN": owner_dsn.replace("//cstatus:", f"//{role}:", 1),
        "CSTATUS_PG_MIGRATION_DSN": owner_dsn,
    }


@dataclass
class Replica:
    service: str
    port: int
    env: dict[str, str]
    log_path: Path
    process: asyncio.subprocess.Process | None = None
    restarts: int = 0
    wanted: bool = True
    _watch: asyncio.Task[None] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def failpoints(self) -> Path:
        """Where this replica looks for armed failpoints (`cstatus.platform.failpoints`)."""
        return self.log_path.with_suffix(".failpoints")

    def arm(self, name: str) -> None:
        self.failpoints.mkdir(exist_ok=True)
        (self.failpoints / name).touch()

    async def spawn(self) -> None:
        log = self.log_path.open("ab")
        self.failpoints.mkdir(exist_ok=True)
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            MODULES[self.service],
            env={
                **os.environ,
                **self.env,
                **_own_role(self.service, self.env.get("CSTATUS_PG_DSN", "")),
                PORT_ENV[self.service]: str(self.port),
                # icon URLs in the configuration point at where this replica really listens
                "CSTATUS_STATUS_CONFIG_PUBLIC_URL": self.url,
                "CSTATUS_FAILPOINT_DIR": str(self.failpoints),
            },
            stdout=log,
            stderr=log,
            stdin=asyncio.subprocess.DEVNULL,
        )
        log.close()

    async def supervise(self) -> None:
        """Start it, and start it again whenever it exits while wanted."""
        await self.spawn()
        while self.wanted:
            assert self.process is not None
            await self.process.wait()
            if not self.wanted:
                return
            self.restarts += 1
            await asyncio.sleep(BACKOFF_S)
            if self.wanted:
                await self.spawn()

    def kill9(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.send_signal(signal.SIGKILL)

    async def stop(self) -> None:
        self.wanted = False
        if self.process is not None and self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.process.wait(), 20)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()
        if self._watch is not None:
            self._watch.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watch

    async def ready(self, http: httpx.AsyncClient) -> bool:
        try:
            return (await http.get(f"{self.url}/health/ready", timeout=2)).status_code == 200
        except httpx.HTTPError:
            return False


@dataclass
class Cluster:
    env: dict[str, str]
    log_dir: Path
    base_port: int | None = 18080
    """Replicas listen on `base_port + 1, + 2, …`; None: each on a port free when it is added
    (a port next to a free one may be some client's ephemeral port: a CI run lost 120 s so)."""
    replicas: dict[str, list[Replica]] = field(default_factory=dict)
    _next_port: int = 0

    def url(self, service: str) -> str:
        return self.replicas[service][0].url

    def _port(self) -> int:
        if self.base_port is None:
            return free_port()
        self._next_port += 1
        return self.base_port + self._next_port

    async def add(self, service: str) -> Replica:
        n = len(self.replicas.setdefault(service, []))
        replica = Replica(service, self._port(), self.env, self.log_dir / f"{service}-{n}.log")
        self.replicas[service].append(replica)
        replica._watch = asyncio.create_task(replica.supervise(), name=f"{service}-{n}")
        return replica

    async def start(self, *, timeout_s: float = 120.0) -> None:
        for service in MODULES:
            await self.add(service)
        await self.wait_ready(timeout_s=timeout_s)

    async def wait_ready(self, *, timeout_s: float = 120.0, service: str | None = None) -> float:
        """Seconds until every wanted replica (of `service`, if given) answers ready."""
        started = time.monotonic()
        async with httpx.AsyncClient() as http:
            while True:
                states = [
                    await r.ready(http)
                    for name, rs in self.replicas.items()
                    for r in rs
                    if r.wanted and service in (None, name)
                ]
                if all(states):
                    return time.monotonic() - started
                if time.monotonic() - started > timeout_s:
                    raise TimeoutError(
                        f"services not ready after {timeout_s:.0f}s; logs in {self.log_dir}"
                    )
                await asyncio.sleep(0.25)

    async def remove(self, replica: Replica) -> None:
        await replica.stop()
        self.replicas[replica.service].remove(replica)

    async def stop(self) -> None:
        await asyncio.gather(
            *(r.stop() for rs in self.replicas.values() for r in rs), return_exceptions=True
        )

    def restarts(self) -> dict[str, int]:
        return {s: sum(r.restarts for r in rs) for s, rs in self.replicas.items()}
