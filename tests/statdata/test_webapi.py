"""The BPS WebAPI client against a fake WebAPI built from real responses."""

import logging

import httpx
import pytest

from statdata.models import Observation, SourceKind
from statdata.selectors import figures_for
from statdata.services import sync_webapi_table
from statdata.webapi import NotAvailable, WebAPI, WebAPIError, decode_table
from tests.fakes.bps import KEY, _shape


def test_datacontent_keys_are_decoded_from_the_metadata():
    table = decode_table(_shape("example_data_response.json"))
    assert (table.variable_id, table.title, table.unit) == ("31", "Jumlah Penduduk", "Jiwa")
    first = table.cells[0]
    # "7315" + "31" + "0" + "99" + "0": not fixed width, split by the metadata.
    assert (first.vervar, first.year, first.turtahun, first.value) == ("7315", 1999, "0", "308669")
    assert [cell.year for cell in table.cells] == list(range(1999, 2022))


def test_an_empty_table_is_a_list_not_an_object():
    assert decode_table(_shape("dynamic_table_response_newer.json")).cells == []


def test_the_client_reads_every_page_and_sends_a_browser_user_agent(bps):
    variables = WebAPI().variables("0000")
    assert len(variables) == 10 and {row["var_id"] for row in variables} >= {192, 543}
    path, headers, _body = bps.requests[0]
    assert "Mozilla" in headers["User-Agent"] and f"/key/{KEY}/" in path
    # Without that User-Agent BPS's firewall answers 403, as the fake does.
    assert httpx.get(bps.url + path, headers={"User-Agent": "python-httpx"}).status_code == 403


def test_answers_are_cached_per_resource(bps):
    WebAPI().periods("7315", "31")
    WebAPI().periods("7315", "31")
    assert len(bps.requests) == 1


def test_errors_and_missing_tables_are_told_apart(bps):
    with pytest.raises(NotAvailable):
        WebAPI().table("7315", "999")
    bps.plan.append("error")
    with pytest.raises(WebAPIError, match="something wrong"):
        WebAPI().subjects("7315")
    with pytest.raises(WebAPIError, match="not configured"):
        WebAPI(key="")


def test_server_errors_are_retried_then_reported_without_the_key(bps, caplog):
    bps.plan.extend(["503", "503"])
    with caplog.at_level(logging.DEBUG), pytest.raises(WebAPIError) as failure:
        WebAPI().static_tables("7315")
    assert len(bps.requests) == 2
    assert KEY not in str(failure.value) and "/key/***/" in str(failure.value)
    bps.plan.append("timeout")
    with caplog.at_level(logging.DEBUG):
        assert WebAPI().press_releases("7315")  # a timeout, then an answer
    assert not [record for record in caplog.records if KEY in record.getMessage()]


def test_a_synced_table_becomes_figures_aida_answers_with(bps, db):
    report, skipped = sync_webapi_table("7315", "31", aliases=["penduduk"])
    assert (report.created, skipped) == (23, [])
    again, _skipped = sync_webapi_table("7315", "31")
    assert (again.created, again.revised, again.unchanged) == (0, 0, 23)
    figures = figures_for("jumlah penduduk pinrang 1999", "3515")
    assert figures.status == "found" and figures.values[0].published == "308669"
    assert figures.sources[0].kind == SourceKind.WEBAPI and KEY not in figures.sources[0].url
    assert Observation.objects.filter(area__code="7315", superseded_at__isnull=True).count() == 23
