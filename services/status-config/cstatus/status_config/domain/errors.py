"""The refusals of configuration changes, each with an HTTP-like status and a stable code."""

from __future__ import annotations

__all__ = ["ConfigError", "conflict", "invalid", "not_found"]


class ConfigError(Exception):
    """A change or lookup the configuration refuses; `field` names the offending input."""

    def __init__(self, status: int, code: str, detail: str, *, field: str | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.field = field


def invalid(field: str, reason: str, *, code: str = "invalid") -> ConfigError:
    return ConfigError(422, code, reason, field=field)


def conflict(code: str, detail: str, *, field: str | None = None) -> ConfigError:
    return ConfigError(409, code, detail, field=field)


def not_found(what: str) -> ConfigError:
    return ConfigError(404, f"{what}_not_found", f"no such {what}")
