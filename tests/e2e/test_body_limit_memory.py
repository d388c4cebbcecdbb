"""A huge unauthenticated body is refused (413) without the service process growing: the body
is never buffered (issue 12: measured on the running process's RSS, not assumed)."""

from __future__ import annotations

import os
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
TEN_MIB = 10 * 1024 * 1024


def _rss_kib(service: str) -> int | None:
    """VmRSS of the service process `deploy/local/services.sh` runs (None when it is not ours)."""
    child = ROOT / ".stack" / "services" / f"{service}.child"
    if not child.exists():
        return None
    status = Path(f"/proc/{child.read_text().strip()}/status")
    if not status.exists():
        return None
    line = next(x for x in status.read_text().splitlines() if x.startswith("VmRSS:"))
    return int(line.split()[1])


@pytest.mark.parametrize("service", ["status-config", "assignment", "rules-engine", "audit"])
def test_ten_mib_unauthenticated_is_refused_and_the_process_does_not_grow(
    service: str, services: dict[str, str]
) -> None:
    before = _rss_kib(service)
    if before is None:
        pytest.skip("the services were not started by deploy/local/services.sh here")
    method, path = {
        "status-config": ("PUT", "/v1/tenant"),
        "assignment": ("POST", "/v1/checks"),
        "rules-engine": ("POST", "/v1/sweeps"),
        "audit": ("POST", "/v1/changes"),  # no body route: refused before routing all the same
    }[service]
    with httpx.Client(timeout=60) as http:
        for _ in range(5):  # 50 MiB offered in all
            declared = http.request(
                method,
                services[service] + path,
                content=os.urandom(TEN_MIB),
                headers={"content-type": "application/json"},
            )
            assert declared.status_code == 413, declared.text[:200]
    after = _rss_kib(service)
    assert after is not None
    assert after - before < 4 * 1024, f"{service} grew {(after - before) / 1024:.1f} MiB"
