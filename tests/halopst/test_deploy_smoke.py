"""The deployment as deploy/compose.yaml lays it out, without Docker: Debian's nginx with
deploy/nginx.conf (only addresses and paths changed, and a self-signed wildcard certificate made
here), PgBouncer in transaction mode, gunicorn for pages, uvicorn for sockets and streams, a
Celery worker and beat, all with production settings. Then, over TLS and by Host, what a visitor
meets: a satker's page, the portal, an unknown host, the socket through the upgrade, AIDA's answer
token by token, a satker's file sent by nginx (and refused on another satker's host), and a
forged X-Forwarded-For that neither nginx nor the apps believe."""

import datetime
import json
import os
import re
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest
import websockets.sync.client
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django_tenants.utils import schema_context

from tenants.models import PUBLIC_SCHEMA, Domain, Satker
from tests.conftest import ROOT, client_for, create_user, free_port, server_process, stream_aida_answer, wait_for_port
from tests.halopst.conftest import debian_program

pytestmark = pytest.mark.timeout(300)

DOMAIN = "halopst.test"
CLIENT_ADDRESS = "127.0.0.2"  # not nginx's own 127.0.0.1: the apps must tell them apart
FORGED = "203.0.113.9"
SECRET_KEY = "deploy-smoke-" + "k" * 50


def wildcard_certificate(folder: Path) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, DOMAIN)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(DOMAIN), x509.DNSName(f"*.{DOMAIN}")]), False)
        .sign(key, hashes.SHA256())
    )
    (folder / "fullchain.pem").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    (folder / "privkey.pem").write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )


def nginx_version(binary: str) -> tuple[int, ...]:
    banner = subprocess.run([binary, "-v"], capture_output=True, text=True).stderr
    return tuple(int(part) for part in re.search(r"nginx/(\d+)\.(\d+)", banner).groups())


def site_configuration(folder: Path, media: Path, ports: dict[str, int], binary: str) -> str:
    """deploy/nginx.conf with this machine's addresses and paths; every change must apply, so a
    changed deploy/nginx.conf fails here instead of being tested half."""
    text = (ROOT / "deploy" / "nginx.conf").read_text()
    changes = [
        ("server web:8000", f"server 127.0.0.1:{ports['pages']}"),
        ("server realtime:8001", f"server 127.0.0.1:{ports['sockets']}"),
        ("listen 80;", f"listen 127.0.0.1:{ports['http']};"),
        ("listen 443 ssl;", f"listen 127.0.0.1:{ports['https']} ssl;"),
        ("halopst.example.go.id", DOMAIN),
        ("/etc/nginx/certs/", f"{folder}/"),
        ("/var/lib/halopst/media/", f"{media}/"),
    ]
    if nginx_version(binary) < (1, 25):  # Debian 12's 1.22 has `listen … http2`, not `http2 on`
        changes.append(("http2 on;\n", ""))
        changes.append((f"listen 127.0.0.1:{ports['https']} ssl;", f"listen 127.0.0.1:{ports['https']} ssl http2;"))
    for old, new in changes:
        assert old in text, f"deploy/nginx.conf no longer has {old!r}"
        text = text.replace(old, new)
    return text


@pytest.fixture
def nginx():
    return debian_program("nginx")


