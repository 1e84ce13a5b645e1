"""A request id that follows a request into its log lines and the Celery tasks it sends.

Taken from the proxy's X-Request-ID when it looks like one (nginx sets `$request_id`), else
made here; sent back on the response, put on every log record (`RequestIdFilter`), and carried
to tasks in a header (core.tasking), where the worker sets it again before the task runs."""

import logging
import re
import uuid
from contextvars import ContextVar

current_request_id: ContextVar[str] = ContextVar("request_id", default="")
HEADER = "X-Request-ID"
_ACCEPTED = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.headers.get(HEADER, "")
        request_id = given if _ACCEPTED.match(given) else uuid.uuid4().hex
        # Not reset on the way out: Django logs a 4xx or 5xx after the middleware has returned,
        # and that line needs the id too. The next request sets its own before anything logs.
        current_request_id.set(request_id)
        response = self.get_response(request)
        response[HEADER] = request_id
        return response


class RequestIdFilter(logging.Filter):
    """Every record carries the id of the request (or task) it was written for ("" if none)."""

    def filter(self, record):
        record.request_id = current_request_id.get()
        return True
