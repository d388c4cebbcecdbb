"""Profile a preview (SPEC 1.9) of gold needing one reservation more, in process, over a tenant
already in the rules engine's schema (a sweep tenant kept by
`bench/run.py --only sweep --keep-sweep-tenant`), with cProfile: where its time goes.

    .venv/bin/python bench/profile/preview.py bench-sweep-<run id> [--top 30] [--no-profile]
        [--processes 2]
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import argparse
import asyncio
import cProfile
import pstats
import time
from datetime import UTC, datetime

import asyncpg

from bench.system import GOLD_MIN, LOYALTY_WINDOW_DAYS
from cstatus.platform.settings import PostgresSettings
from cstatus.rules_engine.service.preview import Parallel, preview


async def _run(tenant: str, processes: int) -> tuple[float, int]:
    dsn = PostgresSettings().dsn
    conn = await asyncpg.connect(dsn, server_settings={"search_path": "rules,public"})
    rule = {
        "type": "count",
        "metric": "reservations",
        "min": GOLD_MIN + 1,
        "window_days": LOYALTY_WINDOW_DAYS,
    }
    now = datetime.now(UTC)
    began = time.monotonic()
    try:
        async with conn.transaction(isolation="repeatable_read", readonly=True):
            found = await preview(
                conn,
                tenant,
                as_of=now.date(),
                now=now,
                rule={"category_code": "loyalty", "status_code": "gold", "rule": rule},
                parallel=Parallel(dsn, "rules", processes, split_at=1),
            )
    finally:
        await conn.close()
    return time.monotonic() - began, found.tally.customers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tenant")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--no-profile", action="store_true")
    parser.add_argument(
        "--processes",
        type=int,
        default=1,
        help="split over this many processes (profiles only this one)",
    )
    args = parser.parse_args()
    if args.no_profile:
        seconds, customers = asyncio.run(_run(args.tenant, args.processes))
    else:
        profile = cProfile.Profile()
        profile.enable()
        seconds, customers = asyncio.run(_run(args.tenant, args.processes))
        profile.disable()
        stats = pstats.Stats(profile)
        stats.sort_stats("tottime").print_stats(args.top)
    print(f"preview {args.tenant}: {customers:,} customers in {seconds:.1f} s")


if __name__ == "__main__":
    main()
