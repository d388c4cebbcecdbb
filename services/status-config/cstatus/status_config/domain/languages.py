"""Choosing the language of names and descriptions from `Accept-Language` (BCP 47, RFC 9110).

The untranslated `name` and `description` are in the tenant's default language. A request gets the
best translation its `Accept-Language` asks for (exact tag first, then the same primary language);
if none fits, the tenant's default language.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from cstatus.contracts.configuration import Translation

__all__ = ["Localized", "choose_language", "localize", "parse_accept_language"]


@dataclass(frozen=True, slots=True)
class Localized:
    language: str
    name: str
    description: str | None


def parse_accept_language(header: str | None) -> list[str]:
    """The tags a client accepts, best first (`*` and `q=0` dropped; order kept among equals)."""
    if not header:
        return []
    weighted: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        tag = tag.strip()
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if tag and tag != "*" and quality > 0:
            weighted.append((-quality, position, tag))
    return [tag for _, _, tag in sorted(weighted)]


def choose_language(available: list[str], wanted: list[str]) -> str | None:
    """The first of `wanted` found in `available`: exact (case-insensitive), then by primary tag."""
    lowered = {tag.lower(): tag for tag in available}
    for tag in wanted:
        if tag.lower() in lowered:
            return lowered[tag.lower()]
        primary = tag.lower().split("-")[0]
        for candidate in available:
            if candidate.lower().split("-")[0] == primary:
                return candidate
    return None


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
