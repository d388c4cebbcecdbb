"""Choosing a language from `Accept-Language` (BCP 47, RFC 9110), the same in every service.

Names and descriptions are stored in the tenant's default language, with translations by language
tag. A request gets the best translation its `Accept-Language` asks for, by quality: the exact tag
first, then the same primary language (`de-AT` → `de`); if none fits, the tenant's default.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

__all__ = ["choose_language", "parse_accept_language", "translated"]


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


def translated(
    name: str, names: Mapping[str, str], wanted: Sequence[str], default_language: str
) -> str:
    """`name` (in `default_language`) in the best language of `wanted` that `names` translates
    it to; `name` itself when none fits."""
    if not wanted or not names:
        return name
    chosen = choose_language([*names, default_language], list(wanted))
    return names.get(chosen, name) if chosen else name
