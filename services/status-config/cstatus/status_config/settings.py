"""Settings of the Status configuration service (`CSTATUS_STATUS_CONFIG_*` plus the shared `CSTATUS_*` blocks)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from cstatus.platform.settings import ServiceSettings

__all__ = ["StatusConfigSettings"]


class StatusConfigSettings(ServiceSettings):
    model_config = SettingsConfigDict(
        env_prefix="CSTATUS_STATUS_CONFIG_", extra="ignore", frozen=True
    )

    service_name: str = "status-config"
    http_port: int = 8081
