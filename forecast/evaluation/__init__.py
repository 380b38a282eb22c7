"""Rolling-origin backtests and forecast metrics over long frames (pure)."""

from forecast.evaluation.folds import Fold, fold_cutoffs, region_cutoffs, split_regions
from forecast.evaluation.metrics import (
    LEVELS,
    fold_metrics,
    seasonal_naive_scale,
    summarize,
)

__all__ = [
    "LEVELS",
    "Fold",
    "fold_cutoffs",
    "fold_metrics",
    "region_cutoffs",
    "seasonal_naive_scale",
    "split_regions",
    "summarize",
]
