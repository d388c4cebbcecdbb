"""Settings of the Audit service (`CSTATUS_AUDIT_*` plus the shared `CSTATUS_*` blocks)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from cstatus.platform.settings import ServiceSettings

__all__ = ["AuditSettings"]


class AuditSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CSTATUS_AUDIT_", extra="ignore", frozen=True)

    service_name: str = "audit"
    http_port: int = 8084
