"""Bounded caches are reported on /metrics with their size and capacity; an unbounded
`lru_cache` is refused."""

from __future__ import annotations

from functools import cache, lru_cache

import pytest
from prometheus_client import CollectorRegistry

from cstatus.platform import caches

pytestmark = pytest.mark.unit


def test_a_cache_reports_its_entries_and_capacity() -> None:
    @lru_cache(maxsize=8)
    def square(n: int) -> int:
        return n * n

    held: dict[str, int] = {"a": 1}
    caches.register("test_dict", lambda: len(held), 100)
    caches.register_lru("test_lru", square)
    for n in range(3):
        square(n)
    registry = CollectorRegistry()
    registry.register(caches.CacheCollector())
    value = registry.get_sample_value
    assert value("cstatus_cache_entries", {"cache": "test_lru"}) == 3
    assert value("cstatus_cache_capacity", {"cache": "test_lru"}) == 8
    held["b"] = 2
    assert value("cstatus_cache_entries", {"cache": "test_dict"}) == 2
    assert value("cstatus_cache_capacity", {"cache": "test_dict"}) == 100


def test_an_unbounded_lru_cache_is_refused() -> None:
    @cache
    def anything(n: int) -> int:
        return n

    with pytest.raises(ValueError, match="unbounded"):
        caches.register_lru("test_unbounded", anything)
