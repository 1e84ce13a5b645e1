"""Models that moved between apps (rollups to insights, the directory to portal, announcements
out of realtime) keep their tables and their rows: rows written by the code from before the
move are read by the code after it, and no table is created or dropped on the way."""

from datetime import date
from importlib import import_module

from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader

from announcements.models import Announcement, TopicSubscription
from booking.models import ExpertiseTag
from insights.models import SatkerDay
from portal.models import DirectoryTopic
from tests.conftest import create_user


def latest(app: str) -> tuple[str, str]:
    """The app's newest migration: the rows are read back through today's models."""
    [leaf] = MigrationLoader(connection).graph.leaf_nodes(app)
    return leaf


def _move_back_then_forward(before: list, after: list, write_old_rows) -> set[str]:
    """Unapply the move, write rows through the historical models, apply it again; returns the
    tables that differ before and after."""
    with connection.cursor() as cursor:
        # Rows the test wrote still have deferred foreign-key checks pending, and PostgreSQL
        # refuses to alter a table with pending trigger events: run the checks now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    tables = set(connection.introspection.table_names())
    executor.loader.build_graph()
    write_old_rows(executor.loader.project_state(before[0]).apps)
    executor = MigrationExecutor(connection)
    executor.migrate(after)
    return tables ^ set(connection.introspection.table_names())


def test_public_rows_from_before_the_move_are_read_after_it(satker_a):
    connection.set_schema_to_public()

    def write(old_apps):
        old_apps.get_model("tenants", "SatkerDay").objects.create(
            satker_id=satker_a.pk, day=date(2020, 1, 2), requests=7
        )
        old_apps.get_model("tenants", "DirectoryTopic").objects.create(
            satker_id=satker_a.pk, slug="topik-lama", name="Topik lama"
        )

    changed = _move_back_then_forward(
        [("tenants", "0004_directory_rollups"), ("insights", None), ("portal", None)],
        [("tenants", "0005_move_rollups_and_directory"), latest("insights"), ("portal", "0001_initial")],
        write,
    )
    assert changed == set()
    assert SatkerDay.objects.get(satker=satker_a, day=date(2020, 1, 2)).requests == 7
    assert DirectoryTopic.objects.get(satker=satker_a, slug="topik-lama").name == "Topik lama"


def test_satker_rows_from_before_the_move_are_read_after_it(satker_a):
    connection.set_tenant(satker_a)
    user = create_user(satker_a, "pengikut@example.com")
    tag = ExpertiseTag.objects.first()

    def write(old_apps):
        old_apps.get_model("realtime", "TopicSubscription").objects.create(user_id=user.pk, topic_id=tag.pk)
        old_apps.get_model("realtime", "Announcement").objects.create(topic_id=tag.pk, title="Rilis lama", body="…")

    changed = _move_back_then_forward(
        [("realtime", "0003_delivery_unconfirmed"), ("announcements", None)],
        [("realtime", "0004_move_announcements"), ("announcements", "0001_initial")],
        write,
    )
    assert changed == set()
    assert TopicSubscription.objects.get(user=user).topic == tag
    assert Announcement.objects.get().title == "Rilis lama"


def test_public_gets_the_outbox_but_not_the_satker_only_tables(db):
    """realtime became a shared app (the portal's invitations go through its outbox). A database
    made before has realtime's migrations recorded in public without their tables: 0006 makes
    them. The announcement tables its first migrations made stay out of public."""
    connection.set_schema_to_public()
    outbox = {"realtime_notification", "realtime_delivery", "realtime_deliveryattempt"}
    tables = set(connection.introspection.table_names())
    assert outbox <= tables and not {"realtime_announcement", "realtime_topicsubscription"} & tables
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE realtime_deliveryattempt, realtime_delivery, realtime_notification")
    before = MigrationLoader(connection).project_state(("realtime", "0005_notification_context")).apps
    with connection.schema_editor() as editor:
        import_module("realtime.migrations.0006_invitations").create_outbox_in_public(before, editor)
    assert outbox <= set(connection.introspection.table_names())
