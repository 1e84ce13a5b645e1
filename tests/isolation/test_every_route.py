"""Tenant isolation, enumerated: every URL pattern of both URL confs is requested (GET, and POST
where it changes things) with the ids of satker A's private objects, as satker B's admin on B's
host, as an anonymous visitor and as the wrong roles on A's host. A's private markers must never
appear, and nothing may answer 5xx. New routes are covered without anyone remembering: a route
this test cannot fill fails it."""

import re

import pytest
from django.test import Client
from django.urls import get_resolver
from django_tenants.utils import schema_context

from aida.models import Conversation, KnowledgeEntry, Message
from booking import services as booking
from conversations import services as conversations
from core.models import Role
from realtime.models import Delivery
from tests.booking.conftest import at, make_officer, next_weekday, on_duty_now, request
from tests.conftest import client_for, create_user, host_of

CONSULTATION_MARK = "RAHASIAKONSUL7F3"
AIDA_MARK = "RAHASIAAIDA9Q2"
# Routes that cannot be walked with a plain request, and why.
SKIPPED = {
    "logout": "ends the walking client's own session",
    "set_language": "changes only the walking client's language",
    "aida-ask": "streams over an async iterator; isolation covered in tests/aida",
}


def walk(patterns, prefix=""):
    for pattern in patterns:
        if hasattr(pattern, "url_patterns"):
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern), pattern.name


@pytest.fixture
def world(satker_a, satker_b, province_jatim):
    officer = make_officer(satker_a, "rina@a.example", full_name="Rina Petugas")
    other_officer = make_officer(satker_a, "bagus@a.example", full_name="Bagus Petugas")
    on_duty_now(satker_a, officer)
    owner = create_user(satker_a, "owner@a.example", full_name=f"Pemilik {CONSULTATION_MARK}")
    booked = request(
        satker_a,
        owner,
        officer,
        at(satker_a, next_weekday(satker_a.timezone, 0), 8),
        topic=f"Topik {CONSULTATION_MARK}",
        data_need=f"Kebutuhan {CONSULTATION_MARK}",
    )
    with schema_context(satker_a.schema_name):
        booking.approve(booked.pk, officer.user, meeting_link="https://meet.example.org/a")
        conversation = Conversation.objects.create(user=owner)
        Message.objects.create(conversation=conversation, role="user", text=f"Tanya {AIDA_MARK}")
        answer = Message.objects.create(conversation=conversation, role="assistant", text=f"Jawab {AIDA_MARK}")
        draft = KnowledgeEntry.objects.create(slug="draf-rahasia", title=f"Draf {AIDA_MARK}", body="x", status="draft")
        delivery = Delivery.objects.filter(notification__recipient=owner).first()
        thread = conversations.start_conversation(
            consumer=owner, subject=f"Tanya tertulis {CONSULTATION_MARK}", body=f"Isi {CONSULTATION_MARK}"
        )
        assert thread.assignee == officer  # not the other officer, who walks below
        note = conversations.add_note(thread.pk, officer.user, body="Catatan internal")
    ids = {
        "pk": booked.pk,
        "officer_id": officer.pk,
        "user_id": officer.user_id,
        "slug": "kemiskinan-kesejahteraan",
        "action": "cancel",
        "fmt": "csv",
        "token": "t" * 43,
        "uidb64": "MQ",
        "code": satker_a.code,
        "path": f"satkers/{satker_a.schema_name}/branding/logo.png",
        "message_id": note.pk,
    }
    by_name = {
        "delivery-retry": delivery.pk,
        "aida-rate": answer.pk,
        "aida-handoff": answer.pk,
        "aida-knowledge-edit": draft.pk,
        "aida-entry": draft.slug,
        "conversation": thread.pk,
        "conversation-action": thread.pk,
        "conversation-attachment": thread.pk,
    }
    b_admin = create_user(satker_b, "admin@b.example", role=Role.SATKER_ADMIN)
    # The markers are really reachable by the right people: the check below is not vacuous.
    owner_client = client_for(satker_a, owner)
    assert CONSULTATION_MARK in owner_client.get(f"/konsultasi/{booked.pk}/").content.decode()
    assert AIDA_MARK in owner_client.get("/aida/").content.decode()
    assert CONSULTATION_MARK in owner_client.get(f"/percakapan/{thread.pk}/").content.decode()
    return {
        "a": satker_a,
        "b": satker_b,
        "ids": ids,
        "by_name": by_name,
        "b_admin": b_admin,
        "a_roles": {
            "anonymous": None,
            "another consumer": create_user(satker_a, "lain@a.example"),
            "another officer": other_officer.user,
        },
    }


