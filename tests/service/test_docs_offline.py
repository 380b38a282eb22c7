"""/docs works offline: Swagger UI and its assets come from the app, never from a CDN."""

import re

import pytest


def test_docs__page_references_no_outside_url(demo_client):
    response = demo_client.get("/docs")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    assert re.findall(r"https?://", response.text) == []
    assert "/openapi.json" in response.text


@pytest.mark.parametrize(
    ("suffix", "media_type"),
    [(".js", "text/javascript"), (".css", "text/css"), (".png", "image/png")],
)
def test_docs__each_asset_it_names_answers_with_its_type(demo_client, suffix, media_type):
    page = demo_client.get("/docs").text
    urls = [u for u in re.findall(r"""['"](/[^'"]+)['"]""", page) if u.endswith(suffix)]
    assert urls, f"no {suffix} asset referenced by /docs"
    for url in urls:
        asset = demo_client.get(url)
        assert asset.status_code == 200, url
        assert asset.headers["content-type"].startswith(media_type)
        assert len(asset.content) > 100


def test_docs__redoc_is_not_served_from_a_cdn(demo_client):
    assert demo_client.get("/redoc").status_code == 404
