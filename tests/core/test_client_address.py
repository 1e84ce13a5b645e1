"""One rule for the client's address in every process: the last X-Forwarded-For hop that is not
one of our proxies. Proven on the realtime process exactly as deploy/compose.yaml runs it."""

from pathlib import Path

import httpx
import pytest
import yaml

from tests.conftest import free_port, server_process

pytestmark = pytest.mark.timeout(120)
COMPOSE = Path(__file__).resolve().parents[2] / "deploy" / "compose.yaml"


def realtime_command(port: int) -> list[str]:
    """compose's realtime command, bound to 127.0.0.1:port instead of the container's 0.0.0.0:8001."""
    command = yaml.safe_load(COMPOSE.read_text())["services"]["realtime"]["command"]
    assert command[0] == "uvicorn"
    command = [*command]
    command[command.index("--host") + 1] = "127.0.0.1"
    command[command.index("--port") + 1] = str(port)
    return command


def test_a_spoofed_forwarded_for_does_not_buy_more_aida_questions(make_satker):
    satker = make_satker()
    port = free_port()
    host = f"{satker.subdomain}.localhost:{port}"

    def ask(forwarded_for: str) -> int:
        # A new visitor each time (no session to count against): only the address is left.
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers={"Host": host}, timeout=60) as visitor:
            headers = {"X-Forwarded-For": forwarded_for}
            token = visitor.get("/aida/", headers=headers).cookies["csrftoken"]
            response = visitor.post(
                "/aida/tanya/",
                headers={**headers, "X-CSRFToken": token, "Referer": f"http://{host}/aida/"},
                data={"question": "bagaimana cara menghitung garis kemiskinan"},
            )
            response.read()
            return response.status_code

    # nginx (at 127.0.0.1 here) appends the address it saw to whatever the client sent.
    with server_process(
        realtime_command(port),
        port,
        HALOPST_TRUSTED_PROXIES="127.0.0.1",
        HALOPST_AIDA_QUESTIONS_PER_ADDRESS_HOUR="3",
        HALOPST_GEMINI_API_KEY="",
    ):
        statuses = [ask(f"198.51.100.{number}, 203.0.113.7") for number in range(4)]
        assert statuses == [200, 200, 200, 429]
        assert ask("203.0.113.8") == 200  # another real client has its own allowance
