from django.core.management.base import BaseCommand, CommandError

from tenants.models import TIMEZONE_LABELS, Kind
from tenants.services import OnboardingError, SatkerSpec, onboard_satker


class Command(BaseCommand):
    help = "Create one satker: its schema (cloned from the template), domain and first admin's invitation."

    def add_arguments(self, parser):
        parser.add_argument("--code", required=True, help="four-digit BPS code, e.g. 3515")
        parser.add_argument("--kind", required=True, choices=[Kind.PROVINCE, Kind.REGENCY, Kind.CITY])
        parser.add_argument("--name", required=True)
        parser.add_argument("--subdomain", required=True)
        parser.add_argument("--timezone", default="Asia/Jakarta", choices=list(TIMEZONE_LABELS))
        parser.add_argument("--admin-email", default="")
        parser.add_argument("--admin-name", default="")

    def handle(self, *args, **options):
        spec = SatkerSpec(
            code=options["code"],
            kind=options["kind"],
            name=options["name"],
            subdomain=options["subdomain"],
            timezone=options["timezone"],
        )
        try:
            satker = onboard_satker(spec, admin_email=options["admin_email"], admin_name=options["admin_name"])
        except OnboardingError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"{satker} ready at {satker.url()}"))
