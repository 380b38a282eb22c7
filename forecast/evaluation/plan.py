"""What a backtest runs: the validated options (`BacktestSpec`) and the plan of folds and regions.

The plan sets each region's cutoffs from its own last hour and names, per model, the regions
long enough for its oldest fold; the short ones are kept with the rows they have and need.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import polars as pl

from forecast import schema as S
from forecast.errors import InvalidInputError, UserError
from forecast.evaluation.candidates import BASELINE, DEFAULT, ModelSetup, check_names, min_train_rows
from forecast.evaluation.folds import region_cutoffs
from forecast.evaluation.metrics import LEVELS, check_levels
from forecast.evaluation.vintages import OPERATOR

WINDOWS = ("expanding", "sliding")


class NothingToBacktestError(UserError, ValueError):
    """No region is long enough for any model and fold."""


@dataclass(frozen=True)
class BacktestSpec:
    """How a backtest is run (the CLI options, validated)."""

    horizon: int
    folds: int
    step: int | None = None
    season: int = 24
    window: str = "expanding"
    train_hours: int = 24 * 365
    refit: int | None = 1
    models: tuple[str, ...] = (BASELINE,)
    levels: tuple[int, ...] = LEVELS
    seed: int = 0
    samples: int = 400  # joint sample paths per component (headroom from its components)

    def __post_init__(self) -> None:
        if self.horizon < 1 or self.folds < 1 or self.fold_step < 1 or self.season < 1:
            raise InvalidInputError("horizon, folds, step and season must all be at least 1")
        if self.window not in WINDOWS:
            raise InvalidInputError(f"window must be one of {WINDOWS}, not {self.window!r}")
        if self.refit is not None and self.refit < 1:
            raise InvalidInputError(f"refit must be every, never or a number of folds >= 1, not {self.refit}")
        if self.samples < 10:
            raise InvalidInputError(f"samples must be at least 10, not {self.samples}")
        object.__setattr__(self, "levels", check_levels(tuple(self.levels)))
        check_names([m for m in self.models if m != OPERATOR])

    @property
    def fold_step(self) -> int:
        return self.step or self.horizon

    @property
    def fitted(self) -> list[str]:
        return [m for m in self.models if m != OPERATOR]

    @property
    def window_hours(self) -> int | None:
        return self.train_hours if self.window == "sliding" else None


def parse_refit(text: str) -> int | None:
    """`every` -> 1, `never` -> None, `N` -> N."""
    if text == "every":
        return 1
    if text == "never":
        return None
    if text.isdigit() and int(text) >= 1:
        return int(text)
    raise InvalidInputError(f"--refit takes every, never or a number of folds >= 1, not {text!r}")


def blocks(spec: BacktestSpec) -> list[list[int]]:
    """Fold indices (oldest 0) grouped by the fit they share."""
    size = spec.refit or spec.folds
    return [list(range(i, min(i + size, spec.folds))) for i in range(0, spec.folds, size)]


@dataclass(frozen=True)
class ShortSeries:
    """A region too short for a model on these folds."""

    region: str
    model: str
    rows: int
    needed: int

    def __str__(self) -> str:
        return f"region {self.region!r} has {self.rows} hourly rows, {self.model} needs {self.needed}"


@dataclass(frozen=True)
class Plan:
    """Each region's folds and the models each region is long enough for."""

    cutoffs: pl.DataFrame  # region, fold, cutoff
    regions: dict[str, list[str]]  # model -> regions
    short: list[ShortSeries] = field(default_factory=list)


def plan(frame: pl.DataFrame, spec: BacktestSpec, setup: ModelSetup, extra: Sequence[str] = ()) -> Plan:
    """Cutoffs per region and, per model, the regions with rows enough for its oldest fold."""
    observed = frame.drop_nulls(S.VALUE)
    rows = dict(observed.group_by(S.REGION).len().iter_rows())
    span = spec.horizon + spec.fold_step * (spec.folds - 1)
    regions: dict[str, list[str]] = {}
    short: list[ShortSeries] = []
    for name in [*spec.fitted, *extra]:
        train = setup.season + 1 if name in extra else min_train_rows(name, setup, DEFAULT in spec.fitted)
        if spec.window_hours is not None and spec.window_hours < train:
            raise InvalidInputError(
                f"--train-hours {spec.window_hours} is under the {train} rows {name} needs"
            )
        needed = train + span
        regions[name] = sorted(r for r, n in rows.items() if n >= needed)
        short += [ShortSeries(r, name, n, needed) for r, n in sorted(rows.items()) if n < needed]
    if not any(regions.values()):
        raise NothingToBacktestError("no region is long enough: " + "; ".join(map(str, short)))
    long_enough = sorted({r for rs in regions.values() for r in rs})
    cutoffs = region_cutoffs(
        observed.filter(pl.col(S.REGION).is_in(long_enough)), spec.horizon, spec.folds, spec.fold_step
    )
    return Plan(cutoffs, regions, short)
