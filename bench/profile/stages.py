"""Wall time spent in named async functions of the rules engine's consume path (a profiling aid:
await time is invisible to sampling profilers). `instrument()` wraps them in place; `report()`
prints calls, total and mean per function."""

from __future__ import annotations

import functools
import importlib
import inspect
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

__all__ = ["instrument", "report", "reset"]

TARGETS = (
    ("cstatus.platform.kafka.consumer", "ReliableBatchConsumer.__call__"),
    ("cstatus.platform.kafka.transactional", "claim_many"),
    ("cstatus.platform.kafka.transactional", "decode_record"),
    ("cstatus.rules_engine.service.ingest", "ingest"),
    ("cstatus.rules_engine.service.ingest", "_flag_outliers"),
    ("cstatus.rules_engine.service.ingest", "decide"),
    ("cstatus.rules_engine.adapters.ingest_store", "PostgresIngestStore.rules"),
    ("cstatus.rules_engine.adapters.ingest_store", "PostgresIngestStore.store_configs"),
    ("cstatus.rules_engine.adapters.ingest_store", "PostgresIngestStore.record_customers"),
    ("cstatus.rules_engine.adapters.ingest_store", "PostgresIngestStore.record_activity"),
    ("cstatus.rules_engine.adapters.ingest_store", "PostgresIngestStore.record_changes"),
    ("cstatus.rules_engine.adapters.ingest_store", "PostgresIngestStore.marked_holdings"),
    ("cstatus.rules_engine.adapters.decision_store", "PostgresDecisionStore.activity"),
    ("cstatus.rules_engine.adapters.decision_store", "PostgresDecisionStore.visible"),
    ("cstatus.rules_engine.adapters.decision_store", "PostgresDecisionStore.holdings"),
    ("cstatus.rules_engine.adapters.decision_store", "PostgresDecisionStore.claim_proposals"),
    ("cstatus.rules_engine.adapters.decision_store", "PostgresDecisionStore.publish"),
    ("cstatus.rules_engine.service.decide", "fold"),
    ("cstatus.rules_engine.service.decide", "evaluate"),
    ("asyncpg.transaction", "Transaction.__aexit__"),
    ("asyncpg.transaction", "Transaction.__aenter__"),
)

_spent: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])


def _timed(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    if hasattr(fn, "__wrapped_by_stages__"):
        return fn
    if inspect.iscoroutinefunction(fn):

        @functools.wraps(fn)
        async def wrapper(*args: Any, **kwargs: Any) -> Any:
            began = time.perf_counter()
            try:
                return await fn(*args, **kwargs)
            finally:
                entry = _spent[name]
                entry[0] += 1
                entry[1] += time.perf_counter() - began

    else:

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:  # type: ignore[misc]
            began = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                entry = _spent[name]
                entry[0] += 1
                entry[1] += time.perf_counter() - began

    wrapper.__wrapped_by_stages__ = True  # type: ignore[attr-defined]
    return wrapper


def instrument() -> None:
    for module_name, path in TARGETS:
        module = importlib.import_module(module_name)
        owner: Any = module
        *parents, attr = path.split(".")
        for parent in parents:
            owner = getattr(owner, parent)
        if hasattr(owner, attr):
            setattr(
                owner,
                attr,
                _timed(f"{module_name.rsplit('.', 1)[-1]}.{path}", getattr(owner, attr)),
            )


def reset() -> None:
    _spent.clear()


def report() -> None:
    for name, (calls, seconds) in sorted(_spent.items(), key=lambda kv: -kv[1][1]):
        print(
            f"  {seconds:8.3f}s {int(calls):7d} calls {1000 * seconds / max(calls, 1):8.2f} ms  {name}"
        )
