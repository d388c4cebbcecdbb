"""The rules a category or status must keep with its siblings (SPEC §1).

Field-level limits (code patterns, colours, lengths, ranges) are in the contract models; these are
the rules that need more than one field or more than one row.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from cstatus.contracts.configuration import CategoryConfig, StatusConfig
from cstatus.status_config.domain.errors import ConfigError, conflict, invalid

__all__ = [
    "MAX_CATEGORIES",
    "MAX_STATUSES",
    "check_category",
    "check_etag",
    "check_rule_bounds",
    "check_status",
    "etag",
    "parse",
]

MAX_CATEGORIES = 200
MAX_STATUSES = 200


def check_category(
    category: CategoryConfig,
    others: Sequence[CategoryConfig],
    statuses: Sequence[StatusConfig] = (),
) -> None:
    """`others` are the tenant's other categories; `statuses` the category's own."""
    if any(c.code == category.code for c in others):
        raise conflict("code_taken", f"a category with code {category.code!r} exists", field="code")
    if len(others) >= MAX_CATEGORIES:
        raise conflict("limit_reached", f"a tenant has at most {MAX_CATEGORIES} categories")
    # Switching an automatic category to manual or external keeps its statuses' rules, inert
    # (the rules engine evaluates automatic categories only), and every customer's status
    # (SPEC §1 v2); switching back makes them work again.


def check_status(
    status: StatusConfig, category: CategoryConfig, siblings: Sequence[StatusConfig]
) -> None:
    """`siblings` are the other statuses of `category`."""
    if any(s.code == status.code for s in siblings):
        raise conflict(
            "code_taken", f"the category already has a status {status.code!r}", field="code"
        )
    if len(siblings) >= MAX_STATUSES:
        raise conflict("limit_reached", f"a category has at most {MAX_STATUSES} statuses")
    if status.is_default and any(s.is_default for s in siblings):
        raise invalid(
            "is_default",
            "the category already has a default status; unset it first",
            code="default_taken",
        )
    if status.is_default and status.archived:
        raise invalid("archived", "the default status cannot be archived", code="default_archived")
    if status.rule is not None and category.update_mode != "automatic":
        raise invalid(
            "rule",
            f"rules belong to automatic categories; this one is {category.update_mode}",
            code="rule_not_allowed",
        )


def check_rule_bounds(rule: dict[str, Any], *, prefix: str = "") -> None:
    """`min ≤ max` of a count rule, named by field (the contract would only say 'invalid')."""
    low, high = rule.get("min"), rule.get("max")
    if rule.get("type") == "count" and high is not None and low is not None and high < low:
        raise invalid(f"{prefix}max", "max must be at least min")


def _tags(header: str) -> list[str]:
    return [t.strip().removeprefix("W/") for t in header.split(",") if t.strip()]


def check_etag(if_match: str | None, current: str) -> None:
    """Optimistic concurrency: a write naming another version than `current` is stale (412)."""
    if if_match is None:
        return
    tags = _tags(if_match)
    if "*" in tags or current.removeprefix("W/") in tags:
        return
    raise ConfigError(
        412,
        "stale",
        f"the resource changed: its ETag is now {current}, not {if_match}",
        field="If-Match",
    )


def etag(version: int) -> str:
    """The ETag of a category or status: its row version, quoted."""
    return f'"{version}"'


ModelT = TypeVar("ModelT", bound=BaseModel)


def parse(model: type[ModelT], data: Mapping[str, Any]) -> ModelT:
    """`data` as `model`, or a 422 naming the first offending field."""
    try:
        return model.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "body"
        raise invalid(field, first["msg"]) from error
