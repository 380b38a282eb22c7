"""What a placement answers: ranked plans (single, split or interruptible) and the issue they read."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


def _iso(t: datetime | None) -> str | None:
    return None if t is None else t.isoformat().replace("+00:00", "Z")


def hhmm(t: datetime) -> str:
    """A time as `YYYY-MM-DD HH:MM UTC` for reasons."""
    return t.strftime("%Y-%m-%d %H:%M UTC")


@dataclass(frozen=True)
class Share:
    """MW of the job placed in one region."""

    region: str
    mw: float


@dataclass(frozen=True)
class Plan:
    """Run the job uninterrupted over [start, end) with these shares (one share unless split)."""

    shares: tuple[Share, ...]
    start: datetime
    end: datetime
    p_uninterrupted: float = field(
        metadata={"description": "Share of joint paths in which every share fits in every hour."}
    )
    expected_curtailed_mwh: float = field(
        metadata={"description": "Mean over paths of the MWh the job loses to short headroom."}
    )
    reason: str

    @property
    def region(self) -> str | None:
        """The region of a single-region plan; None for a split."""
        return self.shares[0].region if len(self.shares) == 1 else None

    def as_dict(self) -> dict[str, object]:
        where: dict[str, object] = (
            {"region": self.region}
            if self.region is not None
            else {"regions": {s.region: s.mw for s in self.shares}}
        )
        return {
            **where,
            "start": _iso(self.start),
            "end": _iso(self.end),
            "p_uninterrupted": self.p_uninterrupted,
            "expected_curtailed_mwh": self.expected_curtailed_mwh,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class InterruptiblePlan:
    """A pausable job released at `start` in `region`: when it finishes, over the paths."""

    region: str
    start: datetime
    deadline: datetime
    p_finish_by_deadline: float = field(
        metadata={"description": "Share of paths that accumulate the running hours by the deadline."}
    )
    expected_finish: datetime | None = field(
        metadata={"description": "Mean finish over the paths that finish (None if none does)."}
    )
    p90_finish: datetime | None = field(
        metadata={"description": "Finish reached in 90 % of all paths; None if more than 10 % never finish."}
    )
    reason: str

    def as_dict(self) -> dict[str, object]:
        return {
            "region": self.region,
            "start": _iso(self.start),
            "deadline": _iso(self.deadline),
            "p_finish_by_deadline": self.p_finish_by_deadline,
            "expected_finish": _iso(self.expected_finish),
            "p90_finish": _iso(self.p90_finish),
            "reason": self.reason,
        }


@dataclass(frozen=True)
class Placement:
    """The answer: plans best first, the window searched, and the forecast issue they came from."""

    issued_at: datetime
    model_version: str
    mw: float
    hours: int
    window_start: datetime
    window_end: datetime
    n_samples: int
    plans: tuple[Plan, ...] | tuple[InterruptiblePlan, ...]
    notes: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, object]:
        return {
            "issued_at": _iso(self.issued_at),
            "model_version": self.model_version,
            "mw": self.mw,
            "hours": self.hours,
            "window_start": _iso(self.window_start),
            "window_end": _iso(self.window_end),
            "n_samples": self.n_samples,
            "plans": [p.as_dict() for p in self.plans],
            "notes": list(self.notes),
        }
