"""Fake BPS WebAPI (path style, /v1/api/list/model/<model>/…/key/<KEY>/) serving real
responses (tests/fakes/bps/): domains, subjects, variables (two pages), periods, press releases,
static tables, dynamic data (Pinrang's population, var 31), the newer empty table ("datacontent":
[], var 2), "not-available" (any other var), the error body (plan "error"), and the 403 BPS's
firewall gives a request without a browser-like User-Agent."""

import copy
import json
from pathlib import Path

from tests.fakes.server import FakeServer

KEY = "fake-bps-key-0123456789"
SHAPES = Path(__file__).resolve().parent / "bps"


def _shape(name: str) -> dict:
    return json.loads((SHAPES / name).read_text(encoding="utf-8"))


class FakeBPS(FakeServer):
    def respond(self, method, path, headers, raw, mode):
        if "Mozilla" not in (headers.get("User-Agent") or ""):
            return 403, {}, b"<html><body>403 Forbidden</body></html>"
        if mode.isdigit():  # the API is slow and fails at times: 502/503 pages from its proxy
            return int(mode), {}, f"<html><body>{mode}</body></html>".encode()
        segments = path.strip("/").split("/")
        params = dict(zip(segments[3::2], segments[4::2], strict=False))  # after v1/api/list
        if params.get("key") != KEY or mode == "error":
            return 200, {}, _shape("error_fixture.json")
        model = params.get("model")
        if model == "data":
            return (
                200,
                {},
                {
                    "31": _shape("example_data_response.json"),
                    "2": _shape("dynamic_table_response_newer.json"),
                }.get(params.get("var"), _shape("unavailable_fixture.json")),
            )
        listing = {
            "domain": "domain_fixtures_available.json",
            "subject": "subject_list_fixture.json",
            "var": "variable_list_fixture.json",
            "th": "period_list_fixture.json",
            "pressrelease": "press_release_list_fixture.json",
            "statictable": "static_table_list_fixture.json",
        }.get(model)
        if listing is None:
            return 200, {}, _shape("unavailable_fixture.json")
        # The captures are one page of longer lists: the variables are served as two pages (to
        # prove the client reads every page), every other list as one.
        body, page = copy.deepcopy(_shape(listing)), int(params.get("page", 1))
        body["data"][0].update({"page": page, "pages": 2 if model == "var" else 1})
        if model == "var":
            body["data"][1] = body["data"][1][:5] if page == 1 else body["data"][1][5:]
        return 200, {}, body
