"""AI-demand scenarios (low/base/high): workload mix, energy per unit of work, PUE and rack density.

The growth curve fitted to a region's `ai_demand` history is the base case: it carries whatever
mix, efficiency and cooling the region's AI load had while it grew. A scenario rescales only the
load added after the as-of date, because load already built keeps the PUE and racks it has:

    ai(t) = ai_now + max(base(t) - ai_now, 0) * ratio * (1 + energy_per_work_change) ** years

    ratio = (pue / base.pue) * rack_kw_factor * (draw(mix) / draw(base.mix))

Sources and reasoning for each default are in the field descriptions and in docs/planning.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from forecast.errors import InvalidInputError, UserError

WORKLOADS = ("training", "inference", "agentic")
# Mean draw of a rack as a share of its rated kW per workload: training runs flat out around the
# clock; inference follows a diurnal demand curve; multi-step agentic work follows working hours.
# Assumption, the same workload profiles the demo generates (pipelines/demo/synthetic.py).
WORKLOAD_DRAW = (0.95, 0.875, 0.77)


@dataclass(frozen=True)
class Scenario:
    """One AI-demand scenario; the base scenario is the fitted history's own assumptions."""

    name: str = field(metadata={"description": "low, base or high."})
    mix: tuple[float, float, float] = field(
        default=(0.5, 0.35, 0.15),
        metadata={
            "description": "Shares of training, inference and multi-step agentic load (sum 1). "
            "Base: assumption for 2024-25 AI fleets, training-heavy with inference growing."
        },
    )
    energy_per_work_change: float = field(
        default=0.0,
        metadata={
            "description": "Yearly relative change in energy per unit of AI work beyond the "
            "trend already in the history (negative: efficiency outpaces demand). Base 0."
        },
    )
    pue: float = field(
        default=1.25,
        metadata={
            "description": "Power usage effectiveness of new AI halls. Base 1.25: between "
            "hyperscale fleets (Google reports ~1.10) and the industry average (~1.56, "
            "Uptime Institute Global Data Center Survey 2024)."
        },
    )
    rack_kw_factor: float = field(
        default=1.0,
        metadata={"description": "New racks' rated kW relative to the region's catalog maximum."},
    )

    def __post_init__(self) -> None:
        if abs(sum(self.mix) - 1.0) > 1e-6 or min(self.mix) < 0:
            raise InvalidInputError(
                f"scenario {self.name!r}: mix must be non-negative shares summing to 1, got {self.mix}"
            )
        if self.pue < 1.0:
            raise InvalidInputError(f"scenario {self.name!r}: PUE cannot be below 1, got {self.pue}")


BASE = Scenario("base")
SCENARIOS: dict[str, Scenario] = {
    # Low: inference-heavy fleets, efficiency gains of ~8 %/yr outpacing demand, liquid cooling.
    "low": Scenario("low", mix=(0.35, 0.5, 0.15), energy_per_work_change=-0.08, pue=1.15, rack_kw_factor=0.9),
    "base": BASE,
    # High: agentic multi-step work grows (more compute per task), air-cooled halls, denser racks.
    "high": Scenario(
        "high", mix=(0.45, 0.3, 0.25), energy_per_work_change=0.05, pue=1.35, rack_kw_factor=1.2
    ),
}


class UnknownScenarioError(UserError, KeyError):
    """A scenario name that is not defined."""

    def __init__(self, name: str) -> None:
        super().__init__(f"unknown scenario {name!r}; choose one of {', '.join(SCENARIOS)}")

    def __str__(self) -> str:
        return self.args[0]


class ScenarioListError(InvalidInputError):
    """A list of scenarios to compare that is empty or names an unknown one (field `scenario`)."""

    def __init__(self, reason: str) -> None:
        self.field, self.reason = "scenario", reason
        super().__init__(f"scenario: {reason}")


def parse_scenarios(text: str | Sequence[str]) -> list[str]:
    """'low,base,high' (or a list) -> the names in order, each once; one name answers as before."""
    parts = text.split(",") if isinstance(text, str) else list(text)
    names = list(dict.fromkeys(p.strip() for p in parts if p.strip()))
    if not names:
        raise ScenarioListError(f"name at least one of {', '.join(SCENARIOS)}")
    unknown = [n for n in names if n not in SCENARIOS]
    if unknown:
        listed = ", ".join(map(repr, unknown))
        raise ScenarioListError(f"unknown {listed}; choose from {', '.join(SCENARIOS)}")
    return names


def get_scenario(name: str) -> Scenario:
    """The scenario of that name."""
    if name not in SCENARIOS:
        raise UnknownScenarioError(name)
    return SCENARIOS[name]


def mix_draw(mix: tuple[float, float, float]) -> float:
    """Mean draw (share of rated kW) of a fleet with this workload mix."""
    return float(np.dot(mix, WORKLOAD_DRAW))


def scenario_ratio(scenario: Scenario, base: Scenario = BASE) -> float:
    """MW of newly built AI load in `scenario` per MW of it in the base case."""
    return (
        (scenario.pue / base.pue)
        * (scenario.rack_kw_factor / base.rack_kw_factor)
        * (mix_draw(scenario.mix) / mix_draw(base.mix))
    )


def apply_scenario(base_path: np.ndarray, now_mw: float, years: np.ndarray, scenario: Scenario) -> np.ndarray:
    """Scenario AI demand from the base growth path: only load added after now is rescaled."""
    added = np.clip(base_path - now_mw, 0.0, None)
    return now_mw + added * scenario_ratio(scenario) * (1.0 + scenario.energy_per_work_change) ** years
