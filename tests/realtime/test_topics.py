"""Topic subscriptions: followers of a topic hear about what the satker publishes on it,
through their own channels; nobody else, and nobody of another satker, does."""

from django_tenants.utils import schema_context

from announcements.models import Announcement, TopicSubscription
from booking.models import ExpertiseTag
from core.models import Role
from realtime.models import Delivery, Notification
from tests.conftest import client_for, create_user

INFLATION = "perdagangan-harga-inflasi"


def topic(satker, slug=INFLATION):
    with schema_context(satker.schema_name):
        return ExpertiseTag.objects.get(slug=slug)


def test_followers_are_notified_of_announcements_on_their_topic(satker_a, satker_b):
    follower = create_user(satker_a, "andi@example.com", full_name="Andi", notify_by_email=True)
    other_topic = create_user(satker_a, "sari@example.com", full_name="Sari")
    follower_b = create_user(satker_b, "budi@example.com", full_name="Budi")
    consumer = client_for(satker_a, follower)
    assert consumer.post("/topik/", {"topic": topic(satker_a).pk, "follow": "1"}).status_code == 302
    assert consumer.post("/topik/", {"topic": topic(satker_a).pk, "follow": "1"}).status_code == 302  # twice is once
    client_for(satker_a, other_topic).post("/topik/", {"topic": topic(satker_a, "kependudukan").pk, "follow": "1"})
    client_for(satker_b, follower_b).post("/topik/", {"topic": topic(satker_b).pk, "follow": "1"})
    assert "Berhenti mengikuti" in consumer.get("/topik/").content.decode()

    admin = client_for(satker_a, create_user(satker_a, "admin@a.example", role=Role.SATKER_ADMIN))
    response = admin.post(
        "/pengaturan/pengumuman/",
        {
            "topic": topic(satker_a).pk,
            "kind": "release",
            "title": "Inflasi Oktober 2026 sebesar 0,21 persen",
            "body": "Berita resmi statistik inflasi bulan Oktober.",
            "link": "https://sidoarjokab.bps.go.id/brs",
        },
    )
    assert response.status_code == 302
    with schema_context(satker_a.schema_name):
        announcement = Announcement.objects.get()
        assert TopicSubscription.objects.filter(user=follower).count() == 1
        [note] = Notification.objects.filter(kind="data_release")
        assert note.recipient == follower and note.link == f"/pengumuman/{announcement.pk}/"
        assert "Inflasi Oktober 2026" in note.body
        assert Delivery.objects.filter(notification=note, channel="email").exists()
        assert not Notification.objects.filter(recipient=other_topic).exists()
    with schema_context(satker_b.schema_name):
        assert not Notification.objects.exists() and not Announcement.objects.exists()
    assert client_for(satker_b, follower_b).get(f"/pengumuman/{announcement.pk}/").status_code == 404
    assert "Inflasi Oktober 2026" in consumer.get(f"/pengumuman/{announcement.pk}/").content.decode()

    consumer.post("/topik/", {"topic": topic(satker_a).pk})
    with schema_context(satker_a.schema_name):
        assert not TopicSubscription.objects.filter(user=follower).exists()


def test_only_admins_publish_and_bad_input_keeps_what_was_typed(satker_a):
    consumer = client_for(satker_a, create_user(satker_a, "andi@example.com"))
    assert consumer.get("/pengaturan/pengumuman/").status_code == 403
    admin = client_for(satker_a, create_user(satker_a, "admin@a.example", role=Role.SATKER_ADMIN))
    response = admin.post(
        "/pengaturan/pengumuman/", {"topic": "999999", "kind": "release", "title": "Judul yang diketik", "body": ""}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Judul yang diketik" in page and "harus diisi" in page
    anonymous_follow = client_for(satker_a).post("/topik/", {"topic": topic(satker_a).pk, "follow": "1"})
    assert anonymous_follow.status_code == 302 and "/akun/masuk/" in anonymous_follow["Location"]
    with schema_context(satker_a.schema_name):
        assert not Announcement.objects.exists() and not TopicSubscription.objects.exists()
