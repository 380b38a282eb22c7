"""`run_placement`: answer a placement query from the latest issue's joint headroom paths.

The CLI (`headroom place`) and HTTP (`POST /v1/placement`) call this and only translate. The cube
of paths is built once per published version and reused until a new issue is published.
"""

from __future__ import annotations

import contextlib
import dataclasses
import threading
from datetime import datetime

from forecast.errors import UserError
from forecast.placement import HeadroomCube, Placement, PlacementQuery, headroom_cube, place
from forecast.placement.answer import hhmm
from forecast.placement.query import ceil_hour, check_query
from pipelines.config.settings import Settings
from pipelines.placement.paths import TABLE, read_latest_paths
from pipelines.store import Store


class HorizonPassedError(UserError, LookupError):
    """The latest issue's horizon ends before now: the store cannot answer until a newer issue (409)."""

    def __init__(self, now: datetime, horizon_end: datetime, issued_at: datetime) -> None:
        self.now, self.horizon_end, self.issued_at = now, horizon_end, issued_at
        super().__init__(
            f"the latest issue ({hhmm(issued_at)}) covers hours up to {hhmm(horizon_end)}, before now "
            f"({hhmm(now)}); publish a newer forecast (`headroom train`, or wait for the scheduled refresh)"
        )


@dataclasses.dataclass(frozen=True)
class IssueCube:
    """A cube and what the pipeline knows beside it (regions left out, mixed issues)."""

    cube: HeadroomCube
    notes: tuple[str, ...]


class CubeCache:
    """The cube of the latest issue per store, rebuilt only when forecasts or paths change."""

    def __init__(self) -> None:
        self._cubes: dict[tuple[str, int | None, int | None], IssueCube] = {}
        self._lock = threading.Lock()

    def get(self, store: Store) -> IssueCube:
        key = (store.root, store.version("forecasts"), store.version(TABLE))
        found = self._cubes.get(key)
        if found is None:
            with self._lock:
                found = self._cubes.get(key)
                if found is None:
                    found = build_cube(store)
                    self._cubes = {k: v for k, v in self._cubes.items() if k[0] != store.root}
                    self._cubes[key] = found
        return found


CUBES = CubeCache()


def warm_cube(store: Store) -> None:
    """Build the latest issue's cube now (right after a publish is seen), so no query pays for it."""
    with contextlib.suppress(UserError):
        CUBES.get(store)


def build_cube(store: Store) -> IssueCube:
    """Read the latest issue's paths and lay them out as a cube (no refit, no sampling)."""
    latest = read_latest_paths(store)
    issued = latest.issues["issued_at"]
    versions = sorted(set(latest.issues["model_version"].to_list()))
    cube = headroom_cube(latest.frame, issued.max(), ",".join(versions))
    notes = []
    if issued.n_unique() > 1:
        oldest = latest.issues.filter(issued == issued.min())["region"].to_list()
        notes.append(f"Regions come from different issues: {', '.join(oldest)} from {hhmm(issued.min())}; "
                     f"the others from {hhmm(issued.max())}; hours are those every region covers.")
    if latest.without_paths:
        notes.append(f"No headroom paths were kept for {', '.join(latest.without_paths)} "
                     "(issued before paths were stored); the next publish adds them.")
    return IssueCube(cube, tuple(notes))


def run_placement(store: Store, settings: Settings, query: PlacementQuery, now: datetime) -> Placement:
    """Plans for `query` from the store's latest issue; raises the core's PlacementQueryError
    subclasses (422/404), HorizonPassedError (409) when the latest issue ends before `now`, and
    PathsNotPublishedError (503) when nothing with paths is published."""
    issue = CUBES.get(store)
    check_query(query, issue.cube.regions)  # a bad field is named before the issue's age
    if ceil_hour(now) >= issue.cube.end:
        raise HorizonPassedError(now, issue.cube.end, issue.cube.issued_at)
    answer = place(issue.cube, query, now)
    return dataclasses.replace(answer, notes=answer.notes + issue.notes) if issue.notes else answer
