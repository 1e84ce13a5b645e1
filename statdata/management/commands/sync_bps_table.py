from django.core.management.base import BaseCommand, CommandError

from statdata.services import sync_webapi_table
from statdata.webapi import WebAPIError


class Command(BaseCommand):
    help = (
        "Fetch one BPS WebAPI dynamic table (domain, var) and record its values as figures AIDA can "
        "answer with; again later records revisions and leaves unchanged values alone."
    )

    def add_arguments(self, parser):
        parser.add_argument("--domain", required=True, help="BPS domain code, e.g. 3500")
        parser.add_argument("--var", required=True, help="the variable id in that domain")
        parser.add_argument("--alias", action="append", default=[], help="another name people use for it")

    def handle(self, *args, domain, var, alias, **options):
        try:
            report, skipped = sync_webapi_table(domain, var, aliases=alias)
        except WebAPIError as failure:
            raise CommandError(str(failure)) from None
        self.stdout.write(f"{report.created} new, {report.revised} revised, {report.unchanged} unchanged")
        for line in skipped:
            self.stdout.write(f"  not stored: {line}")
