"""Schemathesis against the OpenAPI schema of a satker host and of the portal, served by a real
Daphne on the test database, with a signed-in session: no 5xx, responses conform to the schema.

Bounded for CI (HALOPST_FUZZ_EXAMPLES per operation, default 8); `make fuzz` runs it longer."""

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from core.models import Role
from tests.conftest import client_for, create_user, host_of

EXAMPLES = int(os.environ.get("HALOPST_FUZZ_EXAMPLES", "8"))


def signed_in_headers(satker, user, host):
    """Request options of a signed-in session on `host`: headers and cookies."""
    client = client_for(satker, user)
    client.get("/akun/masuk/")
    session, csrf = client.cookies["sessionid"].value, client.cookies["csrftoken"].value
    return {"headers": {"Host": host, "X-CSRFToken": csrf}, "cookies": {"sessionid": session, "csrftoken": csrf}}


@pytest.fixture
def production_env(monkeypatch):
    """The server runs as in production (uvicorn, no debug pages), but over plain HTTP."""
    monkeypatch.setenv("HALOPST_TEST_SERVER", "uvicorn")
    monkeypatch.setenv("HALOPST_DEBUG", "false")
    monkeypatch.setenv("HALOPST_SECRET_KEY", "fuzz-" + "k" * 60)
    monkeypatch.setenv("HALOPST_SSL_REDIRECT", "false")


def load(web_server, host):
    """The schema as the host serves it, from a real server (Daphne on the test database)."""
    base = f"http://127.0.0.1:{web_server.rsplit(':', 1)[1]}"
    return schemathesis.openapi.from_url(f"{base}/api/schema/", headers={"Host": host}), base


@pytest.fixture
def satker_api(production_env, make_satker, web_server):
    from tests.booking.conftest import make_officer

    satker = make_satker()
    make_officer(satker, "rina@a.example")
    options = signed_in_headers(satker, create_user(satker, "andi@example.com"), host_of(satker))
    schema, options["base_url"] = load(web_server, host_of(satker))
    return schema, options


@pytest.fixture
def portal_api(production_env, committed_db, web_server):
    from tenants.models import Satker

    national = Satker.objects.get(schema_name="public")
    admin = create_user(national, f"nas-{id(web_server)}@example.com", role=Role.NATIONAL_ADMIN)
    options = signed_in_headers(national, admin, "localhost")
    schema, options["base_url"] = load(web_server, "localhost")
    return schema, options


# Checked: no 5xx; status codes, content types, headers and bodies as the schema says. Not
# checked: that every schema-valid request is accepted — a slot that is not free, a past time,
# an officer who is away are refused with 400/409 by rules a schema cannot express.
FUZZ = settings(
    max_examples=EXAMPLES, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck)
)


def fuzz(schema, options) -> list:
    """Every operation of the schema with generated requests; returns what failed."""
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @FUZZ
        @given(case=operation.as_strategy())
        def run(case):
            case.call_and_validate(
                base_url=options["base_url"],
                headers=options["headers"],
                cookies=options["cookies"],
                excluded_checks=[positive_data_acceptance],
                timeout=20,
            )

        try:
            run()
        except Exception as error:  # a failed check, with the request that caused it
            failures.append(f"{operation.label}: {str(error)[:1500]}")
    return failures


def test_satker_api(satker_api):
    schema, headers = satker_api
    assert len(list(schema.get_all_operations())) >= 12  # the walk really covers the API
    assert fuzz(schema, headers) == []


def test_portal_api(portal_api):
    schema, headers = portal_api
    assert fuzz(schema, headers) == []
