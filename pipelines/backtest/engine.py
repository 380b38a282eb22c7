"""`headroom backtest`: load a series (file or store version), run the engine, fan out, write outputs.

The engine is `forecast.evaluation.rolling` (pure). Here: reading `--data FILE` or the store at
`--as-of` version (always recorded), the operator's forecast vintages beside the target, fan-out
by groups of regions (`pipelines.backtest.tasks`: tasks name the data, workers read their own
regions), the peers of `--compare`, and the JSON / predictions files. The groups depend on the
regions alone, so the numbers do not depend on the executor or its number of workers.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from forecast import schema as S
from forecast.evaluation import results as R
from forecast.evaluation.candidates import ModelSetup
from forecast.evaluation.plan import BacktestSpec, Plan, plan
from forecast.evaluation.rolling import merge
from forecast.evaluation.vintages import OPERATOR
from pipelines.backtest.data import BacktestData, NoDataError, select_regions
from pipelines.backtest.tasks import RegionTask, group_setup, region_groups, region_task, run_group
from pipelines.executor import Executor


@dataclass(frozen=True)
class BacktestReport:
    """Everything a backtest produced."""

    spec: BacktestSpec
    data: BacktestData
    plan: Plan
    predictions: pl.DataFrame  # region, cutoff, ts, model, y, yhat, lo_*, hi_*
    per_fold: pl.DataFrame
    table: pl.DataFrame  # model, region (and ALL), metrics, folds
    steps: pl.DataFrame  # model, region (and ALL), step, metrics
    best_model: str | None
    notes: list[str] = field(default_factory=list)

    def to_json(self, by_step: bool = False) -> dict:
        """The `--json` document (`results` per model and region plus ALL; `step` rows if asked)."""
        levels = self.spec.levels
        rows = R.result_rows(self.table, levels=levels)
        if by_step:
            rows += R.result_rows(self.steps, with_step_column=True, levels=levels)
        return {
            "horizon": self.spec.horizon,
            "folds": self.spec.folds,
            "step": self.spec.fold_step,
            "season": self.spec.season,
            "levels": list(self.spec.levels),
            "data": {
                **self.data.source,
                "regions": sorted(self.plan.cutoffs[S.REGION].unique().to_list()),
                "rows": self.data.frame.height,
            },
            "results": rows,
            "best_model": self.best_model,
        }


def units(spec: BacktestSpec, plan_: Plan) -> int:
    """Progress units: folds x regions."""
    return spec.folds * plan_.cutoffs[S.REGION].n_unique()


def run_backtest(
    data: BacktestData,
    spec: BacktestSpec,
    executor: Executor | None = None,
    on_progress: Callable[[int], None] | None = None,
    compare: Sequence[str] = (),
    on_plan: Callable[[Plan], None] | None = None,
) -> BacktestReport:
    """Backtest every model (and the operator, when vintages exist) on the same folds."""
    setup = ModelSetup(spec.horizon, spec.season, spec.seed, data.calendars, data.timezones)
    if compare and data.components is not None:
        raise NoDataError("--compare runs peers on one series; it cannot score headroom from components")
    if OPERATOR in spec.models and data.vintages.height == 0:
        raise NoDataError("--models operator: the data holds no operator_forecast vintages with issued_at")
    plan_ = plan(data.frame, spec, setup)
    if on_plan is not None:
        on_plan(plan_)
    chunks = region_groups(plan_.cutoffs[S.REGION].unique().to_list())
    if executor is None:
        parts = []
        for chunk in chunks:

            def advance(_: int, n: int = len(chunk)) -> None:
                if on_progress:
                    on_progress(n)

            parts.append(run_group(select_regions(data, chunk), spec, group_setup(setup, chunk), advance))
    else:
        if data.ref is None:
            raise NoDataError("fanning out needs data read from a file or the store (workers read it again)")
        tasks = [RegionTask(data.ref, tuple(c), spec, group_setup(setup, c)) for c in chunks]
        done = iter([spec.folds * len(c) for c in chunks])  # groups finish in any order: sizes differ by one

        def finished() -> None:
            if on_progress:
                on_progress(next(done, 0))

        parts = executor.map(region_task, tasks, finished)
    result = merge(parts)
    notes = [f"skipped: {s}" for s in plan_.short]
    predictions = result.predictions
    timings = result.timings
    if compare:
        from pipelines.backtest.peers import run_peers

        peer_preds, peer_times, peer_notes = run_peers(data.frame, spec, plan_, compare)
        predictions = pl.concat([predictions, peer_preds], how="vertical_relaxed")
        timings = pl.concat([timings, peer_times], how="vertical_relaxed")
        notes += peer_notes
    folds = R.per_fold(predictions, result.scales, timings, spec.levels)
    table = R.summary(folds)
    if OPERATOR in table[S.MODEL].to_list():
        n_op = folds.filter(pl.col(S.MODEL) == OPERATOR).height
        notes.append(
            f"operator: scored on {n_op} region-folds, only the hours whose forecast was issued by the cutoff"
        )
    return BacktestReport(
        spec,
        data,
        plan_,
        predictions.select(
            S.REGION,
            S.CUTOFF,
            S.TS,
            S.MODEL,
            *[c for c in predictions.columns if c not in (S.REGION, S.CUTOFF, S.TS, S.MODEL)],
        ),
        folds,
        table,
        R.by_step(predictions, result.scales, spec.levels),
        R.best_model(table),
        notes,
    )


def write_json(report: BacktestReport, path: Path, by_step: bool = False) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report.to_json(by_step), indent=1, default=str))


def write_predictions(report: BacktestReport, path: Path) -> None:
    """CSV, or Parquet when the name ends in .parquet."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() in (".parquet", ".pq"):
        report.predictions.write_parquet(path)
    else:
        report.predictions.write_csv(path)
