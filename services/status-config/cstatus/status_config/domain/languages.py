"""Choosing the language of names and descriptions from `Accept-Language` (BCP 47, RFC 9110).

The untranslated `name` and `description` are in the tenant's default language. A request gets the
best translation its `Accept-Language` asks for (exact tag first, then the same primary language);
if none fits, the tenant's default language.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from cstatus.contracts.configuration import Translation
from cstatus.contracts.languages import choose_language, parse_accept_language

__all__ = ["Localized", "choose_language", "localize", "parse_accept_language"]


@dataclass(frozen=True, slots=True)
class Localized:
    language: str
    name: str
    description: str | None


def localize(
    name: str,
    description: str | None,
    translations: Mapping[str, Translation],
    *,
    wanted: list[str],
    default_language: str,
) -> Localized:
    chosen = choose_language([*translations, default_language], wanted) or default_language
    if chosen in translations:
        translation = translations[chosen]
        return Localized(chosen, translation.name, translation.description)
    return Localized(default_language, name, description)
