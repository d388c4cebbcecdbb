"""Write (or, with --check, compare) the committed API documents of the four services:
`docs/api/<service>.asyncapi.json` (the topics each consumes and publishes, AsyncAPI 3) and
`docs/api/<service>.openapi.json` (its HTTP API). They are what the running services serve at
`/asyncapi.json` and `/openapi.json`; a test fails when the code and these files drift apart.

    .venv/bin/python docs/api/generate.py           # write (also part of `make schemas`)
    .venv/bin/python docs/api/generate.py --check   # exit 1 naming what drifted
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute

HERE = Path(__file__).resolve().parent


def _apps() -> dict[str, Callable[[], FastAPI]]:
    os.environ.setdefault("CSTATUS_ENV", "development")  # building an app connects nothing
    from cstatus.assignment.bootstrap import create_app as assignment
    from cstatus.assignment.settings import AssignmentSettings
    from cstatus.audit.bootstrap import create_app as audit
    from cstatus.audit.settings import AuditSettings
    from cstatus.rules_engine.bootstrap import create_app as rules_engine
    from cstatus.rules_engine.settings import RulesEngineSettings
    from cstatus.status_config.bootstrap import create_app as status_config
    from cstatus.status_config.settings import StatusConfigSettings

    return {
        "status-config": lambda: status_config(StatusConfigSettings()),
        "assignment": lambda: assignment(AssignmentSettings()),
        "rules-engine": lambda: rules_engine(RulesEngineSettings()),
        "audit": lambda: audit(AuditSettings()),
    }


def _asyncapi(app: FastAPI) -> Any:
    route = next(r for r in app.routes if isinstance(r, APIRoute) and r.path == "/asyncapi.json")
    return asyncio.run(route.endpoint())


def documents() -> dict[str, str]:
    found: dict[str, str] = {}
    for name, build in _apps().items():
        app = build()
        for kind, doc in (("asyncapi", _asyncapi(app)), ("openapi", app.openapi())):
            found[f"{name}.{kind}.json"] = json.dumps(doc, indent=2, sort_keys=True) + "\n"
    return found


def drift(folder: Path = HERE) -> list[str]:
    """What differs between the code's documents and the committed ones."""
    wanted = documents()
    problems = [
        f"drifted: {n}" for n, text in wanted.items()
        if not (folder / n).exists() or (folder / n).read_text(encoding="utf-8") != text
    ]  # fmt: skip
    problems += [f"extra: {p.name}" for p in folder.glob("*.json") if p.name not in wanted]
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    args = parser.parse_args(argv)
    if args.check:
        problems = drift()
        for p in problems:
            print(p, file=sys.stderr)
        if problems:
            print("run: .venv/bin/python docs/api/generate.py", file=sys.stderr)
        return 1 if problems else 0
    written = 0
    for name, text in documents().items():
        path = HERE / name
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            written += 1
    print(f"{HERE}: {written} API documents written")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
