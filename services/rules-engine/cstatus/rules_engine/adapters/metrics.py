"""The rules engine's own Prometheus metrics, on the service registry that `/metrics` serves."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge

__all__ = ["ReevaluationMetrics"]


class ReevaluationMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.reevaluated = Counter(
            "cstatus_rules_reevaluated_customers",
            "customers re-evaluated after configuration changes",
            registry=registry,
        )
        self.pending = Gauge(
            "cstatus_rules_reevaluation_pending_customers",
            "customers still to re-evaluate in pending configuration-change jobs",
            registry=registry,
        )
