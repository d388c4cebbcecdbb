"""Names of a tenant's categories and statuses in every language it translates them to.

Change events carry the default-language name as it was at the change; a reader asks in their own
language (`Accept-Language`): the best translation of the current configuration (exact tag, then
the primary language, `de-AT` → `de`), else the name the event carried.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from cstatus.audit.domain.changes import LoggedChange, Status
from cstatus.contracts.configuration import TenantConfiguration
from cstatus.contracts.languages import translated

__all__ = ["Names", "in_language", "names_document"]


def names_document(config: TenantConfiguration) -> dict[str, Any]:
    """{category: {"names": {lang: name}, "statuses": {status: {lang: name}}}} of translations."""
    return {
        c.code: {
            "names": {lang: t.name for lang, t in c.translations.items()},
            "statuses": {
                s.code: {lang: t.name for lang, t in s.translations.items()} for s in c.statuses
            },
        }
        for c in config.categories
    }


@dataclass(frozen=True, slots=True)
class Names:
    default_language: str = "en"
    document: Mapping[str, Any] = field(default_factory=dict)

    def status(self, category: str, code: str, wanted: Sequence[str], fallback: str) -> str:
        found = self.document.get(category, {}).get("statuses", {}).get(code, {})
        return translated(fallback, found, wanted, self.default_language)

    def category(self, category: str, wanted: Sequence[str], fallback: str) -> str:
        found = self.document.get(category, {}).get("names", {})
        return translated(fallback, found, wanted, self.default_language)


def in_language(
    changes: Sequence[LoggedChange], names: Names, wanted: Sequence[str]
) -> list[LoggedChange]:
    """The changes with their statuses named in the best language of `wanted`."""
    if not wanted:
        return list(changes)

    def named(category: str, status: Status | None) -> Status | None:
        if status is None:
            return None
        return replace(status, name=names.status(category, status.code, wanted, status.name))

    return [
        replace(c, from_=named(c.category_code, c.from_), to=named(c.category_code, c.to))
        for c in changes
    ]
