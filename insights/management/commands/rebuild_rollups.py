from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import tenant_context

from insights import rollups
from tenants.models import PUBLIC_SCHEMA, Satker


class Command(BaseCommand):
    help = (
        "Recompute the daily statistics, officer months and live numbers of satkers from their own "
        "data (all satkers, or those named by subdomain)."
    )

    def add_arguments(self, parser):
        parser.add_argument("subdomains", nargs="*")

    def handle(self, *args, subdomains=(), **options):
        satkers = Satker.objects.exclude(schema_name=PUBLIC_SCHEMA).order_by("code")
        if subdomains:
            satkers = satkers.filter(subdomain__in=subdomains)
            missing = set(subdomains) - set(satkers.values_list("subdomain", flat=True))
            if missing:
                raise CommandError(f"no satker with subdomain {', '.join(sorted(missing))}")
        for satker in satkers:
            with tenant_context(satker):
                days = rollups.rebuild()
            self.stdout.write(f"{satker.code} {satker.subdomain}: {days} days")
