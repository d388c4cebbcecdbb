"""Garbage-collection pauses are timed into a histogram an operator can read."""

from __future__ import annotations

import gc

import pytest

from cstatus.platform.ops_metrics import GcPauses

pytestmark = pytest.mark.unit


def _samples() -> dict[tuple[str, str], float]:
    (family,) = list(GcPauses().collect())
    return {
        (sample.name, sample.labels.get("le", "")): sample.value
        for sample in family.samples
        if sample.labels.get("generation") == "2"
    }


def test_a_full_collection_is_counted_once_with_its_duration() -> None:
    before = _samples().get(("cstatus_gc_pause_seconds_count", ""), 0.0)
    gc.collect()
    after = _samples()
    assert after[("cstatus_gc_pause_seconds_count", "")] == before + 1
    assert after[("cstatus_gc_pause_seconds_bucket", "+Inf")] == before + 1
    assert after[("cstatus_gc_pause_seconds_sum", "")] > 0


def test_the_hook_is_installed_once_however_many_collectors() -> None:
    GcPauses()
    GcPauses()
    assert gc.callbacks.count(GcPauses._on_gc) == 1
