import pytest
from django.test import Client
from django_tenants.utils import schema_context

from aida import services as aida_services
from shared_knowledge.entries import EntryData
from tenants.services import connect_whatsapp
from tests.booking.conftest import make_officer, on_duty_now
from tests.fakes import whatsapp as fake
from tests.realtime.conftest import fakes  # noqa: F401  (the fixture)

NUMBER_A, TOKEN_A = "2001000000001", "token-of-a"
NUMBER_B, TOKEN_B = "2002000000002", "token-of-b"
SITI = "6281234567890"


class WhatsAppWorld:
    def __init__(self, bundle, satkers, officers):
        self.fake, self.settings = bundle.whatsapp, bundle.settings
        self.a, self.b = satkers
        self.officers = officers
        self.portal = Client(HTTP_HOST="localhost")

    def post(self, body: dict):
        """WhatsApp posting a webhook to the platform's callback URL."""
        raw, headers = fake.signed(body)
        return self.portal.post("/webhooks/whatsapp/", raw, content_type="application/json", **headers)

    def write(self, message: dict, number: str = NUMBER_A, **person):
        return self.post(fake.inbound(number, message, **person))

    def sent_to(self, recipient: str = SITI) -> list[dict]:
        return self.fake.sent_to(recipient)


@pytest.fixture
def whatsapp_world(make_satker, fakes, eager_celery, settings, tmp_path):  # noqa: F811
    """Two satkers with their own WhatsApp numbers on the fake, a poverty officer and a prices
    officer at A, a knowledge entry AIDA finds; workers run in the calling thread."""
    settings.MEDIA_ROOT = tmp_path
    a, b = make_satker(), make_satker()
    fakes.whatsapp.add_number(NUMBER_A, TOKEN_A)
    fakes.whatsapp.add_number(NUMBER_B, TOKEN_B)
    connect_whatsapp(a, phone_number_id=NUMBER_A, display_number="031 800 0001", access_token=TOKEN_A)
    connect_whatsapp(b, phone_number_id=NUMBER_B, display_number="031 800 0002", access_token=TOKEN_B)
    officers = {
        "rina": make_officer(a, "rina@a.example", full_name="Rina Kemiskinan"),
        "sari": make_officer(a, "sari@a.example", tags=("perdagangan-harga-inflasi",), full_name="Sari"),
    }
    on_duty_now(a, *officers.values())
    with schema_context(a.schema_name):
        aida_services.save_entry(
            None,
            EntryData(
                title="Garis kemiskinan Sidoarjo",
                body="Garis kemiskinan adalah nilai pengeluaran minimum makanan dan bukan makanan per kapita.",
                tags="kemiskinan, miskin",
            ),
        )
    return WhatsAppWorld(fakes, (a, b), officers)
