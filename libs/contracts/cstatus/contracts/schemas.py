"""Generate the JSON Schemas of every message into `schemas/`, or check they are current.

    python -m cstatus.contracts.schemas [--check] [--out DIR]

One file per CloudEvents `type` (`reservation.booked.json` is `CloudEvent[ReservationBooked]`),
pretty-printed with sorted keys, so the output is byte-for-byte deterministic.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from cstatus.contracts.envelope import envelope_for
from cstatus.contracts.registry import EVENT_TYPES

__all__ = [
    "check_schemas",
    "event_schema",
    "find_repo_root",
    "main",
    "render_schemas",
    "write_schemas",
]

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def render_schemas() -> dict[str, str]:
    """File name -> file content of every message schema."""
    return {
        f"{event_type}.json": _render(event_type, envelope_for(model).model_json_schema())
        for event_type, model in sorted(EVENT_TYPES.items())
    }


def write_schemas(out_dir: Path) -> list[str]:
    """Write every schema into `out_dir`, removing stale `*.json`; return the changed names."""
    out_dir.mkdir(parents=True, exist_ok=True)
    wanted = render_schemas()
    changed = check_schemas(out_dir, wanted)
    for name, content in wanted.items():
        (out_dir / name).write_text(content, encoding="utf-8")
    for path in out_dir.glob("*.json"):
        if path.name not in wanted:
            path.unlink()
    return changed


def check_schemas(out_dir: Path, wanted: Mapping[str, str] | None = None) -> list[str]:
    """The problems of `out_dir` against the code: drifted, missing and extra files."""
    expected = render_schemas() if wanted is None else wanted
    present = {p.name for p in out_dir.glob("*.json")} if out_dir.is_dir() else set()
    problems = [f"extra: {name}" for name in sorted(present - expected.keys())]
    for name, content in expected.items():
        if name not in present:
            problems.append(f"missing: {name}")
        elif (out_dir / name).read_text(encoding="utf-8") != content:
            problems.append(f"drifted: {name}")
    return sorted(problems)


def find_repo_root(start: Path) -> Path | None:
    """The nearest directory at or above `start` that holds `constraints.txt`."""
    for directory in (start, *start.parents):
        if (directory / "constraints.txt").is_file():
            return directory
    return None


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the exit status (1 if `--check` finds problems)."""
    parser = argparse.ArgumentParser(prog="python -m cstatus.contracts.schemas")
    parser.add_argument("--check", action="store_true", help="report drift, write nothing")
    parser.add_argument("--out", type=Path, help="output directory (default: <repo>/schemas)")
    args = parser.parse_args(argv)
    out_dir: Path | None = args.out
    if out_dir is None:
        root = find_repo_root(Path(__file__).resolve().parent) or find_repo_root(Path.cwd())
        if root is None:
            parser.error("cannot find the repository root (constraints.txt); pass --out")
        out_dir = root / "schemas"
    if args.check:
        problems = check_schemas(out_dir)
        for problem in problems:
            print(problem, file=sys.stderr)
        if problems:
            print(f"{out_dir} is out of date: run `make schemas`", file=sys.stderr)
        return 1 if problems else 0
    changed = write_schemas(out_dir)
    print(f"{out_dir}: {len(changed)} schema files changed")
    return 0


def event_schema(event_type: str) -> dict[str, Any]:
    """The JSON Schema of one message type: its envelope and data, with `type` as a constant."""
    schema = envelope_for(EVENT_TYPES[event_type]).model_json_schema()
    schema["properties"]["type"] = {"const": event_type, "title": "Type", "type": "string"}
    schema["$schema"] = JSON_SCHEMA_DIALECT
    schema["$id"] = f"{event_type}.json"
    return schema


def _render(event_type: str, schema: dict[str, Any]) -> str:
    schema = event_schema(event_type)
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    sys.exit(main())
