"""Operations: readiness, Prometheus metrics, request ids and JSON logs, CORS, crashes, assets, OpenAPI."""

import json
import logging

from fastapi.testclient import TestClient

from service.app import create_app
from service.logs import JsonFormatter, request_id_var
from tests.service.conftest import options

DESIGN_PATHS = {
    ("get", "/healthz"), ("get", "/readyz"), ("get", "/metrics"), ("get", "/v1/regions"),
    ("get", "/v1/regions/{region}/forecast"), ("get", "/v1/regions/{region}/outlook"),
    ("post", "/v1/queue-risk"), ("post", "/v1/siting"), ("post", "/v1/observations"),
    ("get", "/v1/models"), ("get", "/v1/jobs"), ("post", "/v1/jobs/{name}/run"),
}


def test_readyz__ready_when_every_region_has_a_forecast(demo_client):
    response = demo_client.get("/readyz")
    assert response.status_code == 200 and response.json()["status"] == "ready"


def test_readyz__503_naming_each_region_without_a_forecast(settings):
    with TestClient(create_app(settings, options())) as client:
        response = client.get("/readyz")
    assert response.status_code == 503
    error = response.json()["error"]
    assert error["code"] == "not_ready" and len(error["details"]["reasons"]) == 4
    assert "us-nova" in error["message"]


def test_metrics__latency_by_route_template_forecast_age_models_and_runs(demo_client):
    demo_client.get("/v1/regions/us-nova/forecast")
    text = demo_client.get("/metrics").text
    assert ('headroom_http_request_duration_seconds_count{method="GET",'
            'route="/v1/regions/{region}/forecast"}') in text
    assert 'headroom_forecast_age_seconds{region="de-fra",target="headroom"}' in text
    assert 'headroom_serving_model_info{model_version="seasonal_naive' in text
    assert 'headroom_job_runs_total{job="train",status="ok"} 1.0' in text


def test_request_id__generated_or_echoed(demo_client):
    generated = demo_client.get("/healthz").headers["x-request-id"]
    assert len(generated) == 32
    echoed = demo_client.get("/healthz", headers={"X-Request-ID": "abc-123"}).headers["x-request-id"]
    assert echoed == "abc-123"
    unsafe = demo_client.get("/healthz", headers={"X-Request-ID": "a b\tc"}).headers["x-request-id"]
    assert unsafe != "a b\tc"


def test_logs__json_lines_carry_the_request_id_and_no_authorization(demo_settings, capsys):
    with TestClient(create_app(demo_settings, options(log_format="json"))) as client:
        client.get("/healthz", headers={"X-Request-ID": "req-42", "Authorization": "Bearer secret"})
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]
    request = next(line for line in lines if line.get("path") == "/healthz")
    assert request["request_id"] == "req-42" and request["status"] == 200 and request["route"] == "/healthz"
    assert "secret" not in json.dumps(lines)


def test_json_formatter__uses_the_current_request_id():
    token = request_id_var.set("rid-7")
    try:
        record = logging.LogRecord("headroom", logging.INFO, __file__, 1, "hello %s", ("x",), None)
        line = json.loads(JsonFormatter().format(record))
    finally:
        request_id_var.reset(token)
    assert line["message"] == "hello x" and line["request_id"] == "rid-7"


def test_cors__closed_unless_configured(demo_settings):
    preflight = {"Origin": "https://planner.example", "Access-Control-Request-Method": "GET"}
    with TestClient(create_app(demo_settings, options())) as client:
        closed = client.options("/v1/regions", headers=preflight)
        plain = client.get("/v1/regions", headers={"Origin": "https://planner.example"})
    assert "access-control-allow-origin" not in closed.headers
    assert "access-control-allow-origin" not in plain.headers
    with TestClient(create_app(demo_settings, options(cors_origins="https://planner.example"))) as client:
        opened = client.options("/v1/regions", headers=preflight)
        other = client.options("/v1/regions", headers={**preflight, "Origin": "https://evil.example"})
    assert opened.headers["access-control-allow-origin"] == "https://planner.example"
    assert "access-control-allow-origin" not in other.headers


def test_crash__is_500_in_the_one_shape_with_the_request_id(demo_settings):
    app = create_app(demo_settings, options())

    def boom() -> None:
        raise RuntimeError("boom")

    app.add_api_route("/boom", boom)
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/boom", headers={"X-Request-ID": "crash-1"})
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "internal_error"
    assert "crash-1" in response.json()["error"]["message"] and "boom" not in response.text


def test_unknown_path__404_in_the_one_shape(demo_client):
    response = demo_client.get("/v2/nothing")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


def test_dashboard__page_and_assets_are_served_by_the_app(demo_client):
    page = demo_client.get("/")
    assert page.status_code == 200 and "/static/plotly.min.js" in page.text
    assert "://" not in page.text  # nothing is loaded from another origin
    assert demo_client.get("/static/plotly.min.js").headers["content-type"].startswith("text/javascript")
    assert demo_client.get("/static/dashboard.js").status_code == 200
    assert demo_client.get("/static/..%2Fapp.py").status_code == 404


def test_openapi__every_design_endpoint_and_schema_examples(demo_client):
    spec = demo_client.get("/openapi.json").json()
    paths = {(method, path) for path, ops in spec["paths"].items() for method in ops}
    assert paths >= DESIGN_PATHS
    for name, schema in spec["components"]["schemas"].items():
        if name in {"HTTPValidationError", "ValidationError"} or "enum" in schema:
            continue
        props = schema.get("properties", {})
        has_example = "examples" in schema or "example" in schema or all(
            "examples" in p or "$ref" in p or p.get("type") == "array" or "anyOf" in p
            for p in props.values()
        )
        assert has_example, f"schema {name} has no example"
