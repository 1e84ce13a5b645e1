import datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from tenants.backups import backup_of, files_backup_of, files_folder, replace_schema, restore_files, restore_schema
from tenants.models import PUBLIC_SCHEMA, Satker


class Command(BaseCommand):
    help = (
        "Restore a satker from a backup file, or from the nightly sets as it was at a time (--satker and --at): "
        "into a fresh schema (--into; the live satker is not touched), or in place of the live one (--replace; "
        "the live schema is kept under another name). A set's backup brings the satker's files back too: beside "
        "the fresh schema, or in place of the live files (kept under the replaced schema's name)."
    )

    def add_arguments(self, parser):
        parser.add_argument("backup", type=Path, nargs="?", help="a backup file")
        parser.add_argument("--satker", help="subdomain of the satker to restore from the nightly sets")
        parser.add_argument("--at", help="ISO time (UTC unless it has an offset): the newest set taken then or before")
        parser.add_argument("--backups", type=Path, default=settings.BACKUP_DIR or Path("backups"))
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--into", help="name of the new schema")
        target.add_argument("--replace", action="store_true", help="swap the restored schema in for the live one")

    def handle(self, *args, backup=None, satker=None, at=None, backups=None, into=None, replace=False, **options):
        schema_name = None
        if satker:
            schema_name = (
                Satker.objects.exclude(schema_name=PUBLIC_SCHEMA)
                .filter(subdomain=satker)
                .values_list("schema_name", flat=True)
                .first()
            )
            if schema_name is None:
                raise CommandError(f"no satker with subdomain {satker}")
        try:
            if backup is None:
                if not (schema_name and at):
                    raise CommandError("give a backup file, or --satker and --at")
                moment = datetime.datetime.fromisoformat(at)
                backup = backup_of(
                    backups, schema_name, moment if moment.tzinfo else moment.replace(tzinfo=datetime.UTC)
                )
            if not backup.is_file():
                raise CommandError(f"no such file: {backup}")
            files = files_backup_of(backup)
            if files is None:
                self.stdout.write(f"no files were backed up with {backup.name}: files are left as they are")
            if replace:
                kept = replace_schema(backup)
                self.stdout.write(self.style.SUCCESS(f"restored {backup.name} in place; the replaced schema is {kept}"))
            else:
                restore_schema(backup, into)
                if files is not None:
                    restore_files(files, files_folder(into))
                    self.stdout.write(f"its files are in {files_folder(into)}")
                self.stdout.write(self.style.SUCCESS(f"restored {backup.name} into schema {into}"))
        except ValueError as error:
            raise CommandError(str(error)) from error
