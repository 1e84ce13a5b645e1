"""The main pages of each role, checked with axe-core in Debian's Chromium on a phone: no
serious or critical WCAG 2.1 A/AA violation.

The same walk renders the pages for a reviewer: with HALOPST_SCREENSHOTS set to a folder
(`make screenshots`), every page is saved there as `<role>-<viewport>-<page>.png`, on a phone
and on a desktop (checked there too)."""

import fcntl
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django_tenants.utils import schema_context

from aida import services as aida_services
from conversations import services as conversations
from core.models import Role
from shared_knowledge.entries import EntryData
from tenants.models import Satker
from tests.booking.conftest import at, make_officer, next_weekday, request
from tests.browser.test_live_badge import log_in
from tests.conftest import authenticator_code, create_user, delete_public_users

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

AXE_PACKAGE = Path(__file__).parent / "axe"
AXE_SCRIPT = AXE_PACKAGE / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = os.environ.get("HALOPST_SCREENSHOTS")
VIEWPORTS = {"phone": {"width": 390, "height": 844}}
if SCREENSHOTS:
    VIEWPORTS["desktop"] = {"width": 1280, "height": 900}
BLOCKING_IMPACTS = {"serious", "critical"}

# Paths per role; {officer}, {consultation} and {conversation} are filled from the scene. Each role's pages are
# the ones it works in (the anonymous ones are everybody's first impression).
PAGES = {
    "anonymous": [
        "/",
        "/petugas/",
        "/petugas/{officer}/jadwal/",
        "/aida/",
        "/akun/masuk/",
        "/akun/daftar/",
        "/akun/sandi/lupa/",
        "/privasi/",
    ],
    "consumer": [
        "/konsultasi/",
        "/konsultasi/{consultation}/",
        "/konsultasi/{consultation}/nilai/",
        "/tanya-petugas/",
        "/percakapan/{conversation}/",
        "/notifikasi/",
        "/akun/profil/",
        "/aida/",
    ],
    "officer": [
        "/kotak-masuk/",
        "/konsultasi/{consultation}/",
        "/percakapan/",
        "/percakapan/{conversation}/",
        "/aida/tinjauan/",
        "/petugas-terbaik/",
    ],
    "satker_admin": [
        "/pengaturan/dasbor/",
        "/pengaturan/petugas/",
        "/pengaturan/petugas/{officer}/",
        "/pengaturan/percakapan/",
        "/pengaturan/keahlian/",
        "/pengaturan/jadwal/",
        "/pengaturan/tampilan/",
        "/pengaturan/pengetahuan/",
        "/pengaturan/aida/",
        "/pengaturan/data-bps/",
        "/pengaturan/pengiriman/",
        "/pengaturan/kepuasan/",
        "/audit/",
    ],
    "province_admin": ["/", "/?q=kemiskinan", "/konsol/", "/konsol/pusat-komando/", "/konsol/satker/{code}/"],
}


