"""Uploaded files: a host serves only its own satker's, sent by nginx behind deploy/'s proxy
(X-Accel-Redirect) and by Django where there is no nginx (make run's front door)."""

import pytest

from tests.conftest import client_for


@pytest.fixture
def files(settings, tmp_path, satker_a, satker_b):
    settings.MEDIA_ROOT = tmp_path
    paths = {}
    for satker in (satker_a, satker_b):
        path = f"satkers/{satker.schema_name}/percakapan/tabel.csv"
        (tmp_path / path).parent.mkdir(parents=True)
        (tmp_path / path).write_text(f"wilayah,nilai\n{satker.name},1\n")
        paths[satker.schema_name] = path
    return paths


def test_without_nginx_django_sends_the_file_of_its_own_satker_only(settings, files, satker_a, satker_b):
    settings.MEDIA_X_ACCEL = False
    browser = client_for(satker_a)
    own = browser.get(f"/media/{files[satker_a.schema_name]}")
    assert own.status_code == 200 and satker_a.name in b"".join(own.streaming_content).decode()
    assert browser.get(f"/media/{files[satker_b.schema_name]}").status_code == 404
    assert browser.get(f"/media/satkers/{satker_a.schema_name}/../{satker_b.schema_name}/x.csv").status_code == 404


def test_behind_nginx_django_hands_its_own_satkers_file_to_nginx(settings, files, satker_a, satker_b):
    settings.MEDIA_X_ACCEL = True
    browser = client_for(satker_a)
    own = browser.get(f"/media/{files[satker_a.schema_name]}")
    assert own["X-Accel-Redirect"] == f"/protected-media/{files[satker_a.schema_name]}" and own.content == b""
    refused = browser.get(f"/media/{files[satker_b.schema_name]}")
    assert refused.status_code == 404 and not refused.has_header("X-Accel-Redirect")
