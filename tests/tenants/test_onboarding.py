import io

import pytest
from django.core.management import call_command
from django.db import connection
from django_tenants.utils import schema_context, schema_exists

from core.models import Invitation, Role, User
from tenants.models import Domain, Satker
from tenants.services import OnboardingError, SatkerSpec, onboard_satker


def table_names(schema):
    with connection.cursor() as cursor:
        cursor.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = %s", [schema])
        return {row[0] for row in cursor.fetchall()}


def test_onboarding_creates_schema_domain_and_admin_invitation(db, province_jatim):
    satker = onboard_satker(
        SatkerSpec("3525", "regency", "Kabupaten Gresik", "gresikkab", "Asia/Jakarta"),
        admin_email="Admin@Gresik.example",
        admin_name="Admin Gresik",
    )

    assert schema_exists("gresikkab")
    assert {"core_user", "core_invitation", "django_session", "django_migrations"} <= table_names("gresikkab")
    assert table_names("gresikkab") == table_names("sidoarjokab")
    assert Domain.objects.get(tenant=satker).domain == "gresikkab.localhost"
    assert satker.parent == province_jatim
    with schema_context("gresikkab"):
        invitation = Invitation.objects.get()
        assert (invitation.email, invitation.role) == ("admin@gresik.example", Role.SATKER_ADMIN)
        # The clone carries the template's migration history: migrate_schemas sees it as current.
        assert User.objects.count() == 0
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM django_migrations WHERE app = 'core'")
            assert cursor.fetchone()[0] >= 1
    with schema_context("sidoarjokab"):
        assert not Invitation.objects.filter(email="admin@gresik.example").exists()


def test_failed_onboarding_leaves_no_schema_domain_or_user_behind(db, satker_a):
    # An alias domain already routes gresikkab.localhost to Sidoarjo: the domain insert fails
    # after the satker row, the schema and nothing else were created.
    Domain.objects.create(domain="gresikkab.localhost", tenant=satker_a, is_primary=False)

    with pytest.raises(OnboardingError) as error:
        onboard_satker(
            SatkerSpec("3525", "regency", "Kabupaten Gresik", "gresikkab", "Asia/Jakarta"),
            admin_email="admin@gresik.example",
        )

    assert "domain" in str(error.value)
    assert not schema_exists("gresikkab")
    assert not Satker.objects.filter(code="3525").exists()
    assert list(Domain.objects.filter(domain="gresikkab.localhost").values_list("tenant_id", flat=True)) == [
        satker_a.pk
    ]
    assert not Invitation.objects.filter(email="admin@gresik.example").exists()


@pytest.mark.parametrize(
    ("spec", "field", "fragment"),
    [
        (SatkerSpec("35x5", "regency", "Kab X", "kabx", "Asia/Jakarta"), "code", "empat digit"),
        (SatkerSpec("3525", "regency", "Kab Gresik", "gresikkab", "Europe/Paris"), "timezone", "Europe/Paris"),
        (SatkerSpec("3601", "regency", "Kabupaten Pandeglang", "pandeglangkab", "Asia/Jakarta"), "parent", "3600"),
        (SatkerSpec("3525", "regency", "Kabupaten Gresik", "sidoarjokab", "Asia/Jakarta"), "subdomain", "telah ada"),
        (SatkerSpec("3525", "regency", "Kabupaten Gresik", "www", "Asia/Jakarta"), "subdomain", "www"),
        (SatkerSpec("3525", "regency", "Kabupaten Gresik", "Gresik-Kab", "Asia/Jakarta"), "subdomain", "huruf kecil"),
        (SatkerSpec("3575", "regency", "Kota Pasuruan", "pasuruankota", "Asia/Jakarta"), "__all__", "kode BPS"),
    ],
)
def test_bad_specs_are_refused_in_indonesian_and_create_nothing(db, satker_a, spec, field, fragment):
    schemas_before = Satker.objects.count()
    with pytest.raises(OnboardingError) as error:
        onboard_satker(spec)
    assert field in error.value.errors
    assert fragment.lower() in " ".join(error.value.errors[field]).lower()
    assert Satker.objects.count() == schemas_before


def test_import_satkers_imports_good_rows_reports_bad_ones_and_is_idempotent(db, tmp_path, province_jatim):
    csv_file = tmp_path / "satkers.csv"
    csv_file.write_text(
        "code,kind,name,subdomain,timezone\n"
        "3501,regency,Kabupaten Pacitan,pacitankab,Asia/Jakarta\n"  # good
        "35AB,regency,Kabupaten Salah,salahkab,Asia/Jakarta\n"  # bad code
        "3502,regency,Kabupaten Ponorogo,pacitankab,Asia/Jakarta\n"  # duplicate subdomain
        "3503,regency,Kabupaten Trenggalek,trenggalekkab,Mars/Olympus\n"  # unknown time zone
        "5171,city,Kota Denpasar,denpasarkota,Asia/Makassar\n"  # missing parent (5100)
        "3571,city,Kota Kediri,kedirikota,Asia/Jakarta\n"  # good
        "3515,regency,Kabupaten Sidoarjo,sidoarjokab,Asia/Jakarta\n",  # already present
        encoding="utf-8",
    )
    out = io.StringIO()
    call_command("import_satkers", str(csv_file), "--no-progress", stdout=out)
    report = out.getvalue()

    assert set(Satker.objects.filter(code__in=["3501", "3571"]).values_list("subdomain", flat=True)) == {
        "pacitankab",
        "kedirikota",
    }
    assert schema_exists("pacitankab") and schema_exists("kedirikota")
    for line, code in [(3, "35AB"), (4, "3502"), (5, "3503"), (6, "5171")]:
        assert f"line {line} ({code})" in report
    assert "Mars/Olympus" in report and "5100" in report and "pacitankab" in report
    assert "2 dibuat, 1 sudah ada, 4 ditolak" in report

    again = io.StringIO()
    call_command("import_satkers", str(csv_file), "--no-progress", stdout=again)
    assert "0 dibuat, 3 sudah ada, 4 ditolak" in again.getvalue()


def test_provinces_csv_creates_provinces_for_growth_beyond_jawa_timur(db, tmp_path):
    csv_file = tmp_path / "provinces.csv"
    csv_file.write_text("code,name,subdomain,timezone\n51,Bali,bali,Asia/Makassar\n94,Papua,papua,Asia/Jayapura\n")
    call_command("import_satkers", str(csv_file), "--no-progress", stdout=io.StringIO())

    bali = Satker.objects.get(code="5100")
    assert (bali.kind, bali.name, bali.timezone_label) == ("province", "Provinsi Bali", "WITA")
    assert Satker.objects.get(code="9400").timezone_label == "WIT"
    # A regency of the new province now has its parent.
    denpasar = onboard_satker(SatkerSpec("5171", "city", "Kota Denpasar", "denpasarkota", "Asia/Makassar"))
    assert denpasar.parent == bali
