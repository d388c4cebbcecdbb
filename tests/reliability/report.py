"""The readable table of a reliability run and its JSON report under tests/reliability/results/."""

from __future__ import annotations

import json
import platform
import time
from pathlib import Path
from typing import Any

from scenario import Outcome

__all__ = ["RESULTS", "table", "write"]

RESULTS = Path(__file__).resolve().parent / "results"
COLUMNS = (
    "scenario",
    "events",
    "faults",
    "lost",
    "applied_twice",
    "mismatches",
    "valid_dlq",
    "poison_wrong",
    "dead_letters",
    "dup_records",
    "recovery_s_max",
)


def table(outcomes: list[Outcome]) -> str:
    rows = [o.row() for o in outcomes]
    widths = {c: max(len(c), *(len(str(r[c])) for r in rows)) for c in COLUMNS}

    def line(r: dict[str, Any]) -> str:
        return " | ".join(str(r[c]).ljust(widths[c]) for c in COLUMNS)

    out = [line({c: c for c in COLUMNS}), "-+-".join("-" * widths[c] for c in COLUMNS)]
    out += [line(r) for r in rows]
    for o in outcomes:
        for f in o.faults:
            out.append(
                f"  {o.scenario}: {f['fault']} at {f['at']:.0%}: ready again after "
                f"{f.get('recovery_s', '?')} s"
            )
        for example in o.findings.summary()["examples"]:
            out.append(f"  {o.scenario}: {example}")
    return "\n".join(out)


def write(outcomes: list[Outcome], name: str) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    report: dict[str, Any] = {
        "finished_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": {"cpus": __import__("os").cpu_count(), "python": platform.python_version()},
        "scenarios": [
            {
                **o.row(),
                "steps": o.steps,
                "played_s": o.played_s,
                "drained_s": o.drained_s,
                "restarts": o.restarts,
                "faults_struck": o.faults,
                "findings": o.findings.summary(),
                **o.extra,
            }
            for o in outcomes
        ],
    }
    path.write_text(json.dumps(report, indent=2) + "\n")
    return path
