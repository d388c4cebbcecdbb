"""A batch of customers' rows in PostgreSQL: locked and read in one go, written set-wise.

A batch (one Kafka batch, one bulk chunk, one HTTP change) costs a fixed number of statements,
whatever its size: `lock` adds unknown customers and takes every row lock in one statement, in
(tenant, customer) order so that two batches never wait for each other in a cycle; the holdings and
the outcomes already recorded are read in one query each; the change log, the holdings, the
outcomes and the customers' profiles and versions are each written with one `unnest` statement.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg

from cstatus.assignment.adapters.customer_repository import (
    HOLDING_COLUMNS,
    Profile,
    holding_from_row,
    profile_from_row,
    times_json,
)
from cstatus.assignment.domain.catalogue import Catalogue
from cstatus.assignment.domain.holding import Holding
from cstatus.assignment.domain.profile import Stamped

__all__ = ["PROFILE_TEXT_FIELDS", "ChangeRow", "CustomerRows", "Key"]

PROFILE_TEXT_FIELDS = ("customer_number", "first_name", "last_name", "email", "phone")

Key = tuple[str, str]
"""(tenant, customer id)."""


@dataclass(frozen=True, slots=True)
class ChangeRow:
    """One applied change for the service's log (`status_changes`)."""

    change_id: str
    tenant: str
    customer: str
    holding: Holding
    from_code: str | None
    ref_id: str


def _pairs(keys: Iterable[Key]) -> tuple[list[str], list[str]]:
    ordered = sorted(set(keys))
    return [t for t, _ in ordered], [c for _, c in ordered]


