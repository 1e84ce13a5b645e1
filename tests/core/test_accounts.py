import re

from django.core import mail
from django.test import Client
from django_tenants.utils import schema_context

from core.models import Invitation, Role, User
from core.services import invite_user
from realtime.models import Delivery, DeliveryAttempt, Notification
from tests.conftest import PASSWORD, authenticator_code, client_for, create_user, delete_public_users

SIGN_UP = {
    "full_name": "Siti Aminah",
    "email": "Siti@Example.com",
    "whatsapp": "081234567890",
    "password": PASSWORD,
    "consent": "on",
}


def test_consumer_signs_up_in_their_satker_only(db, satker_a, satker_b):
    client = client_for(satker_a)
    response = client.post("/akun/daftar/", SIGN_UP)
    assert response.status_code == 302

    with schema_context(satker_a.schema_name):
        user = User.objects.get(email="siti@example.com")
        assert (user.role, user.whatsapp, user.privacy_consent_at is not None) == (Role.CONSUMER, "081234567890", True)
    with schema_context(satker_b.schema_name):
        assert not User.objects.filter(email="siti@example.com").exists()
    assert client.get("/api/v1/me/").json()["email"] == "siti@example.com"

    # The same person may hold a separate account at another satker.
    assert client_for(satker_b).post("/akun/daftar/", SIGN_UP).status_code == 302


def test_sign_up_from_the_login_page_keeps_the_chosen_slot_and_topic(db, satker_a):
    """A visitor who chose a slot and a topic is sent to log in; having no account, they sign up
    and land back on the request form with their choice, not on the home page."""
    from urllib.parse import quote

    client = client_for(satker_a)
    wanted = "/konsultasi/baru/?petugas=3&mulai=2026-12-07T09:15&topik=Garis+kemiskinan"
    login = client.get(f"/akun/masuk/?next={quote(wanted)}").content.decode()
    link = re.search(r'href="(/akun/daftar/\?next=[^"]+)"', login).group(1).replace("&amp;", "&")
    page = client.get(link).content.decode()
    assert 'name="next"' in page
    response = client.post(link, SIGN_UP)
    assert response.status_code == 302 and response["Location"] == wanted
    # A crafted link cannot send a new account elsewhere.
    other = client_for(satker_a).post("/akun/daftar/?next=https://evil.example/", {**SIGN_UP, "email": "b@x.example"})
    assert other["Location"] == "/"


def test_a_whatsapp_number_is_taken_as_people_write_it(db, satker_a):
    response = client_for(satker_a).post("/akun/daftar/", {**SIGN_UP, "whatsapp": "0812-3456-7890"})
    assert response.status_code == 302
    with schema_context(satker_a.schema_name):
        assert User.objects.get(email="siti@example.com").whatsapp == "081234567890"


def test_the_privacy_notice_is_there_wherever_consent_is_asked(db, satker_a):
    client = client_for(satker_a)
    assert 'href="/privasi/"' in client.get("/akun/daftar/").content.decode()
    notice = client.get("/privasi/").content.decode()
    assert "UU PDP" in notice and "365 hari" in notice


def test_sign_up_refuses_bad_input_in_indonesian_and_keeps_what_was_typed(db, satker_a):
    client = client_for(satker_a)
    response = client.post("/akun/daftar/", {**SIGN_UP, "consent": "", "whatsapp": "12345"})
    body = response.content.decode()
    assert response.status_code == 400
    assert "pemberitahuan privasi" in body
    assert "nomor ponsel Indonesia" in body
    assert 'value="Siti Aminah"' in body
    assert 'class="error-summary"' in body and 'href="#id_whatsapp"' in body  # what went wrong, linked, on top
    assert f'value="{SIGN_UP["password"]}"' in body  # the password is not cleared by another field's error
    assert "satu angka atau simbol" in client.get("/akun/daftar/").content.decode()  # its rules, before any try
    with schema_context(satker_a.schema_name):
        assert not User.objects.filter(email="siti@example.com").exists()

    create_user(satker_a, "siti@example.com")
    duplicate = client.post("/akun/daftar/", SIGN_UP)
    assert duplicate.status_code == 400 and "sudah ada" in duplicate.content.decode()


def test_session_of_satker_a_is_worth_nothing_on_satker_b(db, satker_a, satker_b):
    # Ids are per schema: the same number in two satkers means two different people.
    alice = create_user(satker_a, "alice@example.com", full_name="Alice Sidoarjo", id=7001)
    create_user(satker_b, "bob@example.com", full_name="Bob Surabaya", id=7001)

    signed_in_a = client_for(satker_a, alice)
    cookie = signed_in_a.cookies["sessionid"].value
    stranger = Client(HTTP_HOST="surabayakota.localhost")
    stranger.cookies["sessionid"] = cookie

    me = stranger.get("/api/v1/me/")
    assert me.status_code == 403
    assert "Bob" not in me.content.decode() and "alice" not in me.content.decode()
    page = stranger.get("/").content.decode()
    assert "Alice" not in page and "Bob Surabaya" not in page and "/akun/masuk/" in page


def test_each_role_starts_where_its_work_is(db, satker_a):
    officer = create_user(satker_a, "petugas@a.example", role=Role.OFFICER)
    consumer = create_user(satker_a, "warga@a.example")
    for user, start in [(officer, "/kotak-masuk/"), (consumer, "/")]:
        response = client_for(satker_a).post("/akun/masuk/", {"username": user.email, "password": PASSWORD})
        assert response["Location"] == start
    asked = client_for(satker_a).post(
        "/akun/masuk/?next=/konsultasi/", {"username": officer.email, "password": PASSWORD}
    )
    assert asked["Location"] == "/konsultasi/"  # a `next` still wins


