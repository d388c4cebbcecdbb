"""`deferred_proposals`: proposals waiting for the configuration version they were made with."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime
from typing import Any

import asyncpg

from cstatus.assignment.domain.holding import ChangeRequest

__all__ = ["DeferredProposals", "request_from_json", "request_json"]

Key = tuple[str, str]


def request_json(request: ChangeRequest) -> dict[str, Any]:
    found = asdict(request)
    found["until"] = request.until.isoformat() if request.until else None
    return found


def request_from_json(found: dict[str, Any] | str) -> ChangeRequest:
    d = json.loads(found) if isinstance(found, str) else dict(found)
    d["until"] = datetime.fromisoformat(d["until"]) if d.get("until") else None
    return ChangeRequest(**d)


class DeferredProposals:
    async def save(
        self, conn: asyncpg.Connection, items: Sequence[tuple[Key, ChangeRequest]]
    ) -> None:
        if not items:
            return
        await conn.executemany(
            "INSERT INTO deferred_proposals"
            " (tenant, ref_id, customer_id, config_version, request) VALUES ($1, $2, $3, $4, $5)"
            " ON CONFLICT (tenant, ref_id) DO NOTHING",
            [(t, r.ref_id, c, r.config_version or 0, request_json(r)) for (t, c), r in items],
        )

    async def take(
        self, conn: asyncpg.Connection, tenant: str, version: int
    ) -> list[tuple[str, ChangeRequest]]:
        """Remove and return (customer, request) of the tenant's proposals made with `version`
        or an older one, oldest first."""
        rows = await conn.fetch(
            "DELETE FROM deferred_proposals"
            " WHERE tenant = $1 AND config_version <= $2"
            " RETURNING customer_id, request, created_at",
            tenant,
            version,
        )
        rows = sorted(rows, key=lambda r: r["created_at"])
        return [(r["customer_id"], request_from_json(r["request"])) for r in rows]
