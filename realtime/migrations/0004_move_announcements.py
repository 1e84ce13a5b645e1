"""Announcements and topic subscriptions moved to the `announcements` app: state only, the
tables stay as they are (announcements.0001 takes them over under the same names)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("realtime", "0003_delivery_unconfirmed")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel("Announcement"),
                migrations.DeleteModel("TopicSubscription"),
            ],
            database_operations=[],
        ),
    ]