class CustomerRows:
    def __init__(self, schema: str) -> None:
        self.schema = schema

    async def lock(self, conn: asyncpg.Connection, keys: Iterable[Key]) -> dict[Key, Profile]:
        """Take the row lock of every customer (adding the unknown ones), in a stable order."""
        tenants, customers = _pairs(keys)
        if not tenants:
            return {}
        rows = await conn.fetch(
            "INSERT INTO customers AS c (tenant, customer_id)"
            " SELECT u.t, u.c FROM unnest($1::text[], $2::text[]) AS u(t, c) ORDER BY u.t, u.c"
            " ON CONFLICT (tenant, customer_id) DO UPDATE SET tenant = c.tenant RETURNING *",
            tenants,
            customers,
        )
        return {(r["tenant"], r["customer_id"]): profile_from_row(r) for r in rows}

    async def holdings(
        self, conn: asyncpg.Connection, keys: Iterable[Key]
    ) -> dict[Key, dict[str, Holding]]:
        tenants, customers = _pairs(keys)
        found: dict[Key, dict[str, Holding]] = {}
        if not tenants:
            return found
        rows = await conn.fetch(
            f"SELECT s.tenant, s.customer_id, {', '.join(f's.{c}' for c in HOLDING_COLUMNS)}"
            f" FROM statuses s JOIN unnest($1::text[], $2::text[]) AS u(t, c)"
            " ON s.tenant = u.t AND s.customer_id = u.c",
            tenants,
            customers,
        )
        for r in rows:
            found.setdefault((r["tenant"], r["customer_id"]), {})[r["category_code"]] = (
                holding_from_row(r)
            )
        return found

    async def outcomes(
        self, conn: asyncpg.Connection, refs: Iterable[Key]
    ) -> dict[Key, dict[str, Any]]:
        """The outcomes already recorded for (tenant, ref id) pairs."""
        tenants, ref_ids = _pairs(refs)
        if not tenants:
            return {}
        rows = await conn.fetch(
            "SELECT a.tenant, a.ref_id, a.outcome FROM applied_refs a"
            " JOIN unnest($1::text[], $2::text[]) AS u(t, r) ON a.tenant = u.t AND a.ref_id = u.r",
            tenants,
            ref_ids,
        )
        return {
            (r["tenant"], r["ref_id"]): (
                r["outcome"] if isinstance(r["outcome"], dict) else json.loads(r["outcome"])
            )
            for r in rows
        }

    async def save_outcomes(
        self, conn: asyncpg.Connection, outcomes: Mapping[Key, dict[str, Any]]
    ) -> None:
        if not outcomes:
            return
        await conn.execute(
            "INSERT INTO applied_refs (tenant, ref_id, outcome)"
            " SELECT * FROM unnest($1::text[], $2::text[], $3::jsonb[]) ON CONFLICT DO NOTHING",
            [t for t, _ in outcomes],
            [r for _, r in outcomes],
            list(outcomes.values()),
        )

    async def save_changes(self, conn: asyncpg.Connection, changes: Sequence[ChangeRow]) -> None:
        """Append the change log rows of the batch."""
        if not changes:
            return
        await conn.execute(
            "INSERT INTO status_changes (change_id, tenant, customer_id,"
            " category_code, sequence, from_code, to_code, source, actor, reason, ref_id,"
            " effective_at) SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[],"
            " $5::int[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[],"
            " $11::text[], $12::timestamptz[])",
            [c.change_id for c in changes],
            [c.tenant for c in changes],
            [c.customer for c in changes],
            [c.holding.category_code for c in changes],
            [c.holding.sequence for c in changes],
            [c.from_code for c in changes],
            [c.holding.status_code for c in changes],
            [c.holding.source for c in changes],
            [c.holding.updated_by for c in changes],
            [c.holding.reason for c in changes],
            [c.ref_id for c in changes],
            [c.holding.updated_at for c in changes],
        )

    async def save_holdings(
        self, conn: asyncpg.Connection, holdings: Sequence[tuple[Key, Holding]]
    ) -> None:
        """Write the final holding of each (customer, category) the batch changed."""
        if not holdings:
            return
        hs = [h for _, h in holdings]
        updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in HOLDING_COLUMNS[1:])
        await conn.execute(
            f"INSERT INTO statuses (tenant, customer_id, {', '.join(HOLDING_COLUMNS)})"
            " SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[],"
            " $6::timestamptz[], $7::bool[], $8::timestamptz[], $9::text[], $10::text[],"
            " $11::timestamptz[], $12::int[], $13::int[], $14::text[])"
            f" ON CONFLICT (tenant, customer_id, category_code) DO UPDATE SET {updates}",
            [k[0] for k, _ in holdings],
            [k[1] for k, _ in holdings],
            [h.category_code for h in hs],
            [h.status_code for h in hs],
            [h.source for h in hs],
            [h.since for h in hs],
            [h.pinned for h in hs],
            [h.pinned_until for h in hs],
            [h.reason for h in hs],
            [h.updated_by for h in hs],
            [h.updated_at for h in hs],
            [h.sequence for h in hs],
            [h.last_manual_sequence for h in hs],
            [h.system_state for h in hs],
        )

    async def save_profiles(
        self, conn: asyncpg.Connection, profiles: Sequence[tuple[str, Profile]]
    ) -> None:
        """Write each (tenant, profile): its fields, erasure flag and version."""
        if not profiles:
            return
        ps = [p for _, p in profiles]
        await conn.execute(
            "UPDATE customers c SET customer_number = u.number,"
            " first_name = u.first_name, last_name = u.last_name, email = u.email,"
            " phone = u.phone, active = u.active, marketing_opt_in = u.marketing,"
            " marketing_objected = u.objected,"
            " tags = CASE WHEN u.tags IS NULL THEN NULL"
            "  ELSE ARRAY(SELECT jsonb_array_elements_text(u.tags::jsonb)) END,"
            " erased = u.erased, version = u.version, field_times = u.times, updated_at = now()"
            " FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],"
            " $7::text[], $8::bool[], $9::bool[], $10::text[], $11::bool[], $12::bigint[],"
            " $13::jsonb[], $14::bool[])"
            " AS u(tenant, customer_id, number, first_name, last_name, email, phone, active,"
            " marketing, tags, erased, version, times, objected)"
            " WHERE c.tenant = u.tenant AND c.customer_id = u.customer_id",
            [t for t, _ in profiles],
            [p.customer_id for p in ps],
            [p.customer_number for p in ps],
            [p.first_name for p in ps],
            [p.last_name for p in ps],
            [p.email for p in ps],
            [p.phone for p in ps],
            [p.active for p in ps],
            [p.marketing_opt_in for p in ps],
            [json.dumps(list(p.tags)) if p.tags is not None else None for p in ps],
            [p.erased for p in ps],
            [p.version for p in ps],
            [times_json(p.field_times) for p in ps],
            [p.marketing_objected for p in ps],
        )

    async def erase_reasons(self, conn: asyncpg.Connection, keys: Iterable[Key]) -> None:
        """Remove the free-text reasons of erased customers; the fact of each change stays."""
        tenants, customers = _pairs(keys)
        if not tenants:
            return
        for table in ("statuses", "status_changes"):
            await conn.execute(
                f"UPDATE {table} x SET reason = NULL"
                " FROM unnest($1::text[], $2::text[]) AS u(t, c)"
                " WHERE x.tenant = u.t AND x.customer_id = u.c AND x.reason IS NOT NULL",
                tenants,
                customers,
            )

    async def update_profiles(
        self,
        conn: asyncpg.Connection,
        updates: Mapping[Key, Stamped],
        catalogues: Mapping[str, Catalogue],
    ) -> set[Key]:
        """Write the given profile fields of customers whose update changes nothing else; a field
        only where the update is at least as new as what set it, and nothing of an erased one.

        Returns the customers it left alone, for the caller to work on as a whole: unknown ones,
        ones holding nothing in a category (of `catalogues[tenant]`) that has a default, and ones
        whose marketing consent (opt-in or objection) the update names differently. One statement; row locks in
        (tenant, customer) order.
        """
        if not updates:
            return set()
        keys = sorted(updates)
        defaults = [(t, c) for t, cat in catalogues.items() for c in cat.defaulted_categories]

        def newer(f: str) -> str:  # the update names the field, at least as new as the stored
            return (
                f"w.f ? '{f}' AND (NOT k.field_times ? '{f}' OR"
                f" (k.field_times->>'{f}')::timestamptz <= (w.ts->>'{f}')::timestamptz)"
            )

        given = [
            *(
                f"{f} = CASE WHEN {newer(f)} THEN w.f->>'{f}' ELSE k.{f} END"
                for f in PROFILE_TEXT_FIELDS
            ),
            f"active = CASE WHEN {newer('active')} THEN (w.f->>'active')::boolean ELSE k.active END",
            f"marketing_objected = CASE WHEN {newer('marketing_objected')}"
            " THEN (w.f->>'marketing_objected')::boolean ELSE k.marketing_objected END",
            f"tags = CASE WHEN NOT ({newer('tags')}) THEN k.tags"
            " WHEN jsonb_typeof(w.f->'tags') = 'null'"
            " THEN NULL ELSE ARRAY(SELECT jsonb_array_elements_text(w.f->'tags')) END",
            "field_times = k.field_times || (SELECT coalesce(jsonb_object_agg(e.key, e.value), '{}')"
            " FROM jsonb_each(w.ts) e WHERE NOT k.field_times ? e.key"
            " OR (k.field_times->>e.key)::timestamptz <= (e.value #>> '{}')::timestamptz)",
        ]
        values = [{n: v for n, (v, _) in updates[k].items()} for k in keys]
        times = [{n: at.isoformat() for n, (_, at) in updates[k].items()} for k in keys]
        rows = await conn.fetch(
            "WITH u AS (SELECT * FROM unnest($1::text[], $2::text[], $3::jsonb[], $6::jsonb[])"
            " AS u(t, c, f, ts)),"
            f" w AS (SELECT k.tenant, k.customer_id, u.f, u.ts FROM u JOIN customers k"
            "  ON k.tenant = u.t AND k.customer_id = u.c"
            f"  CROSS JOIN LATERAL (SELECT array_agg(h.category_code) AS held FROM statuses h"
            "   WHERE h.tenant = u.t AND h.customer_id = u.c) x"
            "  WHERE NOT k.erased AND NOT (u.f ? 'marketing_opt_in' AND"
            "   (u.f->>'marketing_opt_in')::boolean IS DISTINCT FROM k.marketing_opt_in)"
            "  AND NOT (u.f ? 'marketing_objected' AND"
            "   (u.f->>'marketing_objected')::boolean IS DISTINCT FROM k.marketing_objected)"
            "  AND NOT EXISTS (SELECT 1 FROM unnest($4::text[], $5::text[]) AS d(t, category)"
            "   WHERE d.t = u.t AND NOT d.category = ANY(coalesce(x.held, '{}')))"
            "  ORDER BY k.tenant, k.customer_id FOR UPDATE OF k)"
            f" UPDATE customers k SET {', '.join(given)}, updated_at = now()"
            " FROM w WHERE k.tenant = w.tenant AND k.customer_id = w.customer_id"
            " RETURNING k.tenant, k.customer_id",
            [t for t, _ in keys],
            [c for _, c in keys],
            values,
            [t for t, _ in defaults],
            [c for _, c in defaults],
            times,
        )
        return set(keys) - {(r["tenant"], r["customer_id"]) for r in rows}
