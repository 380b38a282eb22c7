# ruff: noqa: E501  (the catalog is a table: one case a line reads better than wrapped)
"""Bad-input catalog, HTTP: each bad request gets its status, error code and a message naming the problem.

Through the app (TestClient, server errors returned rather than raised). Every answer is the one
JSON error body with no traceback; a refused write commits nothing; what was stored stays.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi.testclient import TestClient

from pipelines.config.settings import Settings
from service.app import create_app
from tests.reliability.conftest import WRITE_KEY, assert_kept, assert_unchanged, snapshot
from tests.service.conftest import options

AUTH = {"Authorization": f"Bearer {WRITE_KEY}"}
NDJSON = {**AUTH, "Content-Type": "application/x-ndjson"}
ROW = {"region": "us-nova", "series": "grid_load", "ts": "2024-02-01T10:00:00Z", "value": 14000.0, "unit": "MW"}
MIB = 1024 * 1024


def rows(**change: Any) -> dict:
    return {"observations": [{**ROW, **change}]}


@dataclass(frozen=True)
class HttpCase:
    """A request and the answer it must get: status, error code (or batch reasons), message fragment."""

    id: str
    method: str
    path: str
    kwargs: dict = field(default_factory=dict)
    status: int = 422
    code: str | None = "invalid_request"
    says: str = ""  # a fragment the error message must contain (case-insensitive)
    reasons: dict[str, int] | None = None  # for a 200 batch: the quarantine reasons
    bug: str | None = None


def post(path: str = "/v1/observations", **kwargs: Any) -> tuple[str, str, dict]:
    return "POST", path, kwargs


CASES = [
    # --- keys ---------------------------------------------------------------------------------
    HttpCase("no_key", *post(json=rows()), status=401, code="unauthorized", says="Authorization: Bearer"),
    HttpCase("wrong_key", *post(json=rows(), headers={"Authorization": "Bearer not-the-key"}), status=401,
             code="unauthorized", says="not valid"),
    HttpCase("empty_bearer", *post(json=rows(), headers={"Authorization": "Bearer "}), status=401, code="unauthorized"),
    HttpCase("basic_scheme", *post(json=rows(), headers={"Authorization": f"Basic {WRITE_KEY}"}), status=401,
             code="unauthorized"),
    HttpCase("key_without_scheme", *post(json=rows(), headers={"Authorization": WRITE_KEY}), status=401,
             code="unauthorized"),
    HttpCase("key_with_suffix", *post(json=rows(), headers={"Authorization": f"Bearer {WRITE_KEY}x"}), status=401,
             code="unauthorized"),
    HttpCase("job_run_without_key", "POST", "/v1/jobs/compact/run", status=401, code="unauthorized"),
    HttpCase("job_run_wrong_key", "POST", "/v1/jobs/refresh/run", {"headers": {"Authorization": "Bearer x"}},
             status=401, code="unauthorized"),
    # --- size and shape -----------------------------------------------------------------------
    HttpCase("body_50mb_declared", *post(content=b"x" * (50 * MIB), headers=AUTH), status=413, code="body_too_large",
             says="exceeds the limit"),
    HttpCase("body_50mb_streamed", *post(content=iter([b"x" * MIB] * 50), headers=AUTH), status=413,
             code="body_too_large", says="exceeds the limit"),
    HttpCase("deeply_nested_json", *post(content=b'{"observations": [{"region": ' + b"[" * 5000 + b"]" * 5000 + b"}]}",
                                          headers=AUTH), says="recursion limit"),
    HttpCase("deeply_nested_array_body", *post(content=b"[" * 100_000 + b"]" * 100_000, headers=AUTH), says="recursion"),
    HttpCase("unknown_field_in_row", *post(json=rows(issue_at="2024-02-01T00:00:00Z"), headers=AUTH),
             says="observations.0.issue_at: extra inputs are not permitted"),
    HttpCase("unknown_top_level_field", *post(json={**rows(), "source": "me"}, headers=AUTH),
             says="body.source: extra inputs are not permitted"),
    HttpCase("empty_body", *post(content=b"", headers=AUTH), says="Invalid JSON"),
    HttpCase("null_body", *post(content=b"null", headers={**AUTH, "Content-Type": "application/json"}),
             says="Input should be an object"),
    HttpCase("array_body", *post(json=[ROW], headers=AUTH), says="Input should be an object"),
    HttpCase("empty_batch", *post(json={"observations": []}, headers=AUTH), says="at least 1 item"),
    HttpCase("invalid_utf8", *post(content=b'{"observations": [{"region": "\xff\xfe"}]}', headers=AUTH),
             says="Invalid JSON"),
    HttpCase("bad_ndjson_line", *post(content=json.dumps(ROW).encode() + b"\n{oops\n", headers=NDJSON), says="line 2"),
    HttpCase("ndjson_line_not_an_object", *post(content=b"[1, 2]\n", headers=NDJSON), says="line 1: expected an object"),
    HttpCase("value_is_a_list", *post(json=rows(value=[1, 2]), headers=AUTH), says="observations.0.value"),
    HttpCase("value_is_a_boolean", *post(json=rows(value=True), headers=AUTH), says="observations.0.value"),
    HttpCase("value_is_an_object", *post(json=rows(value={"mw": 1}), headers=AUTH), says="observations.0.value"),
    # --- content types ------------------------------------------------------------------------
    HttpCase("json_sent_as_text_plain", *post(content=json.dumps(rows()), headers={**AUTH, "Content-Type": "text/plain"}),
             status=415, code="unsupported_media_type", says="application/json"),
    HttpCase("csv_body", *post(content=b"region,ts\nus-nova,2024\n", headers={**AUTH, "Content-Type": "text/csv"}),
             status=415, code="unsupported_media_type", says="text/csv"),
    HttpCase("form_body", *post(data={"region": "us-nova"}, headers=AUTH), status=415, code="unsupported_media_type",
             says="application/x-www-form-urlencoded"),
    # --- values that are quarantined, not refused: 200 with the reason ------------------------
    HttpCase("nan_literal", *post(content=b'{"observations": [{"region": "us-nova", "series": "grid_load", '
                                          b'"ts": "2024-02-01T11:00:00Z", "value": NaN}]}', headers=AUTH),
             status=200, code=None, reasons={"not_a_number": 1}),
    HttpCase("number_overflowing_to_infinity", *post(content=b'{"observations": [{"region": "us-nova", "series": '
                                                     b'"grid_load", "ts": "2024-02-01T12:00:00Z", "value": 1e400}]}',
                                                     headers=AUTH), status=200, code=None, reasons={"not_a_number": 1}),
    HttpCase("negative_and_huge", *post(json={"observations": [{**ROW, "value": -1}, {**ROW, "ts": "2024-02-01T13:00:00Z",
                                                                                    "value": 5e9}]}, headers=AUTH),
             status=200, code=None, reasons={"negative": 1, "implausible_physical": 1}),
    HttpCase("markup_and_control_chars_in_region", *post(json=rows(region="us-nova\x00<script>alert(1)</script>"),
                                                         headers=AUTH), status=200, code=None, reasons={"unknown_region": 1}),
    HttpCase("unknown_region", *post(json=rows(region="atlantis"), headers=AUTH), status=200, code=None,
             reasons={"unknown_region": 1}),
    HttpCase("malformed_timestamp", *post(json=rows(ts="tomorrow"), headers=AUTH), status=200, code=None,
             reasons={"malformed_ts": 1}),
    HttpCase("unknown_unit", *post(json=rows(unit="horsepower"), headers=AUTH), status=200, code=None,
             reasons={"unknown_unit": 1}),
    HttpCase("far_past_timestamp", *post(json=rows(ts="0001-01-01T00:00:00Z"), headers=AUTH), status=200, code=None,
             reasons={"ts_out_of_range": 1}),
    # --- reads --------------------------------------------------------------------------------
    HttpCase("markup_region_in_path", "GET", "/v1/regions/%3Cscript%3E/forecast", status=404, code="unknown_region",
             says="known regions"),
    HttpCase("path_traversal_region", "GET", "/v1/regions/..%2F..%2Fetc%2Fpasswd/forecast", status=404, code="not_found"),
    HttpCase("path_traversal_static", "GET", "/static/../../etc/passwd", status=404, code="not_found"),
    HttpCase("horizon_astronomical", "GET", "/v1/regions/us-nova/forecast", {"params": {"horizon": "1" + "0" * 30}},
             says="horizon"),
    HttpCase("quantiles_too_long", "GET", "/v1/regions/us-nova/forecast", {"params": {"quantiles": ",".join(["0.5"] * 500)}},
             says="quantiles"),
    HttpCase("quantile_nan", "GET", "/v1/regions/us-nova/forecast", {"params": {"quantiles": "nan"}},
             code="invalid_quantiles", says="strictly between 0 and 1"),
    HttpCase("target_traversal", "GET", "/v1/regions/us-nova/forecast", {"params": {"target": "../etc"}}, says="target"),
    HttpCase("job_name_traversal", "POST", "/v1/jobs/..%2Fetc/run", {"headers": AUTH}, status=404, code="not_found"),
    HttpCase("unknown_job", "POST", "/v1/jobs/rm-rf/run", {"headers": AUTH}, status=404, code="unknown_job",
             says="rm-rf"),
    HttpCase("queue_risk_negative_mw", "POST", "/v1/queue-risk",
             {"json": {"region": "us-nova", "mw": -5, "target_date": "2027-01-01"}}, says="mw"),
    HttpCase("queue_risk_body_not_utf8_json", "POST", "/v1/queue-risk",
             {"content": b"\x11d\x18\xff\xfe", "headers": {"Content-Type": "application/json"}}, says="body: not valid JSON"),
    HttpCase("siting_body_not_json", "POST", "/v1/siting", {"content": b"mw=5", "headers": {"Content-Type": "application/json"}},
             says="body"),
    HttpCase("oversized_headers", "GET", "/healthz", {"headers": {f"X-Pad-{i}": "a" * 4000 for i in range(10)}},
             status=431, code="headers_too_large", says="exceed"),
    HttpCase("queue_risk_bad_date", "POST", "/v1/queue-risk",
             {"json": {"region": "us-nova", "mw": 5, "target_date": "2027-02-30"}}, says="target_date"),
]


@pytest.fixture(scope="module")
def app_and_store(tmp_path_factory):
    from pipelines.store import Store
    from tests.reliability.conftest import seed

    home = tmp_path_factory.mktemp("http-catalog") / "home"
    settings = Settings(home=home, api_keys=WRITE_KEY)
    store = Store(settings.tables)
    seed(store, settings, home.parent / "seed")
    with TestClient(create_app(settings, options()), raise_server_exceptions=False) as client:
        yield client, store


def _params() -> list:
    return [
        pytest.param(c, id=c.id, marks=[pytest.mark.xfail(strict=True, reason=c.bug)] if c.bug else [])
        for c in CASES
    ]


@pytest.mark.parametrize("case", _params())
def test_bad_request__gets_its_error_no_traceback_and_loses_nothing(app_and_store, case):
    client, store = app_and_store
    before = snapshot(store)
    response = client.request(case.method, case.path, **case.kwargs)
    assert response.status_code == case.status, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert "Traceback" not in response.text and 'File "' not in response.text
    body = response.json()
    if case.code is not None:
        assert body["error"]["code"] == case.code, body
        assert case.says.lower() in body["error"]["message"].lower(), body
        assert WRITE_KEY not in response.text
        assert_unchanged(store, before)
    if case.reasons is not None:
        assert body["by_reason"] == case.reasons
        assert body["accepted"] + body["updated"] + body["unchanged"] + body["quarantined"] == body["rows_read"]
    assert_kept(store, before)


def test_catalog__http_and_files_together_exceed_forty_cases():
    from tests.reliability.test_bad_files import CASES as FILE_CASES

    assert len(CASES) >= 30 and len(CASES) + len(FILE_CASES) >= 70

