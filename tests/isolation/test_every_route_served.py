"""Every route as every role, through the servers people meet: gunicorn (pages and the API, as
deployed) and uvicorn (the ASGI process). Django's test client runs views on the test's own
thread; a real ASGI server renders error pages on another thread, where a database query once ran
in the wrong schema and turned every 403 into a 500. Nothing may answer 5xx, and every error page
(400, 403, 404, 405) is the styled page in the visitor's language, on satker hosts, the portal
and unknown hosts alike."""

import os
import re
import subprocess
import sys

import httpx
import pytest
from django.urls import get_resolver
from django_tenants.utils import schema_context

from core.models import Role
from tenants.models import Satker
from tests.booking.conftest import make_officer
from tests.conftest import (
    PASSWORD,
    ROOT,
    authenticator_code,
    create_user,
    delete_public_users,
    free_port,
    server_process,
)
from tests.isolation.test_every_route import SKIPPED, walk

ERROR_STATUSES = {400, 403, 404, 405}
# A path parameter's value: ids of objects that do not exist, so the walk meets 404s too.
PARAMETERS = {
    "pk": "999999",
    "officer_id": "999999",
    "user_id": "999999",
    "slug": "tidak-ada",
    "action": "cancel",
    "fmt": "csv",
    "token": "t" * 43,
    "uidb64": "MQ",
    "code": "9999",
    "path": "satkers/tidak-ada/logo.png",
    "message_id": "999999",
}


def fill(route: str) -> str:
    path = re.sub(r"<(?:(\w+):)?(\w+)>", lambda match: PARAMETERS[match.group(2)], route)
    return "/" + path.replace("^", "").replace("$", "").replace("(?P<path>.*)", PARAMETERS["path"])


def routes(urlconf: str) -> list[str]:
    return [fill(route) for route, name in walk(get_resolver(urlconf).url_patterns) if name not in SKIPPED]


SERVERS = {
    "gunicorn": lambda port: ["gunicorn", "halopst.wsgi", "--bind", f"127.0.0.1:{port}", "--threads", "4"],
    "uvicorn": lambda port: [
        "uvicorn",
        "halopst.asgi:application",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--lifespan",
        "off",
        "--no-proxy-headers",
        "--log-level",
        "warning",
    ],
}


# Production settings, as deployed, but over plain HTTP.
PRODUCTION = {"HALOPST_DEBUG": "false", "HALOPST_SECRET_KEY": "served-" + "k" * 60, "HALOPST_SSL_REDIRECT": "false"}
ADMIN_ROLES = {Role.SATKER_ADMIN, Role.NATIONAL_ADMIN}


@pytest.fixture(scope="module")
def static_root(tmp_path_factory):
    """Collected static files, as a deployment serves them (no finders without debug)."""
    root = tmp_path_factory.mktemp("static")
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env={**os.environ, **PRODUCTION, "HALOPST_STATIC_ROOT": str(root)},  # hashed names, compressed
        check=True,
    )
    return root


@pytest.fixture(scope="module")
def people(django_db_setup, django_db_blocker):
    """Committed accounts of every role on a satker and on the portal."""
    with django_db_blocker.unblock():
        satker = Satker.objects.get(subdomain="sidoarjokab")
        national = Satker.objects.get(schema_name="public")
        on_satker = {
            "consumer": create_user(satker, "served-consumer@a.example"),
            "officer": make_officer(satker, "served-officer@a.example").user,
            "satker admin": create_user(satker, "served-admin@a.example", role=Role.SATKER_ADMIN),
        }
        on_portal = {"national admin": create_user(national, "served-national@x.example", role=Role.NATIONAL_ADMIN)}
        yield {"satker": satker, "national": national, "on_satker": on_satker, "on_portal": on_portal}
        with schema_context(satker.schema_name):
            for user in on_satker.values():
                user.delete()
        delete_public_users(*on_portal.values())


