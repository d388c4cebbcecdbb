"""Translates the published tenant configuration (contracts) into the domain's `TenantRules`."""

from __future__ import annotations

from functools import lru_cache
from types import MappingProxyType

from cstatus.contracts import configuration as wire
from cstatus.rules_engine.domain.model import (
    Category,
    CountRule,
    FirstActivityRule,
    InactivityRule,
    Rule,
    Status,
    VelocityRule,
)
from cstatus.rules_engine.domain.tenant import OUTLIER_STATES, TenantRules

__all__ = ["rules_from_document", "tenant_rules"]


def _rule(rule: wire.Rule | None) -> Rule | None:
    if rule is None:
        return None
    if isinstance(rule, wire.CountRule):
        return CountRule(rule.metric, rule.min, rule.max, rule.window_days)
    if isinstance(rule, wire.FirstActivityRule):
        return FirstActivityRule(frozenset(rule.triggers))
    if isinstance(rule, wire.InactivityRule):
        return InactivityRule(rule.days)
    return VelocityRule(rule.metric, rule.threshold, rule.window_minutes)


def _category(category: wire.CategoryConfig) -> Category:
    statuses = tuple(
        Status(
            s.code,
            priority=s.priority,
            is_default=s.is_default,
            sticky=s.sticky or s.system_state == "fraud_suspected",
            archived=s.archived,
            rule=_rule(s.rule),
        )
        for s in category.statuses
    )
    return Category(category.code, statuses, category.update_mode)


def tenant_rules(version: int, config: wire.TenantConfiguration) -> TenantRules:
    """Automatic, non-archived categories become domain categories; every status that makes
    transactions outliers (its property, or a suspended / fraud_suspected system state) is noted."""
    live = [c for c in config.categories if not c.archived]
    outliers: dict[tuple[str, str], str] = {}
    for category in live:
        for status in category.statuses:
            if status.properties.transactions_are_outliers:
                outliers[(category.code, status.code)] = "transactions_are_outliers"
            elif status.system_state in OUTLIER_STATES:
                outliers[(category.code, status.code)] = f"system state {status.system_state}"
    return TenantRules(
        version,
        tuple(_category(c) for c in live if c.update_mode == "automatic"),
        MappingProxyType(outliers),
    )


@lru_cache(maxsize=512)
def _cached(version: int, document: str) -> TenantRules:
    return tenant_rules(version, wire.TenantConfiguration.model_validate_json(document))


def rules_from_document(version: int, document: str) -> TenantRules:
    """`tenant_rules` of a stored JSON document, parsed once per distinct document."""
    return _cached(version, document)
