"""Region catalog validation names the region and the field at fault."""

import pytest

from forecast.catalog import CatalogError, parse_catalog, parse_region

GOOD = {
    "id": "xx-test",
    "name": "Test",
    "timezone": "Europe/Berlin",
    "holidays": "DE-HE",
    "queue_years": [1.0, 2.0],
    "energy_source": "wind",
    "rack_kw": [30.0, 50.0],
}


def test_parse_region__accepts_a_complete_entry():
    region = parse_region(GOOD)
    assert region.queue_years == (1.0, 2.0)
    assert region.holiday_calendar([2025]).get("2025-12-25")


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("timezone", "Mars/Olympus", "IANA timezone"),
        ("holidays", "XX", "holiday calendar"),
        ("queue_years", [5.0, 2.0], "min <= max"),
        ("rack_kw", [-1.0, 10.0], "min <= max"),
        ("id", "Bad Id!", "pattern"),
        ("name", "", "at least 1 character"),
    ],
)
def test_parse_region__bad_field_is_named_with_its_region(field, value, reason):
    with pytest.raises(CatalogError) as err:
        parse_region({**GOOD, field: value})
    assert err.value.field.startswith(field)
    assert err.value.region == GOOD["id"] if field != "id" else "Bad Id!"
    assert reason in err.value.reason


def test_parse_region__missing_field_is_named():
    entry = {k: v for k, v in GOOD.items() if k != "timezone"}
    with pytest.raises(CatalogError, match="region 'xx-test', field 'timezone'"):
        parse_region(entry)


def test_parse_region__unknown_field_is_rejected():
    with pytest.raises(CatalogError, match="field 'colour'"):
        parse_region({**GOOD, "colour": "red"})


def test_parse_catalog__repeated_id_is_an_error():
    with pytest.raises(CatalogError, match="more than once"):
        parse_catalog([GOOD, GOOD])
