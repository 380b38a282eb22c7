"""The capacity plan over HTTP: read openly, written with the key, bad input as 4xx naming the field."""

import shutil

import pytest
from fastapi.testclient import TestClient

from pipelines.config.settings import Settings
from service.app import create_app
from tests.service.conftest import WRITE_KEY, options

KEY = {"Authorization": f"Bearer {WRITE_KEY}"}
PATH = "/v1/regions/nordics/capacity-plan"


@pytest.fixture(scope="module")
def client(planning_home, tmp_path_factory):
    home = tmp_path_factory.mktemp("capplan") / "home"
    shutil.copytree(planning_home.home, home)
    settings = Settings(home=home, api_keys=WRITE_KEY)
    with TestClient(create_app(settings, options())) as client:
        yield client


def test_capacity_plan__post_then_the_outlook_and_get_show_it(client):
    before = client.get("/v1/regions/nordics/outlook", params={"months": 12}).json()
    start = before["rows"][4]["month"]
    posted = client.post(PATH, json={"mw": 500, "from_date": start, "note": "new hydro unit"}, headers=KEY)
    assert posted.status_code == 201, posted.text
    assert posted.json()["added"]["mw"] == 500 and posted.json()["net_mw"] == 500
    after = client.get("/v1/regions/nordics/outlook", params={"months": 12}).json()
    pairs = zip(after["rows"], before["rows"], strict=True)
    shift = [a["headroom"]["p50"] - b["headroom"]["p50"] for a, b in pairs]
    assert shift[:4] == pytest.approx([0] * 4, abs=0.11) and shift[4:] == pytest.approx([500] * 8, abs=0.11)
    assert after["inputs"]["capacity_plan"][0]["from_date"] == start
    assert any(p["series"] == "capacity_plan" for p in after["provenance"])
    listed = client.get(PATH).json()
    assert [c["note"] for c in listed["changes"]] == ["new hydro unit"]


def test_capacity_plan__write_needs_the_key(client):
    response = client.post(PATH, json={"mw": 10, "from_date": "2027-01-01"})
    assert response.status_code == 401 and response.json()["error"]["code"] == "unauthorized"


@pytest.mark.parametrize(
    ("body", "field"),
    [({"mw": 0, "from_date": "2027-01-01"}, "mw"), ({"mw": 10, "from_date": "2027-13-01"}, "from_date"),
     ({"mw": 10, "from_date": "1900-01-01"}, "from_date"), ({"from_date": "2027-01-01"}, "mw"),
     ({"mw": 10, "from_date": "2027-01-01", "note": "x" * 501}, "note")],
)
def test_capacity_plan__bad_input_is_422_naming_the_field(client, body, field):
    response = client.post(PATH, json=body, headers=KEY)
    assert response.status_code == 422, response.text
    assert any(d["field"].split(".")[-1] == field for d in response.json()["error"]["details"])


@pytest.mark.parametrize("method", ["get", "post"])
def test_capacity_plan__unknown_region_is_404(client, method):
    kwargs = {"json": {"mw": 10, "from_date": "2027-01-01"}, "headers": KEY} if method == "post" else {}
    response = getattr(client, method)("/v1/regions/atlantis/capacity-plan", **kwargs)
    assert response.status_code == 404 and response.json()["error"]["code"] == "unknown_region"
