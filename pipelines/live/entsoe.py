"""Live ENTSO-E Transparency pulls: actual total load and day-ahead load forecast per bidding zone.

Request (Transparency Platform RESTful API guide): `GET /api?securityToken=...
&documentType=A65&processType=A16|A01&outBiddingZone_Domain=<EIC>&periodStart=yyyyMMddHHmm
&periodEnd=...` (UTC).
A65 answers are limited to one year per request, so a long range is asked in windows. The
answer is a `GL_MarketDocument` (read by the ENTSO-E XML adapter), or an
`Acknowledgement_MarketDocument`: reason 999 with "No matching data found" is an empty window;
any other reason (999 is also used for "exceeds allowed limit") is an error. A bad token is
HTTP 401, a rate limit HTTP 429.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
import polars as pl
from lxml import etree

from forecast import schema as S
from pipelines.live.http import LiveResponseError, Retry, get, redact
from pipelines.sources.base import Adapted, Catalog, SourceFormatError
from pipelines.sources.entsoe import RESOLUTION_MINUTES, adapt_xml, xml_frame

ENTSOE_BASE_URL = "https://web-api.tp.entsoe.eu"
KEY_SETTING = "HEADROOM_ENTSOE_TOKEN"
SOURCE = "entsoe-api"
PROCESS = {S.GRID_LOAD: "A16", S.OPERATOR_FORECAST: "A01"}
MAX_WINDOW = timedelta(days=365)
FORECAST_AHEAD = timedelta(days=2)  # the day-ahead forecast reaches the end of tomorrow
NO_DATA = "999"
NO_DATA_TEXT = "No matching data found"


@dataclass(frozen=True)
class EntsoeQuery:
    """One series of one bidding zone over [start, end) (UTC)."""

    region: str
    series: str
    zone: str
    start: datetime
    end: datetime

    def params(self, token: str) -> list[tuple[str, str]]:
        stamp = "%Y%m%d%H%M"
        return [
            ("securityToken", token), ("documentType", "A65"), ("processType", PROCESS[self.series]),
            ("outBiddingZone_Domain", self.zone),
            ("periodStart", self.start.strftime(stamp)), ("periodEnd", self.end.strftime(stamp)),
        ]


def entsoe_queries(
    catalog: Catalog, ends: Mapping[tuple[str, str], datetime], now: datetime, lookback: timedelta,
    window: timedelta = MAX_WINDOW,
) -> list[EntsoeQuery]:
    """Windows of at most `window` from one hour after each series' last stored hour (or `lookback`)."""
    hour = now.replace(minute=0, second=0, microsecond=0)
    horizon = {S.GRID_LOAD: hour, S.OPERATOR_FORECAST: hour.replace(hour=0) + FORECAST_AHEAD}
    queries = []
    for region in catalog.values():
        zone = region.sources.get("entsoe_eic")
        if zone is None:
            continue
        for series, end in horizon.items():
            stored = ends.get((region.id, series))
            start = stored + timedelta(hours=1) if stored is not None else hour - lookback
            while start < end:
                stop = min(start + min(window, MAX_WINDOW), end)
                queries.append(EntsoeQuery(region.id, series, zone, start, stop))
                start = stop
    return queries


def _acknowledgement(data: bytes) -> tuple[str, str] | None:
    """(reason code, text) of an Acknowledgement_MarketDocument; None for any other document."""
    try:
        root = etree.fromstring(data)
    except etree.XMLSyntaxError:
        return None
    if etree.QName(root.tag).localname != "Acknowledgement_MarketDocument":
        return None
    reason = next((e for e in root.iter() if etree.QName(e.tag).localname == "Reason"), None)
    fields = {} if reason is None else {etree.QName(e.tag).localname: (e.text or "") for e in reason}
    return fields.get("code", ""), fields.get("text", "")


def fetch_query(
    client: httpx.Client, base_url: str, token: str, query: EntsoeQuery, retry: Retry
) -> pl.DataFrame | None:
    """The points of one window (None when the platform has no data for it)."""
    response = get(
        client, base_url.rstrip("/") + "/api", query.params(token),
        source=SOURCE, key_setting=KEY_SETTING, secret=token, retry=retry,
    )
    ack = _acknowledgement(response.content)
    if ack is not None:
        code, text = ack
        # 999 is also used for errors ("exceeds allowed limit"); only its no-data text means empty.
        if code == NO_DATA and text.startswith(NO_DATA_TEXT):
            return None
        reason = redact(text[:200], [token])
        raise LiveResponseError(SOURCE, f"the API acknowledged with reason {code}: {reason}")
    try:
        return xml_frame(response.content, f"{SOURCE} answer")
    except SourceFormatError as exc:
        raise LiveResponseError(SOURCE, f"unreadable answer ({exc})") from None


def complete_hours(points: pl.DataFrame) -> pl.DataFrame:
    """Points without a trailing hour the platform has only partly published.

    The newest hour of a series may hold two of its four quarter-hours; averaged, it would be
    stored as a whole hour and never asked for again. Left out, it is asked for on the next
    pull (which starts after the last stored hour). Gaps inside the range stay (validation
    averages what is there, as for files).
    """
    if points.is_empty():
        return points
    minutes = pl.col("resolution").replace_strict(RESOLUTION_MINUTES, default=None, return_dtype=pl.Int64)
    start = pl.col("start").str.to_datetime("%Y-%m-%dT%H:%M%#z", strict=False, time_zone="UTC")
    at = start + pl.duration(minutes=(pl.col("position").cast(pl.Int64, strict=False) - 1) * minutes)
    series = ["zone", "process"]
    hour = at.dt.truncate("1h")
    marked = points.with_columns(hour.alias("_hour"), (60 // minutes).alias("_expected"))
    counts = marked.with_columns(
        pl.len().over([*series, "_hour"]).alias("_n"), pl.col("_hour").max().over(series).alias("_last")
    )
    partial = (pl.col("_hour") == pl.col("_last")) & (pl.col("_n") < pl.col("_expected"))
    return counts.filter(~partial.fill_null(False)).select(points.columns)


def fetch_entsoe(
    client: httpx.Client, base_url: str, token: str, queries: list[EntsoeQuery], catalog: Catalog,
    retry: Retry,
) -> tuple[Adapted, str]:
    """All windows' points as one adapted batch, and the batch's digest (same answers, same id)."""
    frames = [f for q in queries if (f := fetch_query(client, base_url, token, q, retry)) is not None]
    points = complete_hours(pl.concat(frames)) if frames else xml_frame_empty()
    digest = hashlib.sha256(points.write_csv().encode()).hexdigest()
    host = httpx.URL(base_url).host or base_url
    return adapt_xml(points, catalog, None, f"{SOURCE}:{host}"), digest


def xml_frame_empty() -> pl.DataFrame:
    """The empty points frame (no window had data)."""
    names = ["zone", "process", "start", "resolution", "position", "quantity", "unit"]
    return pl.DataFrame(schema={n: pl.String for n in names})
