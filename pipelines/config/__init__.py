"""Configuration: settings from the environment and the region catalog files."""

from pipelines.config.settings import Settings, get_settings

__all__ = ["Settings", "get_settings"]
