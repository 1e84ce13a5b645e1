"""Rollups moved to `insights` and the public directory to `portal`: state only, the tables
stay (insights.0001 and portal.0001 take them over under the same names)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("tenants", "0004_directory_rollups")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel("SatkerDay"),
                migrations.DeleteModel("SatkerMonth"),
                migrations.DeleteModel("SatkerPulse"),
                migrations.DeleteModel("OfficerMonth"),
                migrations.DeleteModel("DirectoryTopic"),
                migrations.DeleteModel("DirectoryOfficer"),
            ],
            database_operations=[],
        ),
    ]
