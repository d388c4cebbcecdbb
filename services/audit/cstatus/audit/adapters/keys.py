"""Per-customer keys (crypto-shredding) and per-tenant digest secrets, in PostgreSQL.

A customer's key is created the first time something personal about them is written. Erasure
replaces the key with NULL and stamps `erased_at`; from then on nothing is sealed for that
customer again and what was sealed can no longer be opened. The row upsert serialises erasure
against a concurrent first write of a key (both touch the same primary key).

PostgreSQL keeps an overwritten key in the dead row version until VACUUM reclaims it (and in WAL
and backups until they age out); the README says how long that can be.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from datetime import datetime

import asyncpg

from cstatus.audit.adapters.cipher import new_key

__all__ = ["CustomerRef", "erase_customer", "key_state", "keys_for_writing", "tenant_secrets"]

CustomerRef = tuple[str, str]
"""(tenant, customer_id)"""


async def keys_for_writing(
    conn: asyncpg.Connection, customers: Iterable[CustomerRef]
) -> dict[CustomerRef, bytes | None]:
    """The key of each customer, created if missing; None for an erased customer.

    Rows are locked in sorted order so concurrent batches cannot deadlock on each other."""
    refs = sorted(set(customers))
    if not refs:
        return {}
    tenants, ids = [t for t, _ in refs], [c for _, c in refs]
    await conn.execute(
        "INSERT INTO customer_keys (tenant, customer_id, key)"
        " SELECT t, c, k FROM unnest($1::text[], $2::text[], $3::bytea[]) AS u(t, c, k)"
        " ON CONFLICT DO NOTHING",
        tenants,
        ids,
        [new_key() for _ in refs],
    )
    rows = await conn.fetch(
        "SELECT k.tenant, k.customer_id, k.key FROM customer_keys k"
        " JOIN unnest($1::text[], $2::text[]) AS u(t, c) ON k.tenant = u.t AND k.customer_id = u.c",
        tenants,
        ids,
    )
    return {(r["tenant"], r["customer_id"]): r["key"] for r in rows}


async def tenant_secrets(conn: asyncpg.Connection, tenants: Iterable[str]) -> dict[str, bytes]:
    """Each tenant's digest secret, created if missing."""
    wanted = sorted(set(tenants))
    if not wanted:
        return {}
    await conn.execute(
        "INSERT INTO tenant_secrets (tenant, secret)"
        " SELECT t, s FROM unnest($1::text[], $2::bytea[]) AS u(t, s) ON CONFLICT DO NOTHING",
        wanted,
        [os.urandom(32) for _ in wanted],
    )
    rows = await conn.fetch(
        "SELECT tenant, secret FROM tenant_secrets WHERE tenant = ANY($1::text[])", wanted
    )
    return {r["tenant"]: r["secret"] for r in rows}


async def erase_customer(
    conn: asyncpg.Connection, tenant: str, customer: str, *, erasure_id: str, at: datetime
) -> None:
    """Shred the customer's key; the first erasure's id and time are kept."""
    await conn.execute(
        "INSERT INTO customer_keys (tenant, customer_id, key, erased_at, erasure_id)"
        " VALUES ($1, $2, NULL, $3, $4)"
        " ON CONFLICT (tenant, customer_id) DO UPDATE SET key = NULL,"
        " erased_at = COALESCE(customer_keys.erased_at, EXCLUDED.erased_at),"
        " erasure_id = COALESCE(customer_keys.erasure_id, EXCLUDED.erasure_id)",
        tenant,
        customer,
        at,
        erasure_id,
    )


async def key_state(
    conn: asyncpg.Connection, tenant: str, customer: str
) -> tuple[bool, datetime | None]:
    """(whether the customer is known here, when they were erased)."""
    row = await conn.fetchrow(
        "SELECT erased_at FROM customer_keys WHERE tenant = $1 AND customer_id = $2",
        tenant,
        customer,
    )
    return (row is not None, row["erased_at"] if row is not None else None)
