"""Settings of the HTTP service only (CORS, body limit, logs, cache checks), from HEADROOM_* variables."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

MIB = 1024 * 1024


class ServiceOptions(BaseSettings):
    """What an operator tunes about the HTTP service; every field can be set as HEADROOM_<NAME>."""

    model_config = SettingsConfigDict(env_prefix="HEADROOM_", extra="ignore")

    cors_origins: str = Field(
        "", description="Comma-separated origins allowed by CORS; empty keeps CORS closed (no headers)."
    )
    max_body_bytes: int = Field(8 * MIB, ge=0, description="Largest request body accepted; larger is 413.")
    log_format: Literal["text", "json"] = Field("text", description="Request and app logs as text or JSON.")
    log_level: str = Field("INFO", description="Level of the service's logs.")
    forecast_check_seconds: float = Field(
        2.0, ge=0, description="How often the forecasts table version is checked for a new publication."
    )
    keys_file: str = Field(
        "api_keys.sha256", description="File under HEADROOM_HOME of SHA-256 hashes of write keys, one a line."
    )

    @property
    def origins(self) -> list[str]:
        """The configured CORS origins."""
        return [o.strip() for o in self.cors_origins.split(",") if o.strip()]


@lru_cache
def get_options() -> ServiceOptions:
    """The process-wide service options, read once from the environment."""
    return ServiceOptions()
