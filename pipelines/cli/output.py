"""Output helpers shared by commands: frames as a rich table, JSON or CSV."""

from __future__ import annotations

import json
import sys
from enum import StrEnum

import polars as pl
from rich.console import Console
from rich.table import Table

# Piped output is not cut to 80 columns: tables stay whole for files and other programs.
console = Console(soft_wrap=True, width=None if sys.stdout.isatty() else 200)


class Format(StrEnum):
    """How a command prints its result."""

    table = "table"
    json = "json"
    csv = "csv"


def print_frame(frame: pl.DataFrame, fmt: Format, title: str = "", meta: dict | None = None) -> None:
    """Print a frame in the chosen format (JSON carries `meta` beside the rows)."""
    if fmt is Format.csv:
        print(frame.write_csv(), end="")
    elif fmt is Format.json:
        rows = json.loads(frame.write_json())
        print(json.dumps({**(meta or {}), "rows": rows}, indent=1, default=str))
    else:
        table = Table(title=title, caption=", ".join(f"{k}: {v}" for k, v in (meta or {}).items()))
        for column in frame.columns:
            table.add_column(column, justify="right" if frame[column].dtype.is_numeric() else "left")
        for row in frame.iter_rows():
            table.add_row(*(f"{v:,.1f}" if isinstance(v, float) else str(v) for v in row))
        console.print(table)
