import pytest

from tests.fakes import sendgrid as fake_sendgrid
from tests.fakes import whatsapp as fake_whatsapp
from tests.fakes.sendgrid import FakeSendGrid, WebhookSigner
from tests.fakes.whatsapp import FakeWhatsApp


@pytest.fixture
def fakes(settings):
    """Fake SendGrid and WhatsApp servers, with the settings pointing the real clients at them."""
    sendgrid, whatsapp = FakeSendGrid().start(), FakeWhatsApp().start()
    signer = WebhookSigner()
    provider_settings = {
        "HALOPST_SENDGRID_API_KEY": fake_sendgrid.API_KEY,
        "HALOPST_SENDGRID_API_HOST": sendgrid.url,
        "HALOPST_SENDGRID_WEBHOOK_PUBLIC_KEY": signer.public_key,
        "HALOPST_WHATSAPP_TOKEN": fake_whatsapp.TOKEN,
        "HALOPST_WHATSAPP_BASE_URL": whatsapp.url,
        "HALOPST_WHATSAPP_PHONE_NUMBER_ID": fake_whatsapp.PHONE_NUMBER_ID,
        "HALOPST_WHATSAPP_APP_SECRET": fake_whatsapp.APP_SECRET,
        "HALOPST_WHATSAPP_VERIFY_TOKEN": fake_whatsapp.VERIFY_TOKEN,
        "HALOPST_PROVIDER_TIMEOUT": 1.0,
        "HALOPST_DELIVERY_BACKOFF_SECONDS": 0.2,
        "HALOPST_DELIVERY_STALE_SECONDS": 2.0,
        "HALOPST_DELIVERY_CONFIRM_SECONDS": 60.0,
    }
    for name, value in provider_settings.items():
        setattr(settings, name, value)

    class Fakes:
        pass

    bundle = Fakes()
    bundle.sendgrid, bundle.whatsapp, bundle.signer, bundle.settings = sendgrid, whatsapp, signer, provider_settings
    yield bundle
    sendgrid.stop()
    whatsapp.stop()
