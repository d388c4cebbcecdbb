"""The customer directory: search by name, e-mail, phone, customer number or id; filter by
statuses (ORed within a category, ANDed across categories) and by who may receive marketing;
count the holders of each status of a category."""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from typing import Any

import asyncpg

__all__ = [
    "DirectoryPage",
    "DirectoryQuery",
    "count_statuses",
    "decode_cursor",
    "encode_cursor",
    "search",
]

_MIN_PHONE_DIGITS = 4
"""A search with at least this many digits also matches phone numbers, whatever their spacing."""


@dataclass(frozen=True, slots=True)
class DirectoryQuery:
    tenant: str
    text: str | None = None
    statuses: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """(category code, status codes): a customer holds one of the codes, in every category."""
    marketing: bool | None = None
    """True: only customers who may receive marketing; False: only those who may not."""
    implying_consent: tuple[tuple[str, str], ...] = ()
    """(category, status) of the statuses implying marketing consent (for `marketing`)."""
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


def where(query: DirectoryQuery, first_arg: int = 1) -> tuple[str, list[Any]]:
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
        found = [
            f"c.customer_id = {exact}",
            f"c.customer_number = {exact}",
            f"lower(c.email) LIKE {like}",
            f"lower(coalesce(c.first_name, '') || ' ' || coalesce(c.last_name, '')) LIKE {like}",
            f"lower(coalesce(c.last_name, '') || ' ' || coalesce(c.first_name, '')) LIKE {like}",
        ]
        digits = re.sub(r"\D", "", query.text)
        if len(digits) >= _MIN_PHONE_DIGITS:
            found.append(f"regexp_replace(c.phone, '\\D', '', 'g') LIKE {arg(f'%{digits}%')}")
        clauses.append(f"({' OR '.join(found)})")
    for category, codes in query.statuses:
        clauses.append(
            f"EXISTS (SELECT 1 FROM statuses s WHERE s.tenant = c.tenant"
            f" AND s.customer_id = c.customer_id AND s.category_code = {arg(category)}"
            f" AND s.status_code = ANY({arg(list(codes))}::text[]))"
        )
    if query.marketing is not None:
        implying = arg([f"{c}/{s}" for c, s in query.implying_consent])
        may = (
            "(NOT coalesce(c.marketing_objected, false) AND (coalesce(c.marketing_opt_in, false)"
            f" OR EXISTS (SELECT 1 FROM statuses s WHERE s.tenant = c.tenant"
            " AND s.customer_id = c.customer_id"
            f" AND s.category_code || '/' || s.status_code = ANY({implying}::text[]))))"
        )
        clauses.append(may if query.marketing else f"NOT {may}")
    return " AND ".join(clauses), args


async def search(conn: asyncpg.Connection | asyncpg.Pool, query: DirectoryQuery) -> DirectoryPage:
    clause, args = where(query)
    if query.after is not None:
        args.append(query.after)
        clause += f" AND c.customer_id > ${len(args)}"
    args.append(query.limit + 1)
    rows = await conn.fetch(
        "SELECT c.customer_id, c.customer_number, c.first_name, c.last_name, c.email, c.phone,"
        " c.active, c.marketing_opt_in, c.marketing_objected,"
        f" coalesce((SELECT jsonb_object_agg(s.category_code, s.status_code) FROM statuses s"
        "   WHERE s.tenant = c.tenant AND s.customer_id = c.customer_id), '{}'::jsonb) AS statuses"
        f" FROM customers c WHERE {clause}"
        f" ORDER BY c.customer_id LIMIT ${len(args)}",
        *args,
    )
    items = [dict(r) for r in rows[: query.limit]]
    more = len(rows) > query.limit
    return DirectoryPage(items, items[-1]["customer_id"] if more and items else None)


async def count_statuses(
    conn: asyncpg.Connection | asyncpg.Pool, query: DirectoryQuery, category: str
) -> dict[str | None, int]:
    """How many customers the query selects hold each status of `category` (None: no status)."""
    clause, args = where(query)
    args.append(category)
    rows = await conn.fetch(
        f"SELECT s.status_code, count(*) AS n FROM customers c"
        f" LEFT JOIN statuses s ON s.tenant = c.tenant AND s.customer_id = c.customer_id"
        f" AND s.category_code = ${len(args)}"
        f" WHERE {clause} GROUP BY s.status_code",
        *args,
    )
    return {r["status_code"]: r["n"] for r in rows}
