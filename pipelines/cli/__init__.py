"""The `headroom` command: each module of this package registers its commands on one typer app.

A module here defines `register(app)`; it is picked up by name, so adding a command group never
edits a shared file. Every command is a thin door into a pipeline function.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import sys
from collections.abc import Sequence

import typer
from pydantic import ValidationError
from rich.console import Console

from forecast.errors import UserError
from pipelines.executor import WORKER_THREAD_ENV

# One native BLAS/OpenMP thread unless the caller chose (`make run` sets the same), before the
# command modules load numpy: `headroom serve` or `train` run by hand fits SARIMAX beside LightGBM
# (whose own threads are HEADROOM_TRAIN_THREADS), and spinning BLAS threads stall both on 2 cores.
for _name in WORKER_THREAD_ENV:
    os.environ.setdefault(_name, "1")

app = typer.Typer(
    name="headroom",
    help="Grid headroom and interconnection-queue risk forecasts for siting AI compute.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
err_console = Console(stderr=True, soft_wrap=True)
_debug = {"on": False}

# Errors a user can act on: shown as one line, exit 1, no traceback unless --debug. A path the user
# gave that cannot be read, and settings that fail validation, are theirs to fix too. Anything else
# is a bug: one line saying so, exit 70 (EX_SOFTWARE), the traceback with --debug.
USER_ERRORS: tuple[type[BaseException], ...] = (
    UserError, FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError, ValidationError,
)
USER_EXIT, BUG_EXIT = 1, 70


@app.callback()
def _options(
    debug: bool = typer.Option(False, "--debug", help="Show full tracebacks on errors."),
) -> None:
    _debug["on"] = debug


def _register_all() -> None:
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(app)


_register_all()


def error_line(exc: BaseException) -> str:
    """One line that says what went wrong."""
    text = str(exc.args[0]) if isinstance(exc, KeyError) and exc.args else str(exc)
    return f"error: {text.splitlines()[0] if text else type(exc).__name__}"


def main(argv: Sequence[str] | None = None) -> None:
    """Console entry point: user errors as one line and exit 1; a bug as one line and exit 70."""
    try:
        app(args=list(argv) if argv is not None else None, prog_name="headroom")
    except USER_ERRORS as exc:
        if _debug["on"] or "--debug" in (argv or sys.argv):
            raise
        err_console.print(error_line(exc), markup=False, highlight=False)
        sys.exit(USER_EXIT)
    except Exception as exc:
        if _debug["on"] or "--debug" in (argv or sys.argv):
            raise
        err_console.print(
            f"internal error: {type(exc).__name__}: {error_line(exc).removeprefix('error: ')} "
            "(a bug, not your input: rerun with --debug for the traceback and report it)",
            markup=False, highlight=False,
        )
        sys.exit(BUG_EXIT)
