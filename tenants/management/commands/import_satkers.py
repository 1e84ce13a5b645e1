from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from tenants.services import import_satkers, read_satker_csv


class Command(BaseCommand):
    help = (
        "Onboard every satker of a CSV (code,kind,name,subdomain,timezone), or every province of "
        "provinces.csv (code,name,subdomain,timezone). Good rows import, bad rows are reported; "
        "re-running the same file changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("csv_path", type=Path)
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, csv_path: Path, no_progress: bool, **options):
        if not csv_path.is_file():
            raise CommandError(f"No such file: {csv_path}")
        try:
            rows = list(read_satker_csv(csv_path))
        except (ValueError, UnicodeDecodeError) as error:
            raise CommandError(str(error)) from error
        with tqdm(total=len(rows), unit="satker", disable=no_progress, file=self.stderr) as progress:
            report = import_satkers(rows, on_row=progress.update)
        for line, code, reason in report.rejected:
            self.stdout.write(self.style.ERROR(f"line {line} ({code or '-'}): {reason}"))
        self.stdout.write(report.summary)
        if report.rejected and not (report.created or report.unchanged):
            raise CommandError("no row could be imported")
