"""Satker admins choose the BPS WebAPI tables AIDA answers with; beat refreshes them."""

import pytest
from django_tenants.utils import schema_context

from core.audit import entries
from core.models import Role
from statdata.models import FollowedTable, Observation
from statdata.services import refresh_followed_tables
from tests.conftest import client_for, create_user


def test_an_admin_follows_a_table_and_its_figures_arrive(
    satker_a,
    satker_b,
    bps,
    eager_celery,
    django_capture_on_commit_callbacks,
):
    admin = create_user(satker_a, "kepala@a.example", role=Role.SATKER_ADMIN)
    client = client_for(satker_a, admin)
    with django_capture_on_commit_callbacks(execute=True):
        followed = client.post("/pengaturan/data-bps/", {"variable_id": " 31 ", "aliases": "penduduk, Jumlah Jiwa"})
    assert followed.status_code == 302
    table = FollowedTable.objects.get(domain="3515", variable_id="31")
    assert table.aliases == ["penduduk", "jumlah jiwa"] and table.synced_at and table.last_error == ""
    assert Observation.objects.filter(variable__slug="bps-3515-31", superseded_at__isnull=True).count() == 23
    page = client.get("/pengaturan/data-bps/").content.decode()
    assert "Jumlah Penduduk" in page and "Diperbarui" in page
    with schema_context(satker_a.schema_name):
        assert entries().filter(action="figures.follow_table", target="3515/31").exists()
    # Another satker's admin sees only their own domain's tables.
    other = client_for(satker_b, create_user(satker_b, "kepala@b.example", role=Role.SATKER_ADMIN))
    assert "Jumlah Penduduk" not in other.get("/pengaturan/data-bps/").content.decode()


def test_a_failed_refresh_is_shown_and_the_next_one_clears_it(satker_a, bps):
    table = FollowedTable.objects.create(domain="3515", variable_id="31", followed_by="3515")
    bps.plan.append("error")
    assert refresh_followed_tables() == 0
    table.refresh_from_db()
    assert "something wrong" in table.last_error and "fake-bps-key" not in table.last_error
    assert refresh_followed_tables() == 1
    table.refresh_from_db()
    assert table.last_error == "" and table.synced_at is not None


def test_bad_input_is_refused_in_indonesian(satker_a):
    client = client_for(satker_a, create_user(satker_a, "kepala@a.example", role=Role.SATKER_ADMIN))
    refused = client.post("/pengaturan/data-bps/", {"variable_id": "tpt; drop", "aliases": ""})
    assert refused.status_code == 400 and "Nomor variabel" in refused.content.decode()
    assert not FollowedTable.objects.exists()


@pytest.mark.parametrize("role", [Role.CONSUMER, Role.OFFICER])
def test_only_the_satker_admin_manages_the_tables(satker_a, role):
    client = client_for(satker_a, create_user(satker_a, f"{role}@a.example", role=role))
    assert client.get("/pengaturan/data-bps/").status_code == 403
    assert client.post("/pengaturan/data-bps/", {"variable_id": "31"}).status_code == 403