@pytest.fixture(scope="session")
def axe_script() -> str:
    """axe-core from the npm registry, installed once into tests/browser/axe (pinned by its
    package-lock.json); parallel test workers wait for the one that installs it."""
    if not AXE_SCRIPT.exists():
        npm = shutil.which("npm")
        if npm is None:
            message = "npm is missing: apt-get install -y npm (.ci/run installs it)"
            if os.environ.get("CI"):
                pytest.fail(message)
            pytest.skip(message)
        with open(AXE_PACKAGE / ".install.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not AXE_SCRIPT.exists():
                subprocess.run(
                    [npm, "ci", "--no-audit", "--no-fund", "--silent"], cwd=AXE_PACKAGE, check=True, timeout=300
                )
    return AXE_SCRIPT.read_text()


@pytest.fixture
def scene(make_satker, web_server):
    """A satker with an officer, a consumer whose consultation is requested, a satker admin,
    and a province admin on the portal; made before the browser starts."""
    satker = make_satker(name="Kabupaten Aksesibel")
    officer = make_officer(
        satker, "rina@petugas.example", full_name="Rina Kusumawati", hours=[(day, "08:00", "16:00") for day in range(7)]
    )
    consumer = create_user(satker, "siti@example.com", full_name="Siti Aminah")
    admin = create_user(satker, "admin@satker.example", role=Role.SATKER_ADMIN, full_name="Admin Satker")
    consultation = request(satker, consumer, officer, at(satker, next_weekday(satker.timezone), 8))
    with schema_context(satker.schema_name):
        conversation = conversations.start_conversation(
            consumer=consumer, subject="Garis kemiskinan 2023", body="Untuk skripsi, per tahun."
        )
        conversations.write(conversation.pk, officer.user, body="Terlampir tabelnya.")
        conversations.add_note(conversation.pk, officer.user, body="Data sudah dikirim.")
        aida_services.save_entry(
            None,
            EntryData(
                title="Garis kemiskinan",
                body="Garis kemiskinan adalah nilai pengeluaran minimum makanan dan bukan makanan.",
                tags="kemiskinan",
            ),
        )
    public = Satker.objects.get(schema_name="public")
    province_admin = create_user(
        public, "jatim-axe@halopst.example", role=Role.PROVINCE_ADMIN, managed_province=Satker.objects.get(code="3500")
    )
    yield {
        "satker": satker,
        "base": web_server.format(satker.subdomain),
        "portal": web_server.replace("{}.", ""),
        "officer": officer.user_id,
        "consultation": consultation.pk,
        "conversation": conversation.pk,
        "users": {"consumer": consumer, "officer": officer.user, "satker_admin": admin},
        "province_admin": province_admin,
        "public": public,
    }
    delete_public_users(province_admin)


def sign_in(page, scene, role) -> str:
    """Signs the role in through the real pages (2FA for admins); returns the host's base URL."""
    if role == "anonymous":
        return scene["base"]
    if role == "province_admin":
        base, user, tenant = scene["portal"], scene["province_admin"], scene["public"]
    else:
        base, user, tenant = scene["base"], scene["users"][role], scene["satker"]
    log_in(page, base, user.email)
    if role in ("satker_admin", "province_admin"):
        page.wait_for_url("**/akun/2fa/**")
        page.get_by_label("Kode 6 digit").fill(authenticator_code(tenant, user))
        page.get_by_role("button", name="Verifikasi").click()
    page.wait_for_load_state()
    assert "/akun/masuk/" not in page.url, f"{role} could not sign in"
    return base


def blocking_violations(page, axe_script) -> list[str]:
    page.add_script_tag(content=axe_script)
    results = page.evaluate(
        """async () => {
            const result = await axe.run(document, {
                runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
            });
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                targets: v.nodes.slice(0, 3).map(n => n.target.join(" ")),
            }));
        }"""
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {', '.join(v['targets'])}"
        for v in results
        if v["impact"] in BLOCKING_IMPACTS
    ]


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("role", PAGES)
def test_main_pages_have_no_serious_accessibility_violations(scene, browser, axe_script, role, viewport):
    # The script is injected by the test, so this context lets it past the page's
    # Content-Security-Policy; the journeys in the other browser tests keep the policy on.
    context = browser.new_context(
        viewport=VIEWPORTS[viewport],
        device_scale_factor=2 if viewport == "phone" else 1,
        is_mobile=viewport == "phone",
        has_touch=viewport == "phone",
        locale="id-ID",
        bypass_csp=True,
    )
    context.set_default_timeout(15000)
    page = context.new_page()
    server_errors = []
    page.on("response", lambda response: response.status >= 500 and server_errors.append(response.url))
    try:
        base = sign_in(page, scene, role)
        found = {}
        for template in PAGES[role]:
            path = template.format(
                officer=scene["officer"],
                consultation=scene["consultation"],
                conversation=scene["conversation"],
                code=scene["satker"].code,
            )
            response = page.goto(base + path)
            assert response.status == 200, f"{role} {path}: {response.status}"
            page.wait_for_load_state("networkidle")
            if SCREENSHOTS:
                name = re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "home"
                Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(Path(SCREENSHOTS) / f"{role}-{viewport}-{name}.png"), full_page=True)
            violations = blocking_violations(page, axe_script)
            if violations:
                found[path] = violations
    finally:
        context.close()
    assert server_errors == []
    assert found == {}, "\n".join(f"{path}:\n  " + "\n  ".join(items) for path, items in found.items())
