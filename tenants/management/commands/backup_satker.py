from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tenants.backups import backup_schema
from tenants.models import PUBLIC_SCHEMA, Satker


class Command(BaseCommand):
    help = "Back up one satker's schema (by subdomain), or every satker with --all, as gzip'd SQL."

    def add_arguments(self, parser):
        parser.add_argument("subdomain", nargs="?")
        parser.add_argument("--all", action="store_true")
        parser.add_argument("--output", type=Path, default=Path("backups"))

    def handle(self, *args, subdomain=None, all=False, output=None, **options):
        satkers = Satker.objects.exclude(schema_name=PUBLIC_SCHEMA)
        if not all:
            if not subdomain:
                raise CommandError("name a satker's subdomain, or use --all")
            satkers = satkers.filter(subdomain=subdomain)
            if not satkers.exists():
                raise CommandError(f"no satker with subdomain {subdomain}")
        for satker in satkers.order_by("code"):
            path = backup_schema(satker.schema_name, output)
            self.stdout.write(f"{satker.code} {satker.subdomain}: {path} ({path.stat().st_size} bytes)")
