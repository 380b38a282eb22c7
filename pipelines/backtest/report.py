"""`--report DIR`: one self-contained HTML page (images inline as base64 PNG, no external URL).

Sections: what was run on which data, the metrics table, error by horizon step, interval coverage
against the nominal level, and fan charts of actual vs forecast for the best and worst regions of
the best model. matplotlib is imported here only (the `report` extra).
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Sequence
from pathlib import Path

import polars as pl

from forecast import schema as S
from forecast.errors import UserError
from forecast.evaluation.results import ALL
from pipelines.backtest.engine import BacktestReport

POINT_FIELDS = ("mase", "mae", "rmse", "smape", "pinball")
TAIL_FIELDS = ("fit_seconds", "predict_seconds", "folds")
CSS = """
body{font-family:system-ui,sans-serif;margin:2rem;max-width:70rem;color:#222}
table{border-collapse:collapse;font-size:.85rem}td,th{padding:.2rem .5rem;border-bottom:1px solid #ddd}
td.n{text-align:right;font-variant-numeric:tabular-nums}tr.all{font-weight:600;background:#f4f6fa}
img{max-width:100%}.note{color:#555;font-size:.9rem}
"""


class ReportUnavailableError(UserError, ValueError):
    """matplotlib is missing."""


def _figure():
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise ReportUnavailableError("--report needs matplotlib: pip install matplotlib") from None
    return Figure(figsize=(9, 3.6), layout="constrained")


def _png(fig) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=96)
    return f'<img alt="" src="data:image/png;base64,{base64.b64encode(buffer.getvalue()).decode()}">'


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f'<td class="n">{value:,.3f}</td>'
    if isinstance(value, int):
        return f'<td class="n">{value}</td>'
    return f"<td>{html.escape('' if value is None else str(value))}</td>"


def table_fields(levels: Sequence[int]) -> list[str]:
    """Point metrics, coverage of every level, width and Winkler of the narrowest, the seconds."""
    narrow = min(levels)
    coverage = [f"coverage_{v}" for v in levels]
    return [*POINT_FIELDS, *coverage, f"width_{narrow}", f"winkler_{narrow}", *TAIL_FIELDS]


def metrics_table(table: pl.DataFrame, levels: Sequence[int] = (80, 95)) -> str:
    fields = [f for f in table_fields(levels) if f in table.columns]
    ordered = table.sort(pl.col(S.REGION) != ALL, S.REGION, "mase", nulls_last=True)
    head = "".join(f"<th>{h}</th>" for h in (S.MODEL, S.REGION, *fields))
    rows = []
    for row in ordered.iter_rows(named=True):
        css = ' class="all"' if row[S.REGION] == ALL else ""
        rows.append(f"<tr{css}>" + "".join(_cell(row[k]) for k in (S.MODEL, S.REGION, *fields)) + "</tr>")
    return f"<table><tr>{head}</tr>{''.join(rows)}</table>"


def step_chart(steps: pl.DataFrame, level: int = 80) -> str:
    fig = _figure()
    axes = fig.subplots(1, 2)
    overall = steps.filter(pl.col(S.REGION) == ALL)
    for (model,), part in overall.group_by(S.MODEL, maintain_order=True):
        axes[0].plot(part["step"], part["mase"], label=model)
        axes[1].plot(part["step"], part[f"coverage_{level}"], label=model)
    axes[0].set(xlabel="hours ahead", ylabel="MASE", title="Error by lead time")
    axes[1].axhline(level, color="k", lw=0.8, ls="--")
    axes[1].set(
        xlabel="hours ahead", ylabel=f"% inside {level}% interval", title=f"{level}% coverage by lead time"
    )
    axes[0].legend(fontsize=7)
    return _png(fig)


def coverage_chart(table: pl.DataFrame, levels: Sequence[int] = (80, 95)) -> str:
    fig = _figure()
    ax = fig.subplots()
    overall = table.filter(pl.col(S.REGION) == ALL).sort(S.MODEL)
    x = list(range(overall.height))
    bar = 0.8 / len(levels)
    for k, level in enumerate(levels):
        offset = (k - (len(levels) - 1) / 2) * bar
        shares = overall[f"coverage_{level}"].fill_null(0)
        ax.bar([i + offset for i in x], shares, bar, label=f"{level}% interval")
        ax.axhline(level, color="k", lw=0.8, ls="--")
    ax.set_xticks(x, overall[S.MODEL].to_list(), rotation=20, fontsize=8)
    ax.set(ylabel="% of actuals inside", ylim=(0, 100), title="Interval coverage against the nominal level")
    ax.legend(fontsize=8)
    return _png(fig)


def fan_chart(report: BacktestReport, model: str, region: str) -> str:
    """The newest fold of one region: history before the cutoff, actuals, median and bands."""
    preds = report.predictions.filter((pl.col(S.MODEL) == model) & (pl.col(S.REGION) == region))
    cutoff = preds[S.CUTOFF].max()
    fold = preds.filter(pl.col(S.CUTOFF) == cutoff).sort(S.TS)
    back = pl.duration(hours=3 * report.spec.horizon)
    history = report.data.frame.filter(
        (pl.col(S.REGION) == region) & (pl.col(S.TS) <= cutoff) & (pl.col(S.TS) > pl.lit(cutoff) - back)
    ).sort(S.TS)
    fig = _figure()
    ax = fig.subplots()
    ax.plot(history[S.TS], history[S.VALUE], color="0.3", lw=1, label="history")
    levels = sorted(report.spec.levels, reverse=True)
    for k, level in enumerate(levels):
        alpha = 0.12 + 0.25 * k / max(1, len(levels) - 1)
        if f"lo_{level}" in fold.columns and fold[f"lo_{level}"].null_count() < fold.height:
            ax.fill_between(
                fold[S.TS],
                fold[f"lo_{level}"],
                fold[f"hi_{level}"],
                alpha=alpha,
                color="tab:blue",
                label=f"{level}% interval",
            )
    ax.plot(fold[S.TS], fold["yhat"], color="tab:blue", label=f"{model} median")
    ax.plot(fold[S.TS], fold["y"], color="k", lw=1.2, label="actual")
    ax.axvline(cutoff, color="k", lw=0.8, ls=":")
    ax.set(title=f"{region}: newest fold, cutoff {cutoff:%Y-%m-%d %H:%M} UTC", ylabel="value")
    ax.legend(fontsize=7, ncols=3)
    return _png(fig)


def render(report: BacktestReport) -> str:
    """The whole page as a string."""
    spec, best = report.spec, report.best_model
    source = ", ".join(f"{k} {v}" for k, v in report.data.source.items())
    refit = "never" if spec.refit is None else f"every {spec.refit} fold(s)"
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'><title>Backtest</title>",
        f"<style>{CSS}</style></head><body>",
        "<h1>Backtest</h1>",
        f"<p>Data: {html.escape(source)}; {report.data.frame.height:,} rows; regions "
        f"{html.escape(', '.join(sorted(report.plan.cutoffs[S.REGION].unique().to_list())))}.</p>",
        f"<p>{spec.folds} rolling origins of {spec.horizon} h moved by {spec.fold_step} h; "
        f"{spec.window} window; refit {refit}; "
        f"MASE season {spec.season} h; seed {spec.seed}. Best model (lowest MASE over all region-folds): "
        f"<b>{html.escape(str(best))}</b>.</p>",
        "".join(f"<p class='note'>{html.escape(n)}</p>" for n in report.notes),
        "<h2>Metrics</h2><p class='note'>Means over region-folds; MASE divides each fold's MAE by the "
        "in-sample seasonal-naive MAE of that fold's training data (below 1 beats it). "
        "Seconds are per region-fold. Definitions: docs/forecasting.md.</p>",
        metrics_table(report.table, spec.levels),
        "<h2>Error by horizon step</h2>",
        step_chart(report.steps, min(spec.levels, key=lambda v: abs(v - 80))),
        "<h2>Interval coverage</h2>",
        coverage_chart(report.table, spec.levels),
    ]
    if best is not None:
        ranked = report.table.filter(
            (pl.col(S.MODEL) == best) & (pl.col(S.REGION) != ALL) & pl.col("mase").is_not_null()
        ).sort("mase")
        if ranked.height:
            chosen = dict.fromkeys([ranked[S.REGION][0], ranked[S.REGION][-1]])
            parts.append(f"<h2>Fan charts: best and worst region of {html.escape(best)}</h2>")
            parts += [fan_chart(report, best, region) for region in chosen]
    parts.append("</body></html>")
    return "\n".join(parts)


def write_report(report: BacktestReport, folder: Path) -> Path:
    """Writes DIR/index.html and returns its path."""
    page = render(report)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "index.html"
    path.write_text(page, encoding="utf-8")
    return path
