"""schemathesis against the OpenAPI schema of a real `headroom serve` on loopback: no 5xx, responses match.

The server runs over a copy of a 300-day demo home (every endpoint has the data it needs) with a
write key. Each operation gets a bounded number of schema-valid and schema-violating requests, so
this stays a few tens of seconds. (schemathesis' own pytest loader fails on pytest 9, so the
operations' hypothesis strategies are driven directly.)
"""

from __future__ import annotations

import pytest

schemathesis = pytest.importorskip("schemathesis", reason="schemathesis is a test extra (see RELIABILITY.md)")

from hypothesis import HealthCheck, given  # noqa: E402
from hypothesis import settings as hsettings  # noqa: E402
from hypothesis.errors import Unsatisfiable  # noqa: E402
from schemathesis import GenerationMode  # noqa: E402
from schemathesis.specs.openapi.checks import positive_data_acceptance  # noqa: E402

from tests.reliability.conftest import WRITE_KEY  # noqa: E402

POSITIVE_EXAMPLES = 10  # per operation
NEGATIVE_EXAMPLES = 6
JOB_RUN = "/v1/jobs/{name}/run"  # a real retrain: left to the crash tests, fuzzed here without a key


def _operations(base: str) -> list:
    schema = schemathesis.openapi.from_url(f"{base}/openapi.json")
    return [result.ok() for result in schema.get_all_operations()]


def _fuzz(operation, mode, examples: int, base: str, headers: dict[str, str]) -> int:
    sent = []

    @hsettings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case) -> None:
        # Every default check but "schema-valid data is accepted": the schema cannot say that a
        # region must be in the catalog or a quantile within the published 0.01 ... 0.99, so those
        # are (documented) 404s and 422s, not failures.
        response = case.call_and_validate(
            base_url=base, headers=headers, excluded_checks=[positive_data_acceptance]
        )
        sent.append(response.status_code)
        assert response.status_code < 500, response.text

    run()
    return len(sent)


@pytest.mark.parametrize("mode", ["positive", "negative"])
def test_api__no_server_error_and_every_response_matches_its_schema(live_server, mode):
    generation = GenerationMode.POSITIVE if mode == "positive" else GenerationMode.NEGATIVE
    examples = POSITIVE_EXAMPLES if mode == "positive" else NEGATIVE_EXAMPLES
    operations = _operations(live_server.base)
    assert len(operations) >= 13
    total = skipped = 0
    for operation in operations:
        keyed = operation.path != JOB_RUN
        headers = {"Authorization": f"Bearer {WRITE_KEY}"} if keyed else {}
        try:
            total += _fuzz(operation, generation, examples, live_server.base, headers)
        except Unsatisfiable:
            assert mode == "negative"  # nothing to violate: no parameter and no body (e.g. /healthz)
            skipped += 1
        except Exception as exc:
            raise AssertionError(f"{operation.method.upper()} {operation.path} ({mode}): {exc}") from exc
    assert total >= len(operations) - skipped  # every operation was called at least once
    log = live_server.log.read_text()
    assert "Traceback" not in log and WRITE_KEY not in log


def test_api__a_store_too_short_for_planning_answers_no_server_error(demo_settings, tmp_path):
    """60 days of demo data: too short for the outlook, queue risk and flexibility. Each of those
    answers a 4xx naming what is missing (the data's move), never a 5xx or a 503 to retry."""
    import shutil

    from tests.reliability.conftest import serve

    home = tmp_path / "home"
    shutil.copytree(demo_settings.home, home)
    served = serve(home, tmp_path / "server.log")
    try:
        operations = _operations(served.base)
        for operation in operations:
            if operation.path == JOB_RUN:
                continue
            headers = {"Authorization": f"Bearer {WRITE_KEY}"}
            try:
                _fuzz(operation, GenerationMode.POSITIVE, 4, served.base, headers)
            except Exception as exc:
                raise AssertionError(f"{operation.method.upper()} {operation.path}: {exc}") from exc
        log = served.log.read_text()
    finally:
        served.stop()
    assert "Traceback" not in log
