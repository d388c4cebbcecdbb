"""Settings of the Assignment service (`CSTATUS_ASSIGNMENT_*` plus the shared `CSTATUS_*` blocks)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from cstatus.platform.settings import ServiceSettings

__all__ = ["AssignmentSettings"]


class AssignmentSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CSTATUS_ASSIGNMENT_", extra="ignore", frozen=True)

    service_name: str = "assignment"
    http_port: int = 8082
