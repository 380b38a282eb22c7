"""Runtime settings from the environment (prefix HEADROOM_) and a cached accessor."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_DATA = Path(__file__).resolve().parents[2] / "data"


class Settings(BaseSettings):
    """Everything configurable; every field can be set as HEADROOM_<NAME>."""

    model_config = SettingsConfigDict(env_prefix="HEADROOM_", extra="ignore")

    home: Path = Field(Path(".headroom"), description="Root of all runtime state (store, models, inbox).")
    host: str = Field("127.0.0.1", description="Address the HTTP service binds to.")
    port: int = Field(8000, description="Port the HTTP service binds to.")
    catalog: Path = Field(REPO_DATA / "regions.toml", description="The shipped region catalog.")
    samples: Path = Field(REPO_DATA / "samples", description="Folder of the shipped demo samples.")
    store_uri: str = Field(
        "", description="Where the tables live: a folder or s3://bucket/prefix (default HOME/tables)."
    )
    models_dir: Path | None = Field(
        None,
        description="The model registry (default HOME/models); on a cluster, a shared file system "
        "mounted at the same path on the scheduler and every worker.",
    )
    storage_options: dict[str, str] = Field(
        default_factory=dict,
        description="Object-store options passed to deltalake and polars, as JSON (e.g. AWS_REGION).",
    )
    eia_api_key: SecretStr = Field(
        SecretStr(""), description="EIA API v2 key for live pulls (none: skipped)."
    )
    entsoe_token: SecretStr = Field(SecretStr(""), description="ENTSO-E security token for live pulls.")
    eia_base_url: str = Field("https://api.eia.gov", description="EIA API base URL.")
    entsoe_base_url: str = Field("https://web-api.tp.entsoe.eu", description="ENTSO-E API base URL.")
    live_lookback_hours: int = Field(168, description="First live pull of a series reaches this far back.")
    api_keys: str = Field("", description="Comma-separated bearer keys allowed to write.")
    default_horizon: int = Field(168, description="Hours forecast by `headroom train`.")
    train_models: Literal["baseline", "default"] = Field(
        "default",
        description="default: each region's best of the candidates on its own backtest (what serves); "
        "baseline: seasonal naive (seconds; `make run` publishes it first, then the selection).",
    )
    train_candidates: str = Field(
        "seasonal_naive,mstl_ets,sarimax,lightgbm,ensemble", description="Candidates of `default`."
    )
    train_threads: int = Field(
        1, ge=1, description="Threads of each LightGBM fit in training. The same in every executor "
        "(the fit depends on it); a pool runs one fit per core, so 1 never oversubscribes the cores.",
    )
    train_processes: int = Field(
        2, ge=1, description="Processes fitting grid_load and ai_demand side by side when training "
        "runs inline (1: in the calling process); a pool's tasks always fit in their worker.",
    )
    n_samples: int = Field(500, description="Sample paths drawn per region for headroom quantiles.")
    seed: int = Field(7, description="Seed for sampling in training and publishing.")
    path_samples: int = Field(
        200, ge=0, description="Joint headroom paths kept per region with each published issue "
        "(the first of the n_samples drawn; placement reads them; 0 keeps none).",
    )
    paths_keep_issues: int = Field(
        3, ge=1, description="Issues whose headroom paths the `compact` job keeps per region (latest first).",
    )
    schedule_ingest: str = Field(
        "interval:60", description="When `ingest` runs: interval:SECONDS or cron:EXPR."
    )
    schedule_refresh: str = Field("interval:30", description="When `refresh` checks for new data.")
    schedule_retrain: str = Field("cron:15 3 * * *", description="When `retrain` builds a challenger.")
    schedule_compact: str = Field("cron:45 4 * * 0", description="When `compact` merges small files.")
    schedule_drift: str = Field(
        "cron:5 * * * *", description="When `drift` compares live and backtest error."
    )
    executor: Literal["inline", "local", "dask"] = Field(
        "inline",
        description="Where scheduled refresh and retrain run: inline, a local process pool, or Dask.",
    )
    dask_address: str = Field("", description="Dask scheduler for `executor=dask` (none: a LocalCluster).")
    retrain_folds: int = Field(7, description="Folds of the champion/challenger backtest (newest data).")
    retrain_horizon: int = Field(24, description="Hours ahead scored at each backtest fold.")
    retrain_coverage_low: float = Field(
        0.70, description="A challenger serves only if its 80% intervals cover at least this share."
    )
    retrain_coverage_high: float = Field(0.90, description="... and at most this share.")
    drift_ratio: float = Field(
        1.5, description="`drift` retrains a region whose live MASE exceeds its backtest MASE this much."
    )
    drift_window_hours: int = Field(168, description="Hours of recent live error `drift` looks at.")
    job_retries: int = Field(3, description="Retries of a job after a transient failure.")
    job_backoff_seconds: float = Field(2.0, description="First retry delay; doubles each retry.")
    misfire_grace_seconds: int = Field(300, description="A late run still happens within this grace.")

    @property
    def tables(self) -> str:
        """Location of the Delta tables: `store_uri`, or the folder HOME/tables."""
        return self.store_uri or str(self.home / "tables")

    @property
    def models(self) -> Path:
        """Root of the model registry: `models_dir`, or HOME/models."""
        return self.models_dir or self.home / "models"

    @property
    def scheduler_db(self) -> Path:
        """SQLite file of the scheduler's persistent job store."""
        return self.home / "scheduler.sqlite"

    @property
    def user_catalog(self) -> Path:
        """Regions added at run time (demo synthetic regions, API additions)."""
        return self.home / "regions.toml"


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
