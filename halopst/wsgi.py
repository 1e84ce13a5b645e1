"""WSGI entry point for pages and the API (gunicorn in production, deploy/compose.yaml).

Django's views are synchronous: under WSGI each request runs start to end on one thread with
its own connection. WebSockets and AIDA's streamed answers need ASGI (halopst.asgi), which nginx
routes to uvicorn. Serving everything from uvicorn cost a hop to the event loop and back in
every request; under 300 simulated users the loop fell behind and requests waited seconds
holding database connections (bench/load.py, issue #7 note).
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "halopst.settings")

application = get_wsgi_application()

from halopst.startup import settle  # noqa: E402

settle()
