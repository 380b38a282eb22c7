"""Backtest fan-out by groups of regions: a task names where the data is and which regions, never
carries the data; its worker reads only those regions and runs every fold of them.

Groups are cut from the sorted region list alone (`REGIONS_PER_TASK` at most), never from the
number of workers, and an inline run uses the same groups: models fitted across regions (the
global LightGBM, the calibration origin grid set by the shortest series) see the same regions
whichever executor runs them, so the numbers do not depend on it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from forecast.evaluation.candidates import ModelSetup
from forecast.evaluation.plan import BacktestSpec, blocks, plan
from forecast.evaluation.rolling import BlockResult, hourly_history, merge, run_block
from pipelines.backtest.data import BacktestData, DataRef, read_ref
from pipelines.executor import groups

REGIONS_PER_TASK = 32


@dataclass(frozen=True)
class RegionTask:
    """One group of regions for a worker: where the data is, which regions, how to backtest them."""

    ref: DataRef
    regions: tuple[str, ...]
    spec: BacktestSpec
    setup: ModelSetup


def region_groups(regions: Sequence[str], size: int | None = None) -> list[list[str]]:
    """Sorted regions in groups of at most `size` (REGIONS_PER_TASK), as even as can be."""
    size = size or REGIONS_PER_TASK
    ordered = sorted(regions)
    return groups(ordered, math.ceil(len(ordered) / size), per_worker=1) if ordered else []


def group_setup(setup: ModelSetup, regions: Sequence[str]) -> ModelSetup:
    """The setup with only the group's calendars and time zones (keeps tasks small)."""
    return replace(
        setup,
        calendars={r: c for r, c in setup.calendars.items() if r in regions},
        timezones={r: z for r, z in setup.timezones.items() if r in regions},
    )


def run_group(
    data: BacktestData, spec: BacktestSpec, setup: ModelSetup, on_fold: Callable[[int], None] | None = None
) -> BlockResult:
    """Every refit block of one group's data (a region's plan depends on its own rows only)."""
    plan_ = plan(data.frame, spec, setup)
    hourly = hourly_history(data.frame)  # once for every block of the group
    return merge(
        [
            run_block(
                data.frame, spec, setup, plan_, block, data.vintages, None, on_fold, data.components, hourly
            )
            for block in blocks(spec)
        ]
    )


def region_task(task: RegionTask) -> BlockResult:
    """Entry point of a worker: read the group's regions (same file or store version), run them."""
    try:
        data = read_ref(task.ref, task.regions)
    except FileNotFoundError as exc:  # the driver read it: this worker sees another file system
        raise FileNotFoundError(f"{exc} on a worker: put the file at the same path on every worker") from None
    return run_group(data, task.spec, task.setup)