def test_login_is_per_satker(db, satker_a, satker_b):
    create_user(satker_a, "alice@example.com")
    response = client_for(satker_b).post("/akun/masuk/", {"username": "alice@example.com", "password": PASSWORD})
    assert response.status_code == 200
    assert "tidak cocok dengan akun di sini" in response.content.decode()  # said plainly, in Indonesian


def test_password_reset_mail_links_to_the_satker_host(db, satker_a):
    create_user(satker_a, "alice@example.com")
    client_for(satker_a).post("/akun/sandi/lupa/", {"email": "alice@example.com"})
    assert len(mail.outbox) == 1
    link = re.search(r"http://\S+", mail.outbox[0].body).group(0)
    assert link.startswith("http://sidoarjokab.localhost/akun/sandi/atur/")

    response = client_for(satker_a).get(link.replace("http://sidoarjokab.localhost", ""), follow=True)
    assert response.status_code == 200
    new_password = "teh-poci-Surabaya-2026"
    form_url = response.redirect_chain[-1][0]
    done = client_for(satker_a).post(form_url, {"new_password1": new_password, "new_password2": new_password})
    assert done.status_code in (200, 302)


def test_invitation_sets_up_an_admin_once(db, satker_a, eager_celery, django_capture_on_commit_callbacks):
    with schema_context(satker_a.schema_name):
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            invite_user(email="Kepala@Sidoarjo.example", role=Role.SATKER_ADMIN, full_name="Kepala PST")
        assert mail.outbox == []  # nothing is sent before the invitation is committed
    from celery.signals import task_prerun

    task_arguments = []

    def remember(sender=None, args=None, kwargs=None, **_signal):
        task_arguments.append((sender.name, tuple(args or ()), dict(kwargs or {})))

    task_prerun.connect(remember)
    try:
        for callback in callbacks:
            callback()
    finally:
        task_prerun.disconnect(remember)
    assert [message.to for message in mail.outbox] == [["kepala@sidoarjo.example"]]
    assert mail.outbox[0].subject == "Undangan ke HaloPST BPS Kabupaten Sidoarjo"
    assert "sebagai Admin satker" in mail.outbox[0].body
    link = re.search(r"http://\S+", mail.outbox[0].body).group(0)
    token = link.rstrip("/").rsplit("/", 1)[1]
    with schema_context(satker_a.schema_name):
        delivery = Delivery.objects.get(address="kepala@sidoarjo.example")
        stored = repr(list(Notification.objects.values())) + repr(list(DeliveryAttempt.objects.values()))
        assert delivery.status == "sent" and delivery.notification.recipient is None
    # Through the outbox, and the secret is neither in the broker nor in any stored row.
    assert task_arguments == [("realtime.tasks.deliver", (delivery.pk,), {})]
    assert token not in repr(task_arguments) and token not in stored
    assert link.startswith("http://sidoarjokab.localhost/akun/undangan/")
    path = link.removeprefix("http://sidoarjokab.localhost")

    client = client_for(satker_a)
    assert client.get(path).status_code == 200
    weak = client.post(path, {"full_name": "Kepala PST", "password": "123"})
    assert weak.status_code == 400
    response = client.post(path, {"full_name": "Kepala PST", "password": PASSWORD})
    assert response.status_code == 302
    # A new admin is signed in, and must set up two-factor verification before anything else.
    assert "dua langkah" in client.get("/api/v1/me/").json()["detail"]
    client.get("/akun/2fa/")
    with schema_context(satker_a.schema_name):
        head = User.objects.get(email="kepala@sidoarjo.example")
    client.post("/akun/2fa/", {"code": authenticator_code(satker_a, head)})
    assert client.get("/api/v1/me/").json()["role"] == "satker_admin"
    assert client_for(satker_a).get(path).status_code == 404  # used up
    with schema_context(satker_a.schema_name):
        assert Invitation.objects.get().accepted_at is not None
    # The link is worth nothing on another satker's host.
    assert Client(HTTP_HOST="surabayakota.localhost").get(path).status_code == 404


def test_an_invitation_replaced_before_its_email_left_is_not_sent(
    db, satker_a, eager_celery, django_capture_on_commit_callbacks
):
    """ "Resend" replaces the invitation: the first e-mail, still queued, must not carry a dead
    link, and the outbox records why it was not sent."""
    with schema_context(satker_a.schema_name):
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            invite_user(email="petugas@sidoarjo.example", role=Role.OFFICER)
            invite_user(email="petugas@sidoarjo.example", role=Role.OFFICER)
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 1
    link = re.search(r"http://\S+", mail.outbox[0].body).group(0)
    assert client_for(satker_a).get(link.removeprefix("http://sidoarjokab.localhost")).status_code == 200
    with schema_context(satker_a.schema_name):
        first, second = Delivery.objects.order_by("pk")
        assert (first.status, second.status) == ("failed", "sent")
        assert "withdrawn" in first.last_error


def test_signing_up_on_the_portal_makes_a_halopst_account_not_a_satkers(db, satker_a):
    assert Client(HTTP_HOST="localhost").post("/akun/daftar/", SIGN_UP).status_code == 302
    with schema_context("public"):
        account = User.objects.get(email="siti@example.com")
    try:
        assert account.role == Role.CONSUMER and account.has_usable_password()
        with schema_context(satker_a.schema_name):
            assert not User.objects.filter(email="siti@example.com").exists()
    finally:
        delete_public_users(account)
