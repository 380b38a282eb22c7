"""Fan-out of per-region work: a local process pool (default) or a Dask cluster.

Tasks receive the settings (store location included) and their regions, never the data; each
writes its own results to the store in an atomic commit, and only small results come back.
"""

from __future__ import annotations

import math
import multiprocessing
import os
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from typing import Any

from forecast.errors import UserError

OnDone = Callable[[], None]


class ExecutorUnavailableError(UserError, LookupError):
    """The chosen executor cannot be started here."""


class UnknownExecutorError(UserError, ValueError):
    """An executor name that is not inline, local or dask."""

    def __init__(self, kind: str) -> None:
        super().__init__(f"--executor must be inline, local or dask, not {kind!r}")


class Executor(ABC):
    """Runs one function over many items in other processes, results in item order."""

    name: str = "executor"
    dashboard: str | None = None

    @abstractmethod
    def map(self, func: Callable[..., Any], items: Sequence[Any], on_done: OnDone | None = None) -> list:
        """func(item) for every item; `on_done` is called as each finishes (for progress)."""

    @property
    @abstractmethod
    def workers(self) -> int:
        """How many tasks run at once."""

    @abstractmethod
    def close(self) -> None:
        """Release processes and connections."""

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# Native thread pools of a pooled worker: one task per core already, and a spinning OpenMP or
# BLAS pool per process stalls the others (as Dask's nanny sets for its workers).
WORKER_THREAD_ENV = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def one_thread_per_worker() -> None:
    """Initializer of a pooled worker: native libraries loaded from now on use one thread."""
    os.environ.update(dict.fromkeys(WORKER_THREAD_ENV, "1"))


class LocalExecutor(Executor):
    """A pool of worker processes on this machine (spawned: safe with polars' threads), each with
    one native thread."""

    name = "local"

    def __init__(self, workers: int | None = None) -> None:
        self._workers = workers or os.cpu_count() or 1
        self._pool = ProcessPoolExecutor(
            self._workers, mp_context=multiprocessing.get_context("spawn"), initializer=one_thread_per_worker
        )

    @property
    def workers(self) -> int:
        return self._workers

    def map(self, func: Callable[..., Any], items: Sequence[Any], on_done: OnDone | None = None) -> list:
        futures = {self._pool.submit(func, item): i for i, item in enumerate(items)}
        results: list[Any] = [None] * len(items)
        for future in as_completed(futures):
            results[futures[future]] = future.result()
            if on_done:
                on_done()
        return results

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


class DaskExecutor(Executor):
    """dask.distributed: a client of the cluster at `address`, or of a LocalCluster started here."""

    name = "dask"

    def __init__(self, address: str | None = None, workers: int | None = None, retries: int = 2) -> None:
        try:
            from distributed import Client, LocalCluster
        except ImportError as exc:  # the dask extra is not installed
            raise ExecutorUnavailableError(
                "the dask executor needs dask.distributed: pip install 'grid-headroom[dask]'"
            ) from exc
        self.retries = retries
        self._cluster = None
        if address:
            self._client = Client(address)
        else:
            self._cluster = LocalCluster(
                n_workers=workers or os.cpu_count() or 1,
                threads_per_worker=1,
                processes=True,
                dashboard_address=":0",
            )
            self._client = Client(self._cluster)
        self.dashboard = self._client.dashboard_link

    @property
    def client(self) -> Any:
        """The dask.distributed client."""
        return self._client

    @property
    def workers(self) -> int:
        return max(1, len(self._client.scheduler_info().get("workers", {})))

    def map(self, func: Callable[..., Any], items: Sequence[Any], on_done: OnDone | None = None) -> list:
        from distributed import as_completed as dask_completed

        # pure=False: two tasks with equal arguments are still two runs; retries cover lost workers.
        futures = self._client.map(func, list(items), pure=False, retries=self.retries)
        for _ in dask_completed(futures):
            if on_done:
                on_done()
        return self._client.gather(futures)

    def close(self) -> None:
        self._client.close()
        if self._cluster is not None:
            self._cluster.close()


def get_executor(kind: str, address: str | None = None, workers: int | None = None) -> Executor:
    """An executor by name: `local` or `dask`."""
    if kind == "local":
        return LocalExecutor(workers)
    if kind == "dask":
        return DaskExecutor(address, workers)
    raise UnknownExecutorError(kind)


@contextmanager
def open_executor(
    kind: str | None, address: str | None = None, workers: int | None = None
) -> Iterator[Executor | None]:
    """The one reading of an executor choice (CLI flags, `HEADROOM_EXECUTOR`): None runs inline.

    No kind and no address, or `inline`, is inline; an address alone means dask.
    """
    if (kind is None and not address) or kind == "inline":
        yield None
        return
    with get_executor(kind or "dask", address or None, workers) as pool:
        yield pool


def groups(regions: Sequence[str], workers: int, per_worker: int = 4) -> list[list[str]]:
    """Regions in about `workers * per_worker` groups: coarse tasks, yet enough to balance."""
    if not regions:
        return []
    size = max(1, math.ceil(len(regions) / (workers * per_worker)))
    return [list(regions[i : i + size]) for i in range(0, len(regions), size)]
