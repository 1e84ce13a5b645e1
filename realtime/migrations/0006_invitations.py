"""Invitations go through the outbox: a notification may have no recipient (the invitee has no
account yet), and the outbox exists in public too, for the portal's invitations."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django_tenants.utils import get_public_schema_name


def create_outbox_in_public(apps, schema_editor):
    """realtime is a shared app from here on. A database made before has its earlier
    migrations recorded as applied in public (django-tenants' router skipped them there), so
    public has no outbox tables yet: create them as they were at 0005."""
    connection = schema_editor.connection
    if connection.schema_name != get_public_schema_name():
        return
    existing = set(connection.introspection.table_names())
    for name in ("Notification", "Delivery", "DeliveryAttempt"):
        model = apps.get_model("realtime", name)
        if model._meta.db_table not in existing:
            schema_editor.create_model(model)


class Migration(migrations.Migration):
    dependencies = [
        ("realtime", "0005_notification_context"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(create_outbox_in_public, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="notification",
            name="recipient",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="notifications",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddConstraint(
            model_name="notification",
            constraint=models.CheckConstraint(
                condition=models.Q(("recipient__isnull", False), ("kind", "invitation"), _connector="OR"),
                name="notification_for_a_user_or_an_invitee",
            ),
        ),
    ]
