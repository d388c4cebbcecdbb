"""The clock is injected everywhere (STYLE.md, issue 17): a service reads the time only through
the `clock` its `bootstrap.py` builds (tests travel in time by giving another one), so no module
of a service but `bootstrap.py` calls `datetime.now`, `datetime.utcnow` or `time.time`."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

SERVICES = Path(__file__).resolve().parents[3] / "services"
READS_THE_TIME = {("datetime", "now"), ("datetime", "utcnow"), ("date", "today"), ("time", "time")}


def _time_reads(path: Path) -> list[int]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and (node.func.value.id, node.func.attr) in READS_THE_TIME
        ):
            found.append(node.lineno)
    return found


def test_only_bootstrap_reads_the_time() -> None:
    modules = [p for p in SERVICES.glob("*/cstatus/*/**/*.py") if p.name != "bootstrap.py"]
    assert len(modules) > 100  # the scan sees the services' code
    hits = [f"{p.relative_to(SERVICES)}:{n}" for p in modules for n in _time_reads(p)]
    assert hits == []


def test_the_scan_finds_a_time_read(tmp_path: Path) -> None:
    module = tmp_path / "routes.py"
    module.write_text(
        "from datetime import UTC, datetime\nimport time\n\n"
        "def now():\n    return datetime.now(UTC), time.time(), datetime.fromisoformat('x')\n"
    )
    assert _time_reads(module) == [5, 5]
