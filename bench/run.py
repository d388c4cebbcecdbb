"""`make bench`: the SPEC §3 measurements against the running system (`make up`).

.venv/bin/python bench/run.py [--quick] [--only pipeline,latency,checks,sweep] [--customers N]
"""

from __future__ import annotations

import sys
from pathlib import Path


def main() -> int:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # `bench` as a package
    from bench.cli import main as run

    return run()


if __name__ == "__main__":
    sys.exit(main())
