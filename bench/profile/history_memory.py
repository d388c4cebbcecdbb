"""Heap cost of one batch's reading of customers' histories, whole vs visible (issue 19): a
tracemalloc snapshot of what `load_activity` + `fold` (the old decision path) and `load_visible`
(the new one) allocate for the same customers of an existing tenant, e.g. a soak tenant.

    .venv/bin/python bench/profile/history_memory.py soak-<run id> [--customers 2000]

Read-only: it only selects from the rules engine's schema.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
import tracemalloc
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import asyncpg

from cstatus.rules_engine.adapters.activity_store import load_activity, load_visible
from cstatus.rules_engine.adapters.views import load_holdings, load_rules
from cstatus.rules_engine.domain.evaluate import rules_read
from cstatus.rules_engine.domain.facts import fold
from cstatus.rules_engine.domain.model import Current, Rule
from cstatus.rules_engine.domain.sight import sight_of_rules


async def _measured(what: str, work: Callable[[], Awaitable[Any]]) -> Any:
    tracemalloc.start()
    started = time.perf_counter()
    kept = await work()
    seconds = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    held = tracemalloc.take_snapshot().statistics("filename")
    tracemalloc.stop()
    top = ", ".join(
        f"{s.traceback[0].filename.rsplit('/', 1)[-1]} {s.size / 2**20:.1f}" for s in held[:3]
    )
    print(f"{what:<34} peak {peak / 2**20:7.1f} MiB  in {seconds:6.2f} s  (largest: {top} MiB)")
    return kept


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("tenant")
    parser.add_argument("--customers", type=int, default=2_000)
    args = parser.parse_args()
    dsn = os.environ.get("CSTATUS_PG_DSN", "postgresql://cstatus:cstatus@127.0.0.1:5432/cstatus")
    conn = await asyncpg.connect(dsn, server_settings={"search_path": "rules, public"})
    try:
        customers = [
            r[0]
            for r in await conn.fetch(
                "SELECT customer FROM customers WHERE tenant = $1 ORDER BY customer LIMIT $2",
                args.tenant,
                args.customers,
            )
        ]
        events = await conn.fetchval(
            "SELECT count(*) FROM activity WHERE tenant = $1 AND customer = ANY($2)",
            args.tenant,
            customers,
        )
        print(
            f"{args.tenant}: {len(customers)} customers, {events} events ({events / max(1, len(customers)):.0f} each)"
        )
        rules = (await load_rules(conn, [args.tenant]))[args.tenant]
        holdings = await load_holdings(conn, args.tenant, customers)
        now = datetime.now(UTC)
        read: list[Rule] = []
        for customer in customers:
            held = holdings.get(customer, {})
            for category in rules.categories:
                mine = held.get(category.code)
                read.extend(rules_read(category, mine.current if mine else Current(None), now))
        sight = sight_of_rules(read, now)

        async def whole() -> Any:
            found = await load_activity(conn, args.tenant, customers)
            return {c: fold(found.get(c, ())) for c in customers}

        async def visible() -> Any:
            return await load_visible(conn, args.tenant, customers, sight)

        await _measured("whole histories (load + fold)", whole)
        await _measured("visible part (load_visible)", visible)
    finally:
        await conn.close()


if __name__ == "__main__":
    asyncio.run(main())
