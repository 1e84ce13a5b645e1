from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from tenants.backups import restore_drill


class Command(BaseCommand):
    help = (
        "Prove the newest backup set restores: replay it into a scratch database and compare every table's "
        "rows, and every satker's files, with the manifest written when it was taken. Exits with an error on any difference."
    )

    def add_arguments(self, parser):
        parser.add_argument("--backups", type=Path, default=settings.BACKUP_DIR or Path("backups"))

    def handle(self, *args, backups=None, **options):
        try:
            report = restore_drill(backups)
        except ValueError as error:
            raise CommandError(str(error)) from error
        for difference in report.differences:
            self.stderr.write(difference)
        if report.differences:
            raise CommandError(
                f"{report.folder.name}: {len(report.differences)} tables or file archives differ from the backup"
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"{report.folder.name}: {report.schemas} schemas, {report.tables} tables, {report.rows} rows "
                f"and {report.files} files restored exactly as backed up"
            )
        )
