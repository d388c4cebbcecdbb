"""What one configuration version changed against the one before it.

The history keeps each version's whole document; the difference is computed when it is read,
per object (the tenant's default language, each category without its statuses, each status),
so an entry says exactly which rule, status or category changed and how.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["ObjectChange", "changes_between"]

ObjectChange = dict[str, Any]
"""`{"kind": "tenant" | "category" | "status", "id", "code", "category_code"?, "before", "after"}`:
`before` is `None` for an object the version added, `after` is `None` for one it removed."""


def _objects(document: Mapping[str, Any] | None) -> dict[tuple[str, str], dict[str, Any]]:
    """Every object of a document by (kind, id), a category without its statuses."""
    if document is None:
        return {}
    found: dict[tuple[str, str], dict[str, Any]] = {
        ("tenant", "tenant"): {"default_language": document.get("default_language")}
    }
    for category in document.get("categories", ()):
        found["category", category["id"]] = {k: v for k, v in category.items() if k != "statuses"}
        for status in category.get("statuses", ()):
            found["status", status["id"]] = {**status, "category_code": category["code"]}
    return found


def changes_between(
    before: Mapping[str, Any] | None, after: Mapping[str, Any]
) -> list[ObjectChange]:
    """The objects that differ, in the order of `after` (removed ones last)."""
    old, new = _objects(before), _objects(after)
    changes: list[ObjectChange] = []
    for key in [*new, *(k for k in old if k not in new)]:
        was, now = old.get(key), new.get(key)
        if was == now:
            continue
        kind, ident = key
        shown = now or was or {}
        change: ObjectChange = {
            "kind": kind,
            "id": ident,
            "code": shown.get("code"),
            "category_code": shown.get("category_code"),
        }
        if kind == "status":
            was = None if was is None else {k: v for k, v in was.items() if k != "category_code"}
            now = None if now is None else {k: v for k, v in now.items() if k != "category_code"}
        change["before"], change["after"] = was, now
        changes.append(change)
    return changes
