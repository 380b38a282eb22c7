"""The dashboard in Chromium on a short store (4 months) and a full one (>1 year): no failed request,
no console error, no spinner left standing, and the flexibility charts where the data allows them."""

from datetime import timedelta

import pytest

from tests.conftest import trained_demo_home
from tests.e2e.test_dashboard import browser  # noqa: F401  (the shared Chromium fixture)
from tests.servers import serving_in_thread


@pytest.fixture(scope="module")
def short_home(tmp_path_factory):
    """About four months of demo data: too short for the outlook, queue risk and flexibility."""
    return trained_demo_home(tmp_path_factory.mktemp("short"), days=120)


@pytest.fixture(scope="module")
def full_home(tmp_path_factory):
    """560 days of demo data: one whole local calendar year (2025) for the flexibility analysis."""
    return trained_demo_home(tmp_path_factory.mktemp("full"), days=560)


def open_page(chromium, base):
    """The page loaded and settled, with every failed request and console error it met."""
    page = chromium.new_page(viewport={"width": 1280, "height": 1600})
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"console: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"failed: {r.url}"))
    page.on("response", lambda r: problems.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)
    page.goto(base + "/")
    page.wait_for_selector("body[data-ready='true']", timeout=30_000)
    page.wait_for_function(
        "[...document.querySelectorAll('td.risk')].every(td => td.textContent !== '…')", timeout=30_000
    )
    page.wait_for_load_state("networkidle")
    return page, problems


def test_dashboard__short_store_says_what_needs_more_history_without_failed_requests(browser, short_home):  # noqa: F811
    with serving_in_thread(short_home) as base:
        page, problems = open_page(browser, base)
        assert problems == []
        assert page.locator("#hourly-chart .main-svg").count() >= 1
        assert "needs more history" in page.inner_text("#outlook-status")
        assert "complete months" in page.inner_text("#outlook-status")
        assert "whole calendar year" in page.inner_text("#flex-status")
        risks = page.locator("td.risk").all_inner_texts()
        assert risks and all(t == "needs more history" for t in risks)
        page.close()


def test_dashboard__full_store_draws_the_curtailment_curve_and_calendar(browser, full_home):  # noqa: F811
    with serving_in_thread(full_home) as base:
        page, problems = open_page(browser, base)
        page.wait_for_selector("#flex-calendar .main-svg", timeout=timedelta(seconds=30).seconds * 1000)
        assert problems == []
        assert page.locator("#flex-curve .scatterlayer .trace").count() == 4  # band of two, median, history
        assert page.locator("#flex-calendar .heatmaplayer .hm").count() == 1
        assert page.inner_text("#flex-status") == ""
        assert "forward basis capacity_series" in page.inner_text("#flex-caption")
        page.select_option("#region-select", "de-fra")
        page.wait_for_function("document.querySelector('#flex-caption').textContent.startsWith('de-fra')")
        assert problems == []
        page.close()
