"""Every satker starts with the BPS subject areas as expertise tags and the default booking rules.

Runs in the template schema, so every cloned satker gets them without a migration of its own.
"""

from django.db import migrations

SUBJECT_AREAS = [
    ("kependudukan", "Kependudukan", "Population"),
    ("kemiskinan-kesejahteraan", "Kemiskinan & Kesejahteraan Sosial", "Poverty & social welfare"),
    ("pendidikan-kesehatan", "Pendidikan & Kesehatan", "Education & health"),
    ("ketenagakerjaan", "Ketenagakerjaan", "Labour"),
    ("pertanian", "Pertanian", "Agriculture"),
    ("industri-energi", "Industri & Energi", "Industry & energy"),
    ("perdagangan-harga-inflasi", "Perdagangan, Harga & Inflasi", "Trade, prices & inflation"),
    ("neraca-regional-pdrb", "Neraca Regional & PDRB", "Regional accounts & GRDP"),
    ("pariwisata-transportasi", "Pariwisata & Transportasi", "Tourism & transport"),
    ("metodologi-survei", "Metodologi Statistik & Survei", "Statistical methods & surveys"),
    ("mikrodata-pengolahan", "Mikrodata & Pengolahan Data", "Microdata & data processing"),
]


def seed(apps, schema_editor):
    ExpertiseTag = apps.get_model("booking", "ExpertiseTag")
    BookingSettings = apps.get_model("booking", "BookingSettings")
    for order, (slug, name, name_en) in enumerate(SUBJECT_AREAS):
        ExpertiseTag.objects.get_or_create(slug=slug, defaults={"name": name, "name_en": name_en, "sort_order": order})
    BookingSettings.objects.get_or_create(id=1)


class Migration(migrations.Migration):
    dependencies = [("booking", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
