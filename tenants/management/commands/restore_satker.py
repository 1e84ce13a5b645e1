from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tenants.backups import restore_schema


class Command(BaseCommand):
    help = (
        "Restore a satker backup into a fresh schema (e.g. to inspect it, or to copy rows back). "
        "The live satker is not touched."
    )

    def add_arguments(self, parser):
        parser.add_argument("backup", type=Path)
        parser.add_argument("--into", required=True, help="name of the new schema")

    def handle(self, *args, backup: Path, into: str, **options):
        if not backup.is_file():
            raise CommandError(f"no such file: {backup}")
        try:
            restore_schema(backup, into)
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"restored {backup.name} into schema {into}"))
