"""The running system the bench talks to: endpoints, tokens, and the bench tenants' setup through
status-config's API (the configuration then reaches the rules engine on the config topic)."""

from __future__ import annotations

import asyncio
import os
import time
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx

from cstatus.driver.tokens import token
from cstatus.platform.settings import DEV_JWT_SECRET

__all__ = [
    "GOLD_MIN",
    "LOYALTY_WINDOW_DAYS",
    "ROOT",
    "SERVICES",
    "SILVER_MIN",
    "System",
    "provision_tenant",
    "wait_engine_config",
]

ROOT = Path(__file__).resolve().parent.parent
SERVICES = ("status-config", "assignment", "rules-engine", "audit")

LOYALTY_WINDOW_DAYS = 365
SILVER_MIN = 3
"""Reservations arrived in the last `LOYALTY_WINDOW_DAYS` days that make a customer silver."""
GOLD_MIN = 6


@dataclass(frozen=True, slots=True)
class System:
    bootstrap: str
    pg_dsn: str
    jwt_secret: str
    status_config_url: str = "http://127.0.0.1:8081"
    assignment_url: str = "http://127.0.0.1:8082"
    rules_engine_url: str = "http://127.0.0.1:8083"

    @classmethod
    def from_env(cls) -> System:
        return cls(
            bootstrap=os.environ.get("CSTATUS_KAFKA_BOOTSTRAP", "127.0.0.1:9092"),
            pg_dsn=os.environ.get(
                "CSTATUS_PG_DSN", "postgresql://cstatus:cstatus@127.0.0.1:5432/cstatus"
            ),
            jwt_secret=os.environ.get("CSTATUS_JWT_SECRET", DEV_JWT_SECRET),
        )

    def token(self, tenant: str, *roles: str) -> str:
        return token(tenant, *roles, subject="bench", secret=self.jwt_secret)

    def pid_files(self) -> dict[str, Path]:
        run_dir = Path(os.environ.get("CSTATUS_STACK_DIR", ROOT / ".stack")) / "services"
        # services.sh runs each service under a supervisor (`<name>.pid`); the service process
        # itself, whose memory is measured, is `<name>.child`.
        # Some services run more than one process (`assignment-worker`, `rules-engine-2`): each
        # is measured by its own name.
        found = {path.stem: path for path in sorted(run_dir.glob("*.child"))}
        return found or {name: run_dir / f"{name}.child" for name in SERVICES}


def _loyalty_statuses() -> list[dict[str, object]]:
    def rule(minimum: int) -> dict[str, object]:
        return {
            "type": "count",
            "metric": "reservations",
            "min": minimum,
            "window_days": LOYALTY_WINDOW_DAYS,
        }

    return [
        {"code": "basic", "name": "Basic", "colour": "#A0A0A0", "is_default": True},
        {"code": "silver", "name": "Silver", "colour": "#C0C0C0", "priority": 10,
         "rule": rule(SILVER_MIN)},
        {"code": "gold", "name": "Gold", "colour": "#FFD700", "priority": 20,
         "rule": rule(GOLD_MIN)},
    ]  # fmt: skip


async def provision_tenant(system: System, tenant: str) -> None:
    """`PUT /v1/tenant` with the default categories, plus an automatic `loyalty` category whose
    silver and gold count reservations arrived in the last year."""
    headers = {"Authorization": f"Bearer {system.token(tenant, 'status:admin')}"}
    async with httpx.AsyncClient(
        base_url=system.status_config_url, headers=headers, timeout=30
    ) as http:
        (await http.put("/v1/tenant", json={"seed_defaults": True})).raise_for_status()
        categories = (await http.get("/v1/categories")).raise_for_status().json()["items"]
        if any(c["code"] == "loyalty" for c in categories):
            return
        body = {"code": "loyalty", "name": "Loyalty level", "update_mode": "automatic"}
        created = (await http.post("/v1/categories", json=body)).raise_for_status().json()
        for status in _loyalty_statuses():
            url = f"/v1/categories/{created['id']}/statuses"
            (await http.post(url, json=status)).raise_for_status()


async def wait_engine_config(system: System, tenant: str, *, timeout_s: float = 60) -> None:
    """Wait until the rules engine stored the tenant's configuration with the whole loyalty
    category (every status the bench created)."""
    conn = await asyncpg.connect(system.pg_dsn)
    try:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            found = await conn.fetchval(
                "SELECT count(*) FROM rules.configs,"
                " jsonb_array_elements(document->'categories') AS c,"
                " jsonb_array_elements(c->'statuses') AS s"
                " WHERE tenant = $1 AND c->>'code' = 'loyalty'",
                tenant,
            )
            if found == len(_loyalty_statuses()):
                return
            await asyncio.sleep(0.2)
        raise TimeoutError(f"the rules engine has no configuration of {tenant} after {timeout_s}s")
    finally:
        await conn.close()
