import pytest

from tests.fakes import gemini as fake_gemini


@pytest.fixture
def gemini(settings):
    """A fake Gemini on 127.0.0.1 with the real google-genai client pointed at it."""
    server = fake_gemini.FakeGemini().start()
    server.slow_seconds = 2.0
    settings.HALOPST_GEMINI_API_KEY = fake_gemini.API_KEY
    settings.HALOPST_GEMINI_BASE_URL = server.url
    settings.HALOPST_GEMINI_TIMEOUT = 1.0
    settings.HALOPST_GEMINI_MAX_RETRY_WAIT = 0.2
    settings.HALOPST_GEMINI_RETRIES = 2
    yield server
    server.stop()
