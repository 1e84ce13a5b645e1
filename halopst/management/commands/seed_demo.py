import secrets
from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import transaction
from django_tenants.utils import schema_context

from booking import services as booking
from booking.models import ExpertiseTag
from core.models import Role, User
from statdata.demo import import_jatim_demo
from tenants.models import PUBLIC_SCHEMA, Satker
from tenants.services import import_satkers, read_satker_csv

DATA = Path(__file__).resolve().parents[3] / "tenants" / "data"
DEMO_SUBDOMAINS = {"jatim", "sidoarjokab", "surabayakota", "malangkota"}

# Demo officers' expertise (slugs seeded in every satker) and bios.
OFFICER_PROFILES = {
    "rina@sidoarjokab.halopst.local": (
        ["kemiskinan-kesejahteraan", "kependudukan"],
        "Statistisi ahli kemiskinan dan kependudukan.",
    ),
    "bagus@sidoarjokab.halopst.local": (
        ["ketenagakerjaan", "neraca-regional-pdrb"],
        "Statistisi ketenagakerjaan dan PDRB.",
    ),
    "dewi@surabayakota.halopst.local": (
        ["perdagangan-harga-inflasi", "mikrodata-pengolahan"],
        "Statistisi harga dan data mikro.",
    ),
}

# (schema or public, email, full name, role)
DEMO_USERS = [
    (PUBLIC_SCHEMA, "nasional@halopst.local", "Admin Nasional", Role.NATIONAL_ADMIN),
    (PUBLIC_SCHEMA, "jatim@halopst.local", "Admin Provinsi Jawa Timur", Role.PROVINCE_ADMIN),
    ("jatim", "admin@jatim.halopst.local", "Admin BPS Jawa Timur", Role.SATKER_ADMIN),
    ("sidoarjokab", "admin@sidoarjokab.halopst.local", "Admin BPS Sidoarjo", Role.SATKER_ADMIN),
    ("sidoarjokab", "rina@sidoarjokab.halopst.local", "Rina Kusumawati", Role.OFFICER),
    ("sidoarjokab", "bagus@sidoarjokab.halopst.local", "Bagus Prasetyo", Role.OFFICER),
    ("surabayakota", "admin@surabayakota.halopst.local", "Admin BPS Surabaya", Role.SATKER_ADMIN),
    ("surabayakota", "dewi@surabayakota.halopst.local", "Dewi Lestari", Role.OFFICER),
    ("sidoarjokab", "mahasiswa@example.com", "Andi Mahasiswa", Role.CONSUMER),
]


class Command(BaseCommand):
    help = "Seed the demo: Jawa Timur and three of its satkers, with admins, officers and a consumer."

    def add_arguments(self, parser):
        parser.add_argument("--reset-passwords", action="store_true", help="give every demo user a new password")

    def handle(self, *args, reset_passwords: bool, **options):
        rows = [
            (line, spec)
            for line, spec in read_satker_csv(DATA / "satker_jatim.csv")
            if spec.subdomain in DEMO_SUBDOMAINS
        ]
        report = import_satkers(rows)
        self.stdout.write(f"demo satkers: {report.summary}")
        figures, unplaced = import_jatim_demo()
        self.stdout.write(
            f"demo figures (labelled as demo data, statdata/data/README.md): {figures.created} new, "
            f"{figures.revised} revised, {figures.unchanged} unchanged, {len(unplaced)} rows not placed"
        )
        jatim = Satker.objects.get(subdomain="jatim")
        printed = []
        for schema, email, name, role in DEMO_USERS:
            with schema_context(schema), transaction.atomic():
                user = User.objects.filter(email=email).first()
                if user is not None and not reset_passwords:
                    continue
                password = secrets.token_urlsafe(9)
                if user is None:
                    user = User(
                        email=email,
                        full_name=name,
                        role=role,
                        managed_province=jatim if role == Role.PROVINCE_ADMIN else None,
                        is_staff=role in (Role.NATIONAL_ADMIN, Role.PROVINCE_ADMIN),
                    )
                user.set_password(password)
                user.save()
                host_satker = Satker.objects.get(schema_name=schema)
                printed.append((host_satker.url("/akun/masuk/"), email, password, role.label))
                if email in OFFICER_PROFILES:
                    tags, bio = OFFICER_PROFILES[email]
                    profile = booking.save_officer_profile(
                        user, bio=bio, expertise=list(ExpertiseTag.objects.filter(slug__in=tags))
                    )
                    booking.set_weekly_hours(profile, [(day, "08:00", "15:30") for day in range(5)])
        if printed:
            self.stdout.write(
                self.style.WARNING("Demo accounts (shown once; `manage.py seed_demo --reset-passwords` for new ones):")
            )
            for url, email, password, role in printed:
                self.stdout.write(f"  {role:<15} {email:<36} {password:<14} {url}")
