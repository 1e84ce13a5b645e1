"""The fake BPS WebAPI, with the real client pointed at it."""

import pytest

from tests.conftest import forget_cache
from tests.fakes.bps import KEY, FakeBPS


@pytest.fixture
def bps(settings):
    server = FakeBPS().start()
    settings.HALOPST_BPS_WEBAPI_BASE_URL = server.url
    settings.HALOPST_BPS_WEBAPI_KEY = KEY
    settings.HALOPST_BPS_WEBAPI_TIMEOUT = 1.0
    settings.HALOPST_BPS_WEBAPI_RETRIES = 1
    forget_cache("bpswebapi:*")  # answers cached by an earlier run
    yield server
    server.stop()
