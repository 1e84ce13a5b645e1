"""Retrieval evaluation: questions as consumers phrase them, each with the entry that answers it.
Reports hit@3 (target ≥ 0.9) over the starter knowledge base every satker gets."""

import pytest
from django_tenants.utils import schema_context

from aida.retrieval import search

CASES = [
    ("berapa garis kemiskinan sidoarjo dan bagaimana cara menghitungnya?", "garis-kemiskinan"),
    ("gimana cara bps ngitung garis kemiskinan", "garis-kemiskinan"),
    ("jumlah penduduk miskin di kabupaten ini berapa persen?", "penduduk-miskin"),
    ("apa itu indeks kedalaman kemiskinan P1", "kedalaman-keparahan-kemiskinan"),
    ("inflasi bulan lalu berapa?", "inflasi-ihk"),
    ("apa bedanya inflasi year on year dan month to month", "jenis-inflasi"),
    ("kenapa kabupaten saya tidak ada data inflasinya", "cakupan-ihk"),
    ("berapa angka pengangguran terbuka di kota surabaya", "tingkat-pengangguran-terbuka"),
    ("TPAK itu apa ya?", "angkatan-kerja-tpak"),
    ("kapan sakernas dilaksanakan", "sakernas"),
    ("data susenas itu isinya apa saja", "susenas"),
    ("IPM kabupaten ini masuk kategori apa", "ipm"),
    ("rata-rata lama sekolah penduduk", "lama-sekolah"),
    ("angka harapan hidup di daerah ini", "umur-harapan-hidup"),
    ("PDRB atas dasar harga berlaku dan konstan bedanya apa", "pdrb"),
    ("pertumbuhan ekonomi kabupaten tahun 2023 berapa persen", "pertumbuhan-ekonomi"),
    ("pendapatan per kapita sidoarjo", "pdrb-per-kapita"),
    ("nilai tukar petani bulan ini naik atau turun?", "nilai-tukar-petani"),
    ("hasil sensus penduduk 2020 jumlah penduduk indonesia", "sensus-penduduk-2020"),
    ("proyeksi jumlah penduduk tahun 2025", "jumlah-penduduk"),
    ("data potensi desa podes", "podes"),
    ("jumlah petani hasil sensus pertanian 2023", "sensus-pertanian-2023"),
    ("produksi padi di kabupaten berapa ton", "produksi-padi"),
    ("nilai ekspor jawa timur", "ekspor-impor"),
    ("tingkat hunian hotel di kota ini", "pariwisata-tpk"),
    ("rasio gini ketimpangan pengeluaran", "rasio-gini"),
    ("saya mau beli data mikro susenas, caranya gimana?", "data-mikro"),
    ("berapa tarif PNBP untuk membeli publikasi tercetak", "tarif-pnbp"),
    ("jam buka layanan PST hari jumat", "jam-layanan"),
    (
        "kantor kami mau survei kepuasan, perlu rekomendasi kegiatan statistik dari BPS?",
        "rekomendasi-kegiatan-statistik",
    ),
    ("apa itu silastik", "silastik"),
    ("bagaimana cara mengutip data BPS di skripsi", "mengutip-data"),
    ("kode wilayah kabupaten sidoarjo berapa", "kode-wilayah"),
    ("buku kabupaten dalam angka terbit kapan", "daerah-dalam-angka"),
    ("saya mau konsultasi dengan petugas statistik", "konsultasi-statistik"),
    ("what is the open unemployment rate", "tingkat-pengangguran-terbuka"),
]

# Misspelt questions, for the search by meaning (tests/aida/test_search_by_meaning.py, bench/retrieval.py).
TYPOS = [
    ("tingkat pengangguan terbuka", "tingkat-pengangguran-terbuka"),
    ("pertumbuhn ekonmi", "pertumbuhan-ekonomi"),
    ("harapn hidup", "umur-harapan-hidup"),
    ("sensus pertanain", "sensus-pertanian-2023"),
    ("garis kemiskinn", "garis-kemiskinan"),
    ("rata rata lma sekolah", "lama-sekolah"),
]


def test_hit_at_3_on_consumer_questions(satker_a, capsys):
    with schema_context(satker_a.schema_name):
        results = [
            (question, expected, [hit.entry.slug for hit in search(question, limit=3)]) for question, expected in CASES
        ]
    misses = [(question, expected, found) for question, expected, found in results if expected not in found]
    hit_at_3 = 1 - len(misses) / len(CASES)
    with capsys.disabled():
        print(f"\nretrieval hit@3 = {hit_at_3:.3f} over {len(CASES)} questions; misses: {misses}")
    assert len(CASES) >= 30
    assert hit_at_3 >= 0.9, misses


@pytest.mark.parametrize("question", ["", "???", "apa yang"])
def test_questions_without_content_words_find_nothing(satker_a, question):
    with schema_context(satker_a.schema_name):
        assert search(question) == []
