"""Every bounded in-process cache of a service, with its size and capacity on `/metrics`
(`cstatus_cache_entries{cache}`, `cstatus_cache_capacity{cache}`): memory that grows with
traffic is bounded by an explicit size and visible (issue 19)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import _lru_cache_wrapper
from typing import Any

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

__all__ = ["CacheCollector", "register", "register_lru"]

_CACHES: dict[str, tuple[Callable[[], int], int]] = {}


def register(name: str, size: Callable[[], int], capacity: int) -> None:
    """Report the cache `name` (its current number of entries, and the most it keeps)."""
    _CACHES[name] = (size, capacity)


def register_lru(name: str, cached: _lru_cache_wrapper[Any]) -> None:
    """Report a `functools.lru_cache` with a `maxsize`."""
    maxsize = cached.cache_info().maxsize
    if maxsize is None:
        raise ValueError(f"cache {name} is unbounded: give it a maxsize")
    register(name, lambda: cached.cache_info().currsize, maxsize)


class CacheCollector(Collector):
    def collect(self) -> Iterator[GaugeMetricFamily]:
        entries = GaugeMetricFamily(
            "cstatus_cache_entries", "entries held by a bounded in-process cache", labels=["cache"]
        )
        capacity = GaugeMetricFamily(
            "cstatus_cache_capacity", "the most entries a cache keeps", labels=["cache"]
        )
        for name, (size, most) in sorted(_CACHES.items()):
            entries.add_metric([name], size())
            capacity.add_metric([name], most)
        yield entries
        yield capacity
