"""PgBouncer as deploy/ runs it, for the tests that go through it."""

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from django.db import connection

from tests.conftest import free_port, wait_for_port
from tests.halopst.test_health import Outage, postgresql_connector


def debian_program(name: str) -> str:
    """The path of a Debian package's program (`name`, in /usr/sbin as root need not have on
    PATH); missing: skipped on a newcomer's machine, failed in CI (.ci/run installs it)."""
    binary = shutil.which(name) or f"/usr/sbin/{name}"
    if not Path(binary).exists():
        message = f"{name} is missing: apt-get install -y {name} (.ci/run installs it)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return binary


@pytest.fixture
def pgbouncer():
    """PgBouncer in transaction mode in front of the test database: 2 server connections."""
    binary = debian_program("pgbouncer")
    database = connection.settings_dict
    host, server_port = database["HOST"] or "127.0.0.1", database["PORT"] or 5432
    if host.startswith("/"):
        # The embedded PostgreSQL listens on a socket in a folder PgBouncer's user may not
        # enter: a relay of this test's reaches it for PgBouncer by TCP.
        relay = Outage(postgresql_connector())
        host, server_port = "127.0.0.1", relay.port
    port = free_port()
    folder = Path(tempfile.mkdtemp(prefix="pgbouncer-"))
    (folder / "userlist.txt").write_text(f'"{database["USER"]}" ""\n')
    (folder / "pgbouncer.ini").write_text(
        f"""[databases]
* = host={host} port={server_port}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = trust
auth_file = {folder}/userlist.txt
pool_mode = transaction
default_pool_size = 2
max_client_conn = 200
ignore_startup_parameters = extra_float_digits,options
logfile = {folder}/pgbouncer.log
pidfile = {folder}/pgbouncer.pid
"""
    )
    # PgBouncer refuses to run as root: it drops to nobody, who must read its files and write its log.
    os.chmod(folder, 0o777)
    command = (
        [binary, "-u", "nobody", str(folder / "pgbouncer.ini")]
        if os.geteuid() == 0
        else [binary, str(folder / "pgbouncer.ini")]
    )
    output = tempfile.TemporaryFile()
    process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
    wait_for_port(port, process, output)
    yield f"postgresql://{database['USER']}@127.0.0.1:{port}/{database['NAME']}"
    process.terminate()
    process.wait(10)
    shutil.rmtree(folder, ignore_errors=True)
