"""The BPS WebAPI (webapi.bps.go.id), path style: every parameter is a path segment, the key too.

    /v1/api/list/model/data/lang/ind/domain/3500/var/543/key/<KEY>/

The key is in the path, so no URL is ever logged or put in an error as it is (`_redacted`).
BPS's firewall refuses clients without a browser-like User-Agent (403); the API is slow at
times, so answers are cached per kind of resource and 5xx/timeouts are retried. Empty tables
come as `"datacontent": []` and missing resources as `"data-availability": "not-available"`.
"""

import hashlib
import logging
import time
from dataclasses import dataclass

import httpx
from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)

USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) HaloPST/1.0 (+https://halopst.id)"
# Seconds a kind of answer is kept (regions and subjects change seldom, data more often).
CACHE_SECONDS = {"domain": 24 * 3600, "subject": 24 * 3600, "var": 12 * 3600, "th": 12 * 3600}
CACHE_SECONDS |= {"statictable": 6 * 3600, "pressrelease": 6 * 3600, "data": 3600}


class WebAPIError(Exception):
    """The WebAPI answered with an error, refused us, or did not answer in time."""


class NotAvailable(WebAPIError):
    """The resource does not exist for that domain (BPS: "data-availability": "not-available")."""


@dataclass(frozen=True)
class Cell:
    """One decoded value of a dynamic table."""

    vervar: str  # the row: for a province's tables, the regency/city code ("3578")
    vervar_label: str
    year: int
    turtahun: str  # "0" for a year; otherwise the sub-period as BPS numbers it
    turtahun_label: str
    turvar: str
    value: str  # as published


@dataclass
class Table:
    variable_id: str
    title: str
    unit: str
    decimals: int | None
    cells: list[Cell]


def _redacted(path: str) -> str:
    return path.split("/key/", 1)[0] + "/key/***/"


class WebAPI:
    def __init__(self, *, base_url: str | None = None, key: str | None = None):
        self.base_url = (base_url or settings.HALOPST_BPS_WEBAPI_BASE_URL).rstrip("/")
        self.key = key if key is not None else settings.HALOPST_BPS_WEBAPI_KEY
        if not self.key:
            raise WebAPIError("the BPS WebAPI key is not configured (HALOPST_BPS_WEBAPI_KEY)")

    def _get(self, kind: str, segments: list[tuple[str, object]]) -> dict:
        path = "/v1/api/list/" + "".join(f"{name}/{value}/" for name, value in segments) + f"key/{self.key}/"
        shown = _redacted(path)
        cache_key = "bpswebapi:" + hashlib.sha256(shown.encode()).hexdigest()
        cached = cache.get(cache_key)
        if cached is not None:
            return cached
        body = self._fetch(path, shown)
        if body.get("status") != "OK":
            raise WebAPIError(f"{shown}: {body.get('message') or 'error'}")
        if body.get("data-availability") == "not-available":
            raise NotAvailable(f"{shown}: not available")
        cache.set(cache_key, body, CACHE_SECONDS[kind])
        return body

    def _fetch(self, path: str, shown: str) -> dict:
        attempts = settings.HALOPST_BPS_WEBAPI_RETRIES + 1
        for attempt in range(1, attempts + 1):
            try:
                response = httpx.get(
                    self.base_url + path,
                    headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
                    timeout=settings.HALOPST_BPS_WEBAPI_TIMEOUT,
                )
            except httpx.TransportError as failure:
                problem = f"{shown}: {type(failure).__name__}"
            else:
                if response.status_code == 200:
                    try:
                        return response.json()
                    except ValueError:
                        raise WebAPIError(f"{shown}: the answer is not JSON") from None
                if response.status_code < 500 and response.status_code != 429:
                    raise WebAPIError(f"{shown}: HTTP {response.status_code}")
                problem = f"{shown}: HTTP {response.status_code}"
            logger.warning("BPS WebAPI attempt %s/%s failed: %s", attempt, attempts, problem)
            if attempt < attempts:
                time.sleep(min(2.0, 0.25 * 2**attempt))
        raise WebAPIError(problem)

    def _pages(self, kind: str, segments: list[tuple[str, object]]) -> list[dict]:
        """Every row of a paginated list (`data`: [page info, rows])."""
        rows, page, pages = [], 1, 1
        while page <= pages:
            body = self._get(kind, [*segments, ("page", page)])
            info, items = body["data"]
            rows += items
            pages = int(info.get("pages") or 1)
            page += 1
        return rows

    def domains(self) -> list[dict]:
        return self._pages("domain", [("model", "domain"), ("type", "all")])

    def subjects(self, domain: str) -> list[dict]:
        return self._pages("subject", [("model", "subject"), ("lang", "ind"), ("domain", domain)])

    def variables(self, domain: str) -> list[dict]:
        return self._pages("var", [("model", "var"), ("lang", "ind"), ("domain", domain)])

    def periods(self, domain: str, variable_id: str) -> list[int]:
        rows = self._pages("th", [("model", "th"), ("lang", "ind"), ("domain", domain), ("var", variable_id)])
        return sorted(int(row["th"]) for row in rows)

    def press_releases(self, domain: str) -> list[dict]:
        return self._pages("pressrelease", [("model", "pressrelease"), ("lang", "ind"), ("domain", domain)])

    def static_tables(self, domain: str) -> list[dict]:
        return self._pages("statictable", [("model", "statictable"), ("lang", "ind"), ("domain", domain)])

    def table(self, domain: str, variable_id: str) -> Table:
        body = self._get("data", [("model", "data"), ("lang", "ind"), ("domain", domain), ("var", variable_id)])
        return decode_table(body)


def decode_table(body: dict) -> Table:
    """A dynamic table's cells. A `datacontent` key is the concatenation of the vervar, var,
    turvar, tahun and turtahun values as strings, not fixed width ("7315"+"31"+"0"+"99"+"0"):
    each key is split by trying the metadata's values, longest first, backtracking."""
    variable = body["var"][0]
    parts = [
        [(str(item["val"]), item["label"]) for item in body.get(name) or []]
        for name in ("vervar", "var", "turvar", "tahun", "turtahun")
    ]
    for options in parts:
        options.sort(key=lambda option: len(option[0]), reverse=True)
    content = body.get("datacontent") or {}
    cells = []
    for key, value in content.items() if isinstance(content, dict) else []:
        split = _split(str(key), parts)
        if split is None:
            logger.warning("BPS WebAPI: a datacontent key fits no metadata: %s", key)
            continue
        (vervar, vervar_label), _var, (turvar, _turvar_label), (_th, year), (turtahun, turtahun_label) = split
        cells.append(
            Cell(
                vervar=vervar,
                vervar_label=vervar_label,
                year=int(year),
                turtahun=turtahun,
                turtahun_label=turtahun_label,
                turvar=turvar,
                value=str(value),
            )
        )
    decimals = variable.get("decimal")
    return Table(
        variable_id=str(variable["val"]),
        title=variable["label"],
        unit=variable.get("unit") or "",
        decimals=int(decimals) if decimals not in (None, "") else None,
        cells=cells,
    )


def _split(key: str, parts: list[list[tuple[str, str]]]):
    if not parts:
        return [] if key == "" else None
    for value, label in parts[0]:
        if key.startswith(value):
            rest = _split(key[len(value) :], parts[1:])
            if rest is not None:
                return [(value, label), *rest]
    return None
