"""What a web process does once its application is loaded, before its first request."""

import gc
from importlib import import_module

from django.conf import settings


def settle() -> None:
    """Import both URL configurations (and so every view), then move everything loaded so far
    out of the garbage collector's reach. Those objects live as long as the process; left in
    the collected generations, every full collection walks them, and a request that builds many
    objects sets one off: the national command centre's p95 was 279 ms with its p50 at 165 ms,
    187 ms once frozen (the same page, gc.freeze after loading)."""
    import_module(settings.ROOT_URLCONF)
    import_module(settings.PUBLIC_SCHEMA_URLCONF)
    gc.freeze()
