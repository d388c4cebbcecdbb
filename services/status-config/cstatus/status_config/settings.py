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
    public_url: str = "http://127.0.0.1:8081"
    """Where browsers reach this service: icon URLs in the configuration are absolute under it
    (`{public_url}/v1/icons/{digest}`), so a page on any origin can show them."""
