"""Resident memory of the service processes (pids from .stack/services/*.child, the processes the supervisor runs), sampled from
/proc while the bench loads them: the peak VmRSS seen, and the kernel's VmHWM (peak since start)."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.system import SERVICES

__all__ = ["MemorySampler"]


def _status_kib(pid: int) -> dict[str, int]:
    found: dict[str, int] = {}
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            name, _, rest = line.partition(":")
            if name in ("VmRSS", "VmHWM"):
                found[name] = int(rest.split()[0])
    return found


def _pid(path: Path) -> int | None:
    with contextlib.suppress(OSError, ValueError):
        return int(path.read_text().strip())
    return None


@dataclass(slots=True)
class MemorySampler:
    pid_files: dict[str, Path]
    interval_s: float = 0.5
    peak_rss_kib: dict[str, int] = field(default_factory=dict)
    hwm_kib: dict[str, int] = field(default_factory=dict)

    def sample(self) -> None:
        for name, path in self.pid_files.items():
            pid = _pid(path)
            if pid is None:
                continue
            found = _status_kib(pid)
            if "VmRSS" in found:
                self.peak_rss_kib[name] = max(self.peak_rss_kib.get(name, 0), found["VmRSS"])
            if "VmHWM" in found:
                self.hwm_kib[name] = found["VmHWM"]

    def current_mib(self) -> dict[str, float]:
        """Each service's VmRSS now (MiB), not the peak."""
        found: dict[str, float] = {}
        for name, path in self.pid_files.items():
            pid = _pid(path)
            rss = _status_kib(pid).get("VmRSS") if pid is not None else None
            if rss is not None:
                found[name] = round(rss / 1024, 1)
        return dict(sorted(found.items()))

    async def run(self) -> None:
        """Sample until cancelled."""
        while True:
            self.sample()
            await asyncio.sleep(self.interval_s)

    def figures(self) -> dict[str, dict[str, Any]]:
        """Per process; and per service of several processes (`rules-engine-2` is one of
        `rules-engine`'s) its largest, with each process's figure under `processes`."""
        each = {
            name: {
                "rss_mib": round(self.peak_rss_kib[name] / 1024, 1),
                "vm_hwm_mib": round(self.hwm_kib.get(name, 0) / 1024, 1),
            }
            for name in sorted(self.peak_rss_kib)
        }
        found: dict[str, dict[str, Any]] = {}
        for service in SERVICES:
            mine = {n: f for n, f in each.items() if n == service or n.startswith(service + "-")}
            if not mine:
                continue
            largest = max(mine.values(), key=lambda f: f["rss_mib"])
            found[service] = dict(largest) | ({"processes": mine} if len(mine) > 1 else {})
        return found
