"""Prometheus metrics of one app: request latency by route, forecast age, ingest rows, job runs, models."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import polars as pl
from prometheus_client import CollectorRegistry, Counter, Histogram, ProcessCollector
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from forecast import schema as S
from pipelines.runs import last_runs, run_counts
from pipelines.serving.published import PublishedForecasts
from pipelines.store import Store

# Fine at the low end: the forecast path aims at single-digit milliseconds.
LATENCY_BUCKETS = (0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0)


class ServingCollector(Collector):
    """Forecast age per region and target, and the model version serving each, read at scrape."""

    def __init__(self, published: PublishedForecasts, clock: Callable[[], float] = time.time) -> None:
        self.published, self.clock = published, clock

    def collect(self) -> Iterator[Metric]:
        age = GaugeMetricFamily(
            "headroom_forecast_age_seconds", "Seconds since the served forecast was issued.",
            labels=["region", "target"],
        )
        info = GaugeMetricFamily(
            "headroom_serving_model_info", "Model version serving each region and target (value 1).",
            labels=["region", "target", "model_version"],
        )
        rows = self.published.rows
        if not rows.is_empty():
            latest = rows.group_by(S.REGION, S.TARGET).agg(
                pl.col(S.ISSUED_AT).first(), pl.col(S.MODEL_VERSION).first()
            )
            now = self.clock()
            for region, target, issued_at, version in latest.sort(S.REGION, S.TARGET).iter_rows():
                age.add_metric([region, target], now - issued_at.timestamp())
                info.add_metric([region, target, version], 1.0)
        yield age
        yield info


class RunsCollector(Collector):
    """Pipeline runs by job and status, from the runs table (every process's runs, not only ours)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._version: int | None = -1
        self._counts: list[tuple[str, str, int]] = []
        self._last: list[tuple[str, bool]] = []

    def collect(self) -> Iterator[Metric]:
        runs = CounterMetricFamily("headroom_job_runs", "Pipeline runs recorded, by job and status.",
                                   labels=["job", "status"])
        failed = GaugeMetricFamily("headroom_job_last_run_failed",
                                   "1 when the job's latest run failed (champions keep serving).",
                                   labels=["job"])
        version = self.store.version("runs")
        if version != self._version:
            last = last_runs(self.store).select("job", "status")
            self._counts, self._version = list(run_counts(self.store).iter_rows()), version
            self._last = [(job, status == "error") for job, status in last.iter_rows()]
        for job, status, count in self._counts:
            runs.add_metric([job, status], float(count))
        for job, is_failed in self._last:
            failed.add_metric([job], float(is_failed))
        yield runs
        yield failed


class Metrics:
    """The app's own registry, so that several apps in one process (tests) never collide."""

    def __init__(self, published: PublishedForecasts, store: Store) -> None:
        self.registry = CollectorRegistry()
        self._children: dict[tuple[str, str, int], tuple[Any, Any]] = {}
        self.latency = Histogram(
            "headroom_http_request_duration_seconds", "Time to answer a request, by route template.",
            ["method", "route"], buckets=LATENCY_BUCKETS, registry=self.registry,
        )
        self.requests = Counter(
            "headroom_http_requests", "Requests answered, by route template and status.",
            ["method", "route", "status"], registry=self.registry,
        )
        self.rows_ingested = Counter(
            "headroom_rows_ingested", "Observation rows received over HTTP, by outcome.",
            ["outcome"], registry=self.registry,
        )
        self.registry.register(ServingCollector(published))
        self.registry.register(RunsCollector(store))
        ProcessCollector(registry=self.registry)

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        """Count one answered request."""
        # Label children are looked up once per (method, route, status): `labels()` takes a lock.
        children = self._children.get((method, route, status))
        if children is None:
            children = (self.latency.labels(method, route), self.requests.labels(method, route, str(status)))
            self._children[(method, route, status)] = children
        children[0].observe(seconds)
        children[1].inc()

    def count_ingested(self, outcomes: dict[str, int]) -> None:
        """Add one batch's rows by outcome (accepted, updated, unchanged, quarantined)."""
        for outcome, rows in outcomes.items():
            self.rows_ingested.labels(outcome).inc(rows)