class Visitor:
    """A browser of one person on one host: keeps its cookies (Secure ones too, over plain HTTP)."""

    def __init__(self, http: httpx.Client, host: str):
        self.http, self.host, self.cookies = http, host, {}

    def request(self, method: str, path: str, data=None) -> httpx.Response:
        if method == "POST" and data is None and "csrftoken" in self.cookies:
            data = {"csrfmiddlewaretoken": self.cookies["csrftoken"]}  # as a form on the page would
        headers = {"Host": self.host, "Accept-Language": "id"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        response = self.http.request(method, path, headers=headers, data=data)
        self.cookies.update({name: value for name, value in response.cookies.items()})
        return response

    def post_form(self, path: str, fields: dict) -> httpx.Response:
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', self.request("GET", path).text).group(1)
        return self.request("POST", path, {"csrfmiddlewaretoken": token, **fields})

    def sign_in(self, satker, user) -> "Visitor":
        assert self.post_form("/akun/masuk/", {"username": user.email, "password": PASSWORD}).status_code == 302
        if user.role in ADMIN_ROLES:
            self.request("GET", "/akun/2fa/")
            verified = self.post_form("/akun/2fa/", {"code": authenticator_code(satker, user)})
            assert verified.status_code == 302, verified.text[:300]
        return self


def check(response: httpx.Response, where: str, failures: list) -> None:
    if response.status_code >= 500:
        failures.append(f"{where}: {response.status_code} {response.text[:200]!r}")
    elif response.status_code in ERROR_STATUSES and response.headers.get("content-type", "").startswith("text/html"):
        page = response.text
        if 'lang="id"' not in page or "halopst/site." not in page or "<h1" not in page:
            failures.append(f"{where}: {response.status_code} is not the styled Indonesian page: {page[:200]!r}")


@pytest.mark.parametrize("server", sorted(SERVERS))
def test_every_route_as_every_role_through_the_real_server(server, people, static_root):
    port = free_port()
    satker, national = people["satker"], people["national"]
    satker_host = f"{satker.subdomain}.localhost"
    failures: list[str] = []
    with (
        server_process(SERVERS[server](port), port, HALOPST_STATIC_ROOT=str(static_root), **PRODUCTION),
        httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as http,
    ):
        anonymous = {host: Visitor(http, host) for host in (satker_host, "localhost")}
        for visitor in anonymous.values():
            visitor.request("GET", "/akun/masuk/")  # a page with a form: the visitor has its CSRF cookie
        # A form sent without its token (a page left open too long) is told so, in words.
        expired = Visitor(http, satker_host).request("POST", "/konsultasi/baru/")
        check(expired, f"{server} POST without a form token", failures)
        if expired.status_code != 403 or "kedaluwarsa" not in expired.text:
            failures.append(f"{server}: a form without its token is not told it expired: {expired.text[:200]!r}")
        on_satker = {"anonymous": anonymous[satker_host]} | {
            role: Visitor(http, satker_host).sign_in(satker, user) for role, user in people["on_satker"].items()
        }
        on_portal = {"anonymous": anonymous["localhost"]} | {
            role: Visitor(http, "localhost").sign_in(national, user) for role, user in people["on_portal"].items()
        }
        walks = [
            (routes("halopst.urls_tenant"), on_satker),
            (routes("halopst.urls_public"), on_portal),
            (["/", "/konsultasi/", "/tidak-ada/"], {"anonymous": Visitor(http, "tidak-ada.localhost")}),
        ]
        for paths, visitors in walks:
            for role, visitor in visitors.items():
                for path in paths:
                    for method in ("GET", "POST"):
                        response = visitor.request(method, path)
                        check(response, f"{server} {method} {visitor.host}{path} as {role}", failures)
        # The unknown host's page leads to the portal, by its words and by its logo.
        stranger = Visitor(http, "tidak-ada.localhost").request("GET", "/")
        portal = f'href="http://localhost:{port}/"'
        if stranger.status_code != 404 or stranger.text.count(portal) < 2 or "portal HaloPST" not in stranger.text:
            failures.append(f"{server}: the unknown host's page does not lead to the portal: {stranger.text[:300]!r}")
        # Error pages are styled for real: their stylesheet loads on the host that showed them.
        for host in (satker_host, "tidak-ada.localhost"):
            visitor = Visitor(http, host)
            stylesheet = re.search(r'href="(/static/[^"]+\.css)"', visitor.request("GET", "/tidak-ada/").text).group(1)
            loaded = visitor.request("GET", stylesheet)  # httpx asks for gzip, as browsers do
            if loaded.status_code != 200:
                failures.append(
                    f"{server}: the stylesheet {stylesheet} of {host}'s error page does not load there: {loaded.status_code} {loaded.text[:100]!r}"
                )
            # Named by its content's hash, compressed, and kept by browsers for good.
            cached = "immutable" in loaded.headers.get("Cache-Control", "")
            if (
                not re.search(r"\.[0-9a-f]{12}\.css$", stylesheet)
                or not cached
                or loaded.headers.get("Content-Encoding") not in ("gzip", "br")
            ):
                failures.append(
                    f"{server}: {stylesheet} is not hashed, compressed and immutable: {dict(loaded.headers)}"
                )
    assert not failures, "\n".join(failures[:40]) + f"\n({len(failures)} in all)"
