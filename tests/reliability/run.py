"""`make reliability`: every scenario of the matrix, a table, and results/full.json.

    python tests/reliability/run.py [--only NAME-SUBSTRING] [--smoke]

Exits 1 when any scenario lost, doubled or mismatched anything, or dead-lettered a valid event.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from matrix import FULL, SMOKE
from report import table, write
from scenario import Outcome, run_scenario

ROOT = Path(__file__).resolve().parents[2]


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", help="run the scenarios whose name contains this")
    parser.add_argument("--smoke", action="store_true", help="run the smoke scenario only")
    args = parser.parse_args()
    scenarios = (SMOKE,) if args.smoke else FULL
    if args.only:
        scenarios = tuple(s for s in scenarios if args.only in s.name)
    outcomes: list[Outcome] = []
    for scenario in scenarios:
        outcomes.append(
            await run_scenario(
                scenario,
                kafka=os.environ.get("CSTATUS_KAFKA_BOOTSTRAP", "127.0.0.1:9092"),
                pg_dsn=os.environ.get(
                    "CSTATUS_PG_DSN", "postgresql://cstatus:cstatus@127.0.0.1:5432/cstatus"
                ),
                redis_url=os.environ.get("CSTATUS_REDIS_URL", "redis://127.0.0.1:6379/0"),
                log_dir=ROOT / ".stack/logs/reliability",
            )
        )
        print(table(outcomes[-1:]), flush=True)
    print("\n" + table(outcomes))
    path = write(outcomes, "smoke" if args.smoke else "full")
    print(f"report: {path}")
    return 0 if all(o.findings.ok for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