def fill(route, name, world):
    def value(match):
        key = match.group(2)
        if name in world["by_name"] and key in ("pk", "slug"):
            return str(world["by_name"][name])
        return str(world["ids"][key])

    path = re.sub(r"<(?:(\w+):)?(\w+)>", value, route)
    return "/" + path.replace("^", "").replace("$", "").replace("(?P<path>.*)", world["ids"]["path"])


def responses(client, path):
    for method in ("get", "post"):
        response = getattr(client, method)(path, {} if method == "post" else None)
        body = b"" if getattr(response, "streaming", False) else response.content
        yield method.upper(), response.status_code, body.decode("utf-8", "replace")


def test_no_route_leaks_across_satkers_or_roles(world):
    tenant_routes = [
        (route, name) for route, name in walk(get_resolver("halopst.urls_tenant").url_patterns) if name not in SKIPPED
    ]
    public_routes = [
        (route, name) for route, name in walk(get_resolver("halopst.urls_public").url_patterns) if name not in SKIPPED
    ]
    assert len(tenant_routes) >= 55  # the walk really walks

    b_client = client_for(world["b"], world["b_admin"])
    portal = Client(HTTP_HOST="localhost")
    portal.cookies["sessionid"] = b_client.cookies["sessionid"].value  # B's session, tried on the portal
    a_clients = {label: client_for(world["a"], user) for label, user in world["a_roles"].items()}
    failures = []
    for route, name in tenant_routes:
        path = fill(route, name, world)
        for label, client, forbidden in [("B's admin on B", b_client, (CONSULTATION_MARK, AIDA_MARK))] + [
            (
                f"{role} on A",
                client,
                (CONSULTATION_MARK,) if role == "another officer" else (CONSULTATION_MARK, AIDA_MARK),
            )
            for role, client in a_clients.items()
        ]:
            for method, status, body in responses(client, path):
                leaked = [mark for mark in forbidden if mark in body]
                if status >= 500 or leaked:
                    failures.append((label, method, path, status, leaked))
    for route, name in public_routes:
        path = fill(route, name, world)
        for method, status, body in responses(portal, path):
            if status >= 500 or CONSULTATION_MARK in body or AIDA_MARK in body:
                failures.append(("B's session on the portal", method, path, status))
    assert failures == []


def test_files_of_one_satker_are_not_served_on_another_host(world, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    folder = tmp_path / "satkers" / world["a"].schema_name / "branding"
    folder.mkdir(parents=True)
    (folder / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    settings.DEBUG = True
    path = f"/media/satkers/{world['a'].schema_name}/branding/logo.png"
    assert Client(HTTP_HOST=host_of(world["a"])).get(path).status_code == 200
    assert Client(HTTP_HOST=host_of(world["b"])).get(path).status_code == 404
    assert (
        Client(HTTP_HOST=host_of(world["b"]))
        .get(f"/media/satkers/{world['b'].schema_name}/../{world['a'].schema_name}/branding/logo.png")
        .status_code
        == 404
    )


WRITE = re.compile(r'^\s*(INSERT|UPDATE|DELETE)\b[^"]*"(\w+)"', re.IGNORECASE)
# A session row may be written by any request that touches the session; it is the visitor's own.
WRITES_ANY_REQUEST_MAY_MAKE = {"django_session"}


def test_no_get_or_head_writes_to_the_database(world, satker_a):
    """State changes are POSTs with CSRF: a link or an image on another page must not be able to
    book, hand off, mark read or record anything. Every route, every role, GET and HEAD."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tenants.models import Satker

    officer = make_officer(satker_a, "walker@a.example")
    a_users = {
        "anonymous": None,
        "owner": create_user(satker_a, "pemilik2@a.example"),
        "officer": officer.user,
        "satker admin": create_user(satker_a, "admin@a.example", role=Role.SATKER_ADMIN),
        **world["a_roles"],
    }
    national = Satker.objects.get(schema_name="public")
    walks = [(label, client_for(world["a"], user), "halopst.urls_tenant") for label, user in a_users.items()]
    walks += [
        (
            "national admin",
            client_for(national, create_user(national, "pusat@halopst.example", role=Role.NATIONAL_ADMIN)),
            "halopst.urls_public",
        ),
        ("anonymous on the portal", Client(HTTP_HOST="localhost"), "halopst.urls_public"),
    ]
    writes = []
    for label, client, urlconf in walks:
        for route, name in walk(get_resolver(urlconf).url_patterns):
            if name in SKIPPED:
                continue
            path = fill(route, name, world)
            for method in ("get", "head"):
                with CaptureQueriesContext(connection) as queries:
                    getattr(client, method)(path)
                tables = {
                    match.group(2) for query in queries.captured_queries if (match := WRITE.match(query["sql"]))
                } - WRITES_ANY_REQUEST_MAY_MAKE
                if tables:
                    writes.append((label, method.upper(), path, sorted(tables)))
    assert writes == []
