from django.db import migrations, models


class Migration(migrations.Migration):
    """A second "new migration": the parallel rollout's (migrate_satkers), after 0001's sequential one."""

    dependencies = [("bench_newapp", "0001_initial")]

    operations = [migrations.AddField("announcement", "summary", models.CharField(max_length=300, default=""))]