def test_the_deployment_serves_satkers_over_tls(nginx, pgbouncer, make_satker, gemini_env, tmp_path, request, settings):
    sidoarjo, surabaya = make_satker(), make_satker()
    host, other_host, portal = f"{sidoarjo.subdomain}.{DOMAIN}", f"{surabaya.subdomain}.{DOMAIN}", DOMAIN
    # The test satkers were onboarded under the tests' base domain: their names under this one.
    national = Satker.objects.get(schema_name=PUBLIC_SCHEMA)
    added = [
        Domain.objects.create(domain=name, tenant=satker, is_primary=False)
        for name, satker in ((host, sidoarjo), (other_host, surabaya), (portal, national))
    ]
    request.addfinalizer(lambda: Domain.objects.filter(pk__in=[domain.pk for domain in added]).delete())
    # nginx's workers run as nobody, who cannot enter pytest's own temporary folders.
    media = Path(tempfile.mkdtemp(prefix="halopst-media-"))
    request.addfinalizer(lambda: shutil.rmtree(media, ignore_errors=True))
    table = f"satkers/{sidoarjo.schema_name}/percakapan/tabel-kemiskinan.csv"
    (media / table).parent.mkdir(parents=True)
    (media / table).write_text("wilayah,persen\nSidoarjo,5.0\n")
    certificates = tmp_path / "certs"
    certificates.mkdir()
    wildcard_certificate(certificates)
    for folder in [media, *(media / table).parents][: len(Path(table).parts)]:
        os.chmod(folder, 0o755)

    ports = {name: free_port() for name in ("pages", "sockets", "http", "https")}
    production = {
        "DATABASE_URL": pgbouncer,
        "HALOPST_DB_TRANSACTION_POOLING": "true",
        "HALOPST_DEBUG": "false",
        "HALOPST_SECRET_KEY": SECRET_KEY,
        "HALOPST_BASE_DOMAIN": DOMAIN,
        "HALOPST_TRUSTED_PROXIES": "127.0.0.1",
        "HALOPST_MEDIA_ROOT": str(media),
        "HALOPST_PUBLIC_PORT": "",
    }
    with ExitStack() as running:
        running.enter_context(
            server_process(
                ["gunicorn", "halopst.wsgi", "--bind", f"127.0.0.1:{ports['pages']}", "--workers", "2"]
                + ["--threads", "4", "--config", "python:halopst.gunicorn_conf"],
                ports["pages"],
                PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "metrics"),
                **production,
            )
        )
        running.enter_context(
            server_process(
                ["uvicorn", "halopst.asgi:application", "--host", "127.0.0.1", "--port", str(ports["sockets"])]
                + ["--no-proxy-headers", "--lifespan", "off", "--ws", "websockets", "--no-access-log"],
                ports["sockets"],
                HALOPST_DB_POOL_MAX_SIZE="8",
                **production,
            )
        )
        background = []
        for command in (
            ["celery", "-A", "halopst", "worker", "-Q", "celery", "--concurrency", "1", "--loglevel", "WARNING"],
            ["celery", "-A", "halopst", "beat", "--schedule", str(tmp_path / "beat"), "--loglevel", "WARNING"],
        ):
            log = running.enter_context(tempfile.TemporaryFile())
            process = subprocess.Popen(
                [sys.executable, "-m", *command],
                cwd=ROOT,
                env={**os.environ, **production},
                stdout=log,
                stderr=log,
            )
            running.callback(process.wait, 10)
            running.callback(process.terminate)
            background.append((process, log))

        (tmp_path / "site.conf").write_text(site_configuration(certificates, media, ports, nginx))
        (tmp_path / "nginx.conf").write_text(
            f"""daemon off;
worker_processes 1;
pid {tmp_path}/nginx.pid;
error_log {tmp_path}/error.log warn;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    access_log off;
    client_body_temp_path {tmp_path}/client_body;
    proxy_temp_path {tmp_path}/proxy;
    fastcgi_temp_path {tmp_path}/fastcgi;
    uwsgi_temp_path {tmp_path}/uwsgi;
    scgi_temp_path {tmp_path}/scgi;
    include {tmp_path}/site.conf;
}}
"""
        )
        nginx_log = running.enter_context(tempfile.TemporaryFile())
        proxy = subprocess.Popen([nginx, "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")], stderr=nginx_log)
        running.callback(proxy.wait, 10)
        running.callback(proxy.terminate)
        wait_for_port(ports["https"], proxy, nginx_log)

        base = f"https://127.0.0.1:{ports['https']}"
        transport = httpx.HTTPTransport(local_address=CLIENT_ADDRESS, verify=False)
        with httpx.Client(base_url=base, transport=transport, timeout=60) as browser:
            # Pages by Host: a satker, the portal, a host that is nobody's; plain http is sent to TLS.
            page = browser.get("/", headers={"Host": host})
            assert page.status_code == 200 and sidoarjo.name in page.text
            assert page.headers["strict-transport-security"].startswith("max-age=")
            assert browser.get("/", headers={"Host": portal}).status_code == 200
            assert browser.get("/", headers={"Host": f"nowhere.{DOMAIN}"}).status_code == 404
            plain = httpx.get(f"http://127.0.0.1:{ports['http']}/petugas/", headers={"Host": host})
            assert plain.status_code == 301 and plain.headers["location"] == f"https://{host}/petugas/"
            assert browser.get("/readyz", headers={"Host": host}).status_code == 404  # probes stay inside

            # A satker's file: checked by Django, sent by nginx; on another satker's host, refused.
            download = browser.get(f"/media/{table}", headers={"Host": host})
            assert download.status_code == 200 and download.text == "wilayah,persen\nSidoarjo,5.0\n"
            assert browser.get(f"/media/{table}", headers={"Host": other_host}).status_code == 404

            # A forged X-Forwarded-For: the failed login is recorded from the client's real address.
            login = browser.get("/akun/masuk/", headers={"Host": host})
            token = login.cookies["csrftoken"]
            refused = browser.post(
                "/akun/masuk/",
                data={"username": "tebak@example.com", "password": "salah", "csrfmiddlewaretoken": token},
                headers={"Host": host, "Referer": f"https://{host}/akun/masuk/", "X-Forwarded-For": FORGED},
            )
            assert refused.status_code == 200
            from axes.models import AccessAttempt

            with schema_context(sidoarjo.schema_name):
                assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == [CLIENT_ADDRESS]

            # AIDA's answer through nginx, token by token: Gemini holds its last chunk until the
            # first token has arrived here, so a buffering proxy cannot pass.
            events, tokens_before_the_end = stream_aida_answer(
                browser, gemini_env, {"Host": host, "Referer": f"https://{host}/aida/"}
            )
            tokens = [event for event in events if event["type"] == "token"]
            assert events[-1]["type"] == "done" and tokens_before_the_end is not None
            assert tokens_before_the_end < len(tokens)

        # The notification socket through nginx's upgrade, signed in, over TLS.
        consumer = create_user(sidoarjo, "andi@example.com")
        settings.SECRET_KEY = SECRET_KEY  # the session is signed as the servers sign theirs
        cookie = client_for(sidoarjo, consumer).cookies["sessionid"].value
        context = ssl.create_default_context()
        context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
        with websockets.sync.client.connect(
            f"wss://{host}:{ports['https']}/ws/notifications/",
            sock=_connected(ports["https"]),
            ssl=context,
            server_hostname=host,
            additional_headers={"Origin": f"https://{host}", "Cookie": f"sessionid={cookie}"},
            open_timeout=30,
        ) as socket_:
            hello = json.loads(socket_.recv(timeout=30))
            assert hello["unread"] == 0

        for process, log in background:  # the worker and beat ran the whole time
            log.seek(0)
            assert process.poll() is None, log.read().decode(errors="replace")[-2000:]


def _connected(port: int) -> socket.socket:
    return socket.create_connection(("127.0.0.1", port), timeout=30, source_address=(CLIENT_ADDRESS, 0))
