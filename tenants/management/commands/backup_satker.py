from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from tenants.backups import backup_platform, backup_schema
from tenants.models import PUBLIC_SCHEMA, Satker


class Command(BaseCommand):
    help = (
        "Back up one satker's schema (by subdomain) as gzip'd SQL; or, with --all, the public schema "
        "and every satker's as one set from one snapshot, with its manifest, keeping the newest --keep sets "
        "(what the nightly task does)."
    )

    def add_arguments(self, parser):
        parser.add_argument("subdomain", nargs="?")
        parser.add_argument("--all", action="store_true")
        parser.add_argument("--output", type=Path, default=settings.BACKUP_DIR or Path("backups"))
        parser.add_argument("--keep", type=int, default=settings.BACKUP_KEEP)

    def handle(self, *args, subdomain=None, all=False, output=None, keep=None, **options):
        if all:
            folder = backup_platform(output, keep=keep)
            size = sum(path.stat().st_size for path in folder.iterdir())
            self.stdout.write(f"{folder} ({len(list(folder.glob('*.sql.gz')))} schemas, {size} bytes)")
            return
        if not subdomain:
            raise CommandError("name a satker's subdomain, or use --all")
        satker = Satker.objects.exclude(schema_name=PUBLIC_SCHEMA).filter(subdomain=subdomain).first()
        if satker is None:
            raise CommandError(f"no satker with subdomain {subdomain}")
        path = backup_schema(satker.schema_name, output)
        self.stdout.write(f"{satker.code} {satker.subdomain}: {path} ({path.stat().st_size} bytes)")
