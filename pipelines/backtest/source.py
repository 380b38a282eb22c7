"""Where a backtest's data comes from: a long file or the store at a version, chosen in one place."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path

from forecast.errors import UserError
from pipelines.backtest.data import BacktestData, last_days, read_data_file, read_store_data
from pipelines.config.settings import Settings
from pipelines.store import open_store


class AsOfError(UserError, ValueError):
    """An `--as-of` that does not fit the data source it is used with."""


def parse_store_version(as_of: str | None) -> int | None:
    """`--as-of` for the store: an observations table version (a whole number) or None."""
    if as_of is None:
        return None
    if not as_of.strip().isdigit():
        raise AsOfError(f"--as-of takes an observations table version (a whole number), got {as_of!r}")
    return int(as_of)


def parse_as_of_date(as_of: str | None) -> date | None:
    """`--as-of` for the queue backtest: a date, YYYY-MM-DD, or None."""
    if as_of is None:
        return None
    try:
        return datetime.strptime(as_of.strip(), "%Y-%m-%d").date()
    except ValueError:
        raise AsOfError(f"--as-of takes a date YYYY-MM-DD for the queue backtest, got {as_of!r}") from None


def load_backtest_data(
    settings: Settings,
    target: str,
    data: Path | None = None,
    regions: Sequence[str] | None = None,
    as_of: str | None = None,
    days: int | None = None,
) -> BacktestData:
    """The backtest's data: the long file `data` when given, else the store at version `as_of`."""
    if data is not None:
        if as_of is not None:
            raise AsOfError("--as-of names a store version; it cannot be used with --data")
        loaded = read_data_file(data, target, regions or None)
    else:
        version = parse_store_version(as_of)
        loaded = read_store_data(open_store(settings), settings, target, regions or None, version)
    return last_days(loaded, days) if days is not None else loaded
