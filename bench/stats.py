"""Percentiles of latency samples, in milliseconds."""

from __future__ import annotations

import math
from collections.abc import Sequence

__all__ = ["percentiles"]


def _rank(ordered: Sequence[float], q: float) -> float:
    """Nearest-rank percentile of sorted samples."""
    index = max(0, math.ceil(q / 100 * len(ordered)) - 1)
    return ordered[min(index, len(ordered) - 1)]


def percentiles(samples_ms: Sequence[float]) -> dict[str, float]:
    if not samples_ms:
        return {}
    ordered = sorted(samples_ms)
    return {
        "p50_ms": round(_rank(ordered, 50), 2),
        "p95_ms": round(_rank(ordered, 95), 2),
        "p99_ms": round(_rank(ordered, 99), 2),
        "max_ms": round(ordered[-1], 2),
        "mean_ms": round(sum(ordered) / len(ordered), 2),
    }
