"""A loopback HTTP server that answers like EIA API v2 and ENTSO-E, from recorded answers.

The recorded answers (tests/fixtures/ingest/live/) are whole documents; the fakes serve the
slice a request asks for, the way the real APIs do: EIA filters by facets and start/end and
pages by offset/length (capped at `page_cap` rows, so the client must page), ENTSO-E cuts the
recorded points to [periodStart, periodEnd) and answers reason 999 when nothing is left.
Tests script failures (429, 5xx, 401/403) by pushing them on `failures`.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from lxml import etree

from pipelines.live import Retry

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "ingest" / "live"
EIA_KEY = "eia-test-key-5f3c9a1d"
ENTSOE_TOKEN = "entsoe-token-0b7e4d22"
NS = {"gl": "urn:iec62325.351:tc57wg16:451-6:generationloaddocument:3:0"}
MINUTES = {"PT15M": 15, "PT30M": 30, "PT60M": 60}


@dataclass
class Answer:
    status: int
    body: bytes
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class FakeApis:
    """State of the fake server: recorded data, scripted failures and the requests received."""

    base_url: str = ""
    page_cap: int = 24
    failures: list[Answer] = field(default_factory=list)
    requests: list[tuple[str, dict[str, list[str]]]] = field(default_factory=list)
    hold: threading.Event = field(default_factory=threading.Event)
    stall: int = 0  # requests to leave unanswered until the client times out

    def answer(self, path: str, query: dict[str, list[str]]) -> Answer:
        self.requests.append((path, query))
        if self.stall:
            self.stall -= 1
            self.hold.wait(5)
            return Answer(503, b"")
        if self.failures:
            return self.failures.pop(0)
        if path.startswith("/v2/electricity/rto/"):
            return eia_answer(path, query, self.page_cap)
        if path == "/api":
            return entsoe_answer(query)
        return Answer(404, b'{"error": "not found"}')

    def eia_requests(self) -> list[dict[str, list[str]]]:
        return [q for p, q in self.requests if p.startswith("/v2/")]

    def entsoe_requests(self) -> list[dict[str, list[str]]]:
        return [q for p, q in self.requests if p == "/api"]


def _recorded_eia(path: str) -> dict:
    kind = "region_sub_ba_data" if "sub-ba" in path else "region_data"
    name = f"eia_{kind}_2024-03-09_11.json"
    return json.loads((FIXTURES / name).read_text())


def eia_answer(path: str, query: dict[str, list[str]], page_cap: int) -> Answer:
    """Filter the recorded rows like EIA API v2 does; 403 without the right api_key."""
    if query.get("api_key") != [EIA_KEY]:
        body = {"error": {"code": "API_KEY_INVALID",
                          "message": "An invalid api_key was supplied. Get one at https://api.eia.gov:443"}}
        return Answer(403, json.dumps(body).encode())
    document = _recorded_eia(path)
    rows = document["response"]["data"]
    for name in ("respondent", "type", "parent", "subba"):
        wanted = query.get(f"facets[{name}][]")
        if wanted:
            rows = [r for r in rows if r.get(name) in wanted]
    start, end = query.get("start", [""])[0], query.get("end", ["9999"])[0]
    rows = sorted((r for r in rows if start <= r["period"] <= end), key=lambda r: r["period"])
    offset, length = int(query.get("offset", ["0"])[0]), int(query.get("length", ["5000"])[0])
    document["response"]["total"] = str(len(rows))
    document["response"]["data"] = rows[offset: offset + min(length, page_cap)]
    return Answer(200, json.dumps(document).encode())


def _instant(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%MZ").replace(tzinfo=UTC)


def _recorded_points(process: str, zone: str) -> list[tuple[datetime, str, str]]:
    """(instant, resolution, quantity) of the recorded documents of one process and zone."""
    points = []
    for path in sorted(FIXTURES.glob(f"entsoe_a65_{process.lower()}_*.xml")):
        root = etree.parse(str(path)).getroot()
        for series in root.findall("gl:TimeSeries", NS):
            if series.findtext("gl:outBiddingZone_Domain.mRID", namespaces=NS) != zone:
                continue
            for period in series.findall("gl:Period", NS):
                start = _instant(period.findtext("gl:timeInterval/gl:start", namespaces=NS))
                resolution = period.findtext("gl:resolution", namespaces=NS)
                for point in period.findall("gl:Point", NS):
                    position = int(point.findtext("gl:position", namespaces=NS))
                    at = start + timedelta(minutes=MINUTES[resolution] * (position - 1))
                    points.append((at, resolution, point.findtext("gl:quantity", namespaces=NS)))
    return points


def entsoe_answer(query: dict[str, list[str]]) -> Answer:
    """The recorded points inside [periodStart, periodEnd) as a GL_MarketDocument, or reason 999."""
    if query.get("securityToken") != [ENTSOE_TOKEN]:
        return Answer(401, b"<html><body><h1>Unauthorized</h1></body></html>", "text/html")
    stamp = "%Y%m%d%H%M"
    lo = datetime.strptime(query["periodStart"][0], stamp).replace(tzinfo=UTC)
    hi = datetime.strptime(query["periodEnd"][0], stamp).replace(tzinfo=UTC)
    process, zone = query["processType"][0], query["outBiddingZone_Domain"][0]
    points = [p for p in _recorded_points(process, zone) if lo <= p[0] < hi]
    if not points:
        return Answer(200, (FIXTURES / "entsoe_acknowledgement_999.xml").read_bytes(), "text/xml")
    first, resolution = points[0][0], points[0][1]
    end = points[-1][0] + timedelta(minutes=MINUTES[resolution])
    iso = "%Y-%m-%dT%H:%MZ"
    body = "".join(
        f"<Point><position>{i + 1}</position><quantity>{q}</quantity></Point>"
        for i, (_, _, q) in enumerate(points)
    )
    xml = (
        f'<?xml version="1.0" encoding="UTF-8"?><GL_MarketDocument xmlns="{NS["gl"]}">'
        f"<mRID>fake</mRID><revisionNumber>1</revisionNumber><type>A65</type>"
        f"<process.processType>{process}</process.processType>"
        f"<time_Period.timeInterval><start>{first:{iso}}</start><end>{end:{iso}}</end></time_Period.timeInterval>"
        f"<TimeSeries><mRID>1</mRID><businessType>A04</businessType><objectAggregation>A01</objectAggregation>"
        f'<outBiddingZone_Domain.mRID codingScheme="A01">{zone}</outBiddingZone_Domain.mRID>'
        f"<quantity_Measure_Unit.name>MAW</quantity_Measure_Unit.name><curveType>A01</curveType>"
        f"<Period><timeInterval><start>{first:{iso}}</start><end>{end:{iso}}</end></timeInterval>"
        f"<resolution>{resolution}</resolution>{body}</Period></TimeSeries></GL_MarketDocument>"
    )
    return Answer(200, xml.encode(), "text/xml")


@pytest.fixture
def apis() -> Iterator[FakeApis]:
    """The fake EIA and ENTSO-E APIs on 127.0.0.1, a free port."""
    state = FakeApis()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            url = urlsplit(self.path)
            answer = state.answer(url.path, parse_qs(url.query))
            self.send_response(answer.status)
            self.send_header("Content-Type", answer.content_type)
            self.send_header("Content-Length", str(len(answer.body)))
            for name, value in answer.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(answer.body)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    state.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    yield state
    state.hold.set()
    server.shutdown()
    server.server_close()


@pytest.fixture
def waits() -> list[float]:
    """Backoff delays the client asked for (recorded instead of slept)."""
    return []


@pytest.fixture
def retry(waits: list[float]) -> Retry:
    return Retry(attempts=3, backoff=1.0, sleep=waits.append)
