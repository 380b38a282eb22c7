"""The house: imports go one way, rooms do not import each other in a circle, modules stay small."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("forecast", "pipelines", "service")
MAX_MODULES = 14  # "about twelve" per package root, plus __init__.py (and the CLI's __main__.py)
MAX_LINES = 300
REASON = "Longer than 300 lines because"


def modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def imported(path: Path) -> set[str]:
    """Every module a file imports, top level or inside functions."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def room(module: str) -> str | None:
    """`pipelines.jobs.runner` -> `pipelines.jobs`; a top-level module is its own room."""
    parts = module.split(".")
    if parts[0] not in PACKAGES:
        return None
    return ".".join(parts[:2]) if len(parts) > 1 else parts[0]


def module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


@pytest.mark.parametrize(("package", "forbidden"), [("forecast", ("pipelines", "service")),
                                                    ("pipelines", ("service",))])
def test_imports__go_one_way(package, forbidden):
    wrong = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in modules(package)
        for name in imported(path)
        if name.split(".")[0] in forbidden
    ]
    assert wrong == []


def test_forecast__is_pure_no_files_clock_or_network():
    banned = {"httpx", "requests", "urllib.request", "socket", "deltalake", "pathlib"}
    wrong = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in modules("forecast")
        for name in imported(path)
        if name in banned
    ]
    assert wrong == []


def test_rooms_of_pipelines__import_each_other_without_cycles():
    graph: dict[str, set[str]] = defaultdict(set)
    for path in modules("pipelines"):
        source = room(module_name(path))
        for name in imported(path):
            target = room(name)
            if target and target != source and target.startswith("pipelines") and source != "pipelines.cli":
                graph[source].add(target)
    cycles = []

    def visit(node: str, trail: list[str]) -> None:
        for nxt in sorted(graph[node]):
            if nxt in trail:
                cycles.append(" -> ".join([*trail[trail.index(nxt):], nxt]))
            elif len(trail) < 12:
                visit(nxt, [*trail, nxt])

    for start in sorted(graph):
        visit(start, [start])
    assert cycles == []


@pytest.mark.parametrize("package", PACKAGES)
def test_package_roots__hold_about_twelve_modules(package):
    for folder in [ROOT / package, *[p for p in (ROOT / package).rglob("*") if p.is_dir()]]:
        if folder.name in {"__pycache__", "static"}:
            continue
        count = len(list(folder.glob("*.py")))
        assert count <= MAX_MODULES, f"{folder.relative_to(ROOT)} holds {count} modules"


@pytest.mark.parametrize("package", PACKAGES)
def test_modules__stay_under_300_lines_or_say_why(package):
    long = []
    for path in modules(package):
        lines = path.read_text().splitlines()
        if len(lines) > MAX_LINES and REASON not in "\n".join(lines[:10]):
            long.append(f"{path.relative_to(ROOT)}: {len(lines)} lines")
    assert long == []
