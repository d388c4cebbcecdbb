"""Approval requests in PostgreSQL (`approvals`, SPEC 1.8): written by a batch, read and decided
by the approvals API. Every query names its tenant."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import astuple, fields
from datetime import datetime

import asyncpg

from cstatus.assignment.domain.approvals import Approval, ApprovalState

__all__ = ["ApprovalRows"]

_COLUMNS = tuple(f.name for f in fields(Approval))
_SELECT = ", ".join(_COLUMNS)


def _approval(row: asyncpg.Record) -> Approval:
    return Approval(**dict(row))


class ApprovalRows:
    async def add(self, conn: asyncpg.Connection, approvals: Sequence[Approval]) -> None:
        if not approvals:
            return
        places = ", ".join(f"${n}" for n in range(1, len(_COLUMNS) + 1))
        await conn.executemany(
            f"INSERT INTO approvals ({_SELECT}) VALUES ({places})",
            [astuple(a) for a in approvals],
        )

    async def get(
        self, conn: asyncpg.Connection, tenant: str, ident: str, *, lock: bool = False
    ) -> Approval | None:
        row = await conn.fetchrow(
            f"SELECT {_SELECT} FROM approvals WHERE tenant = $1 AND id = $2"
            + (" FOR UPDATE" if lock else ""),
            tenant,
            ident,
        )
        return None if row is None else _approval(row)

    async def search(
        self,
        conn: asyncpg.Connection,
        tenant: str,
        *,
        state: ApprovalState | None,
        customer_id: str | None,
        now: datetime,
        limit: int,
    ) -> list[Approval]:
        """Newest first; `pending` and `expired` are told apart by `expires_at` against `now`."""
        stored = {"expired": "pending"}.get(state or "", state)
        rows = await conn.fetch(
            f"SELECT {_SELECT} FROM approvals WHERE tenant = $1"
            " AND ($2::text IS NULL OR state = $2)"
            " AND ($3::text IS NULL OR customer_id = $3)"
            " AND ($4::text IS NULL OR ($4 = 'pending') = (expires_at > $5))"
            " ORDER BY requested_at DESC, id LIMIT $6",
            tenant,
            stored,
            customer_id,
            state if state in ("pending", "expired") else None,
            now,
            limit,
        )
        return [_approval(r) for r in rows]

    async def save_decision(self, conn: asyncpg.Connection, approval: Approval) -> None:
        await conn.execute(
            "UPDATE approvals SET state = $3, decided_by = $4, decided_at = $5,"
            " decision_reason = $6, refusal_code = $7 WHERE tenant = $1 AND id = $2",
            approval.tenant,
            approval.id,
            approval.state,
            approval.decided_by,
            approval.decided_at,
            approval.decision_reason,
            approval.refusal_code,
        )
