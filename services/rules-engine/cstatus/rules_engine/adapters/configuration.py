"""Translates the published tenant configuration (contracts) into the domain's `TenantRules`."""

from __future__ import annotations

from collections import OrderedDict
from types import MappingProxyType

from cstatus.contracts import configuration as wire
from cstatus.contracts.system_states import meaning
from cstatus.platform import caches
from cstatus.rules_engine.domain.model import (
    IMMEDIATE,
    Category,
    CountRule,
    Downgrade,
    FirstActivityRule,
    InactivityRule,
    Rule,
    Status,
    VelocityRule,
)
from cstatus.rules_engine.domain.tenant import OUTLIER_STATES, TenantRules

__all__ = ["RULES", "RulesCache", "rules_from_document", "tenant_rules"]


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
            sticky=s.sticky or meaning(s.system_state).sticky,
            archived=s.archived,
            rule=_rule(s.rule),
        )
        for s in category.statuses
    )
    policy = category.downgrade_policy
    downgrade = (
        IMMEDIATE
        if policy is None
        else Downgrade(policy.mode, policy.grace_days, policy.period, policy.warn_days)
    )
    return Category(category.code, statuses, category.update_mode, downgrade)


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


def rules_from_document(version: int, document: str) -> TenantRules:
    """`tenant_rules` of a stored JSON document."""
    return tenant_rules(version, wire.TenantConfiguration.model_validate_json(document))


class RulesCache:
    """The rules of the most recently used (`schema.tenant`, version)s, at most `size` of them: a
    batch reads only the tenants' versions and parses a document only when its version is new
    here (documents can be large; the rules they give are small). The schema is part of the key,
    as tests run engines of several schemas in one process."""

    def __init__(self, size: int = 1024) -> None:
        self.size = size
        self._rules: OrderedDict[tuple[str, int], TenantRules] = OrderedDict()

    def __len__(self) -> int:
        return len(self._rules)

    def get(self, tenant: str, version: int) -> TenantRules | None:
        found = self._rules.get((tenant, version))
        if found is not None:
            self._rules.move_to_end((tenant, version))
        return found

    def put(self, tenant: str, version: int, rules: TenantRules) -> None:
        self._rules[(tenant, version)] = rules
        self._rules.move_to_end((tenant, version))
        while len(self._rules) > self.size:
            self._rules.popitem(last=False)


RULES = RulesCache()
caches.register("tenant_rules", lambda: len(RULES), RULES.size)
