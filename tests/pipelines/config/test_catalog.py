"""The shipped catalog and regions added at run time."""

import pytest

from forecast.catalog import CatalogError, parse_region
from pipelines.config.region_files import add_regions, load_catalog, read_catalog_file

CATALOG_FIGURES = {
    "us-nova": ((3.0, 5.0), (40.0, 60.0), "America/New_York"),
    "de-fra": ((2.0, 4.0), (30.0, 50.0), "Europe/Berlin"),
    "nordics": ((0.0, 1.0), (80.0, 120.0), "Europe/Oslo"),
    "us-wtx": ((1.0, 2.0), (60.0, 90.0), "America/Chicago"),
}


def test_shipped_catalog__holds_the_four_regions_with_their_figures(settings):
    catalog = load_catalog(settings)
    assert list(catalog) == list(CATALOG_FIGURES)
    for region_id, (queue, rack, tz) in CATALOG_FIGURES.items():
        region = catalog[region_id]
        assert (region.queue_years, region.rack_kw, region.timezone) == (queue, rack, tz)
        assert region.sources, f"{region_id} names no public data source"


def test_added_regions__round_trip_through_the_home_catalog(settings):
    added = parse_region(
        {
            "id": "syn-0001",
            "name": "S",
            "timezone": "UTC",
            "holidays": "US",
            "queue_years": [1, 3],
            "energy_source": "x",
            "rack_kw": [40, 80],
            "synthetic": True,
        }
    )
    add_regions(settings, [added])
    assert load_catalog(settings)["syn-0001"] == added


def test_added_region__may_not_shadow_a_shipped_one(settings):
    shipped = load_catalog(settings)["us-nova"]
    add_regions(settings, [shipped])
    with pytest.raises(CatalogError, match="already defined"):
        load_catalog(settings)


def test_catalog_file__bad_entry_names_region_and_field(tmp_path):
    path = tmp_path / "regions.toml"
    path.write_text(
        '[[region]]\nid = "zz-bad"\nname = "Z"\ntimezone = "Nowhere/Land"\n'
        'holidays = "US"\nqueue_years = [1, 2]\nenergy_source = "x"\nrack_kw = [1, 2]\n'
    )
    with pytest.raises(CatalogError, match="region 'zz-bad', field 'timezone'"):
        read_catalog_file(path)


def test_catalog_file__invalid_toml_is_reported(tmp_path):
    path = tmp_path / "regions.toml"
    path.write_text("[[region]\n")
    with pytest.raises(CatalogError, match="not valid TOML"):
        read_catalog_file(path)
