"""The customer directory: search by name, e-mail, customer number or id; filter by status."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

import asyncpg

__all__ = ["DirectoryPage", "DirectoryQuery", "decode_cursor", "encode_cursor", "search"]


@dataclass(frozen=True, slots=True)
class DirectoryQuery:
    tenant: str
    text: str | None = None
    statuses: tuple[tuple[str, str], ...] = ()
    """(category code, status code) pairs a customer must all hold."""
    include_inactive: bool = False
    after: str | None = None
    limit: int = 50


@dataclass(frozen=True, slots=True)
class DirectoryPage:
    items: list[dict[str, Any]]
    next_after: str | None


def encode_cursor(customer_id: str) -> str:
    return base64.urlsafe_b64encode(customer_id.encode()).decode()


def decode_cursor(cursor: str) -> str:
    """Raises ValueError for a cursor this service did not issue."""
    return base64.urlsafe_b64decode(cursor.encode()).decode()


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def where(query: DirectoryQuery, schema: str, first_arg: int = 1) -> tuple[str, list[Any]]:
    """The WHERE clause (on alias `c`) of a query, and its arguments from `$first_arg` on."""
    args: list[Any] = [query.tenant]
    clauses = [f"c.tenant = ${first_arg}"]

    def arg(value: Any) -> str:
        args.append(value)
        return f"${first_arg + len(args) - 1}"

    if not query.include_inactive:
        clauses.append("c.active AND NOT c.erased")
    if query.text:
        exact = arg(query.text)
        like = arg(f"%{_escape_like(query.text.lower())}%")
        clauses.append(
            f"(c.customer_id = {exact} OR c.customer_number = {exact}"
            f" OR lower(c.email) LIKE {like}"
            f" OR lower(coalesce(c.first_name, '') || ' ' || coalesce(c.last_name, '')) LIKE {like}"
            f" OR lower(coalesce(c.last_name, '') || ' ' || coalesce(c.first_name, '')) LIKE {like})"
        )
    for category, status in query.statuses:
        clauses.append(
            f"EXISTS (SELECT 1 FROM {schema}.statuses s WHERE s.tenant = c.tenant"
            f" AND s.customer_id = c.customer_id AND s.category_code = {arg(category)}"
            f" AND s.status_code = {arg(status)})"
        )
    return " AND ".join(clauses), args


async def search(
    conn: asyncpg.Connection | asyncpg.Pool, schema: str, query: DirectoryQuery
) -> DirectoryPage:
    clause, args = where(query, schema)
    if query.after is not None:
        args.append(query.after)
        clause += f" AND c.customer_id > ${len(args)}"
    args.append(query.limit + 1)
    rows = await conn.fetch(
        f"SELECT c.customer_id, c.customer_number, c.first_name, c.last_name, c.email, c.active,"
        f" coalesce((SELECT jsonb_object_agg(s.category_code, s.status_code) FROM {schema}.statuses s"
        "   WHERE s.tenant = c.tenant AND s.customer_id = c.customer_id), '{}'::jsonb) AS statuses"
        f" FROM {schema}.customers c WHERE {clause}"
        f" ORDER BY c.customer_id LIMIT ${len(args)}",
        *args,
    )
    items = [dict(r) for r in rows[: query.limit]]
    more = len(rows) > query.limit
    return DirectoryPage(items, items[-1]["customer_id"] if more and items else None)
