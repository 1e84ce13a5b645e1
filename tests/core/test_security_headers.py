"""Headers, a strict CSP the pages really work under, and Django's deployment checks."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from tests.conftest import client_for

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("path", ["/", "/petugas/", "/aida/", "/akun/masuk/", "/api/docs/"])
def test_satker_pages_carry_the_security_headers(satker_a, path):
    response = client_for(satker_a).get(path)
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_unknown_hosts_and_the_portal_too(db):
    for host in ("localhost", "nowhere.localhost"):
        assert "script-src 'self'" in Client(HTTP_HOST=host).get("/")["Content-Security-Policy"]


def test_no_page_template_has_inline_script_or_style():
    """Under the CSP an inline script or style would silently not run: keep them out."""
    offenders = []
    for template in ROOT.glob("*/templates/**/*.html"):
        if "/email/" in str(template):
            continue  # e-mails are not pages: mail clients need inline styles
        text = template.read_text()
        if (
            re.search(r"<script(?![^>]*\bsrc=)", text)
            or "<style" in text
            or re.search(r"\sstyle=", text)
            or re.search(r"\son[a-z]+=", text)
        ):
            offenders.append(str(template.relative_to(ROOT)))
    assert offenders == []


def test_the_satker_colour_comes_as_a_stylesheet(satker_a):
    from tenants.services import update_branding

    update_branding(satker_a, display_name="", primary_color="#7A1F5C")
    client = client_for(satker_a)
    page = client.get("/").content.decode()
    link = re.search(r'href="(/tema\.css\?v=\d+)"', page).group(1)
    css = client.get(link)
    assert css["Content-Type"].startswith("text/css") and "--brand: #7A1F5C" in css.content.decode()


def test_deploy_checks_are_clean_with_production_settings():
    env = dict(
        os.environ,
        HALOPST_DEBUG="false",
        HALOPST_SECRET_KEY="x" * 20 + "k3y-" + "9" * 40,
        HALOPST_BASE_DOMAIN="halopst.example.go.id",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_nul_byte_in_the_query_is_a_400_not_a_500(satker_a):
    client = client_for(satker_a)
    page = client.get("/petugas/?keahlian=a%00b")
    api = client.get("/api/v1/officers/", {"expertise": "a\x00b"})
    assert page.status_code == 400 and "tidak dapat dipahami" in page.content.decode()
    assert api.status_code == 400 and api.json()["detail"]
