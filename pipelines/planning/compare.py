"""Scenarios compared in one call: one outlook or queue-risk block per AI-demand scenario.

One scenario answers in the single-scenario shape, unchanged; several answer as `by_scenario`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from pydantic import BaseModel, Field

from forecast.planning.outlook import Outlook
from forecast.planning.queue_risk import QueueRisk
from forecast.planning.scenarios import parse_scenarios
from pipelines.config.settings import Settings
from pipelines.planning.answers import run_outlook, run_queue_risk
from pipelines.store import Store


class OutlookComparison(BaseModel):
    """A region's outlook under each scenario asked, side by side."""

    region: str
    scenarios: list[str] = Field(description="The scenarios compared, in the order asked.")
    by_scenario: dict[str, Outlook]


class QueueRiskComparison(BaseModel):
    """Queue risk of one request under each scenario asked, side by side."""

    region: str
    scenarios: list[str] = Field(description="The scenarios compared, in the order asked.")
    by_scenario: dict[str, QueueRisk]


def run_outlook_scenarios(
    store: Store, settings: Settings, region: str, months: int, scenarios: str | Sequence[str]
) -> Outlook | OutlookComparison:
    """The outlook for one scenario, or one block per scenario when several are named."""
    names = parse_scenarios(scenarios)
    if len(names) == 1:
        return run_outlook(store, settings, region, months, names[0])
    blocks = {name: run_outlook(store, settings, region, months, name) for name in names}
    return OutlookComparison(region=region, scenarios=names, by_scenario=blocks)


def run_queue_risk_scenarios(
    store: Store,
    settings: Settings,
    region: str,
    mw: float,
    target_date: date,
    scenarios: str | Sequence[str],
    **options: Any,
) -> QueueRisk | QueueRiskComparison:
    """Queue risk for one scenario, or one block per scenario when several are named (`options` as
    run_queue_risk takes them)."""
    names = parse_scenarios(scenarios)
    blocks = {
        name: run_queue_risk(store, settings, region, mw, target_date, scenario=name, **options)
        for name in names
    }
    if len(names) == 1:
        return blocks[names[0]]
    return QueueRiskComparison(region=region, scenarios=names, by_scenario=blocks)
