"""The admin audit log: one append-only row per admin action, in the schema it happened in."""

from django.db.models import QuerySet

from core.models import AuditEntry

_HIDDEN = {"password", "token"}


def _plain(value):
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value if not isinstance(value, str) else value[:200]
    if hasattr(value, "read"):  # an uploaded file: its name only
        return getattr(value, "name", "file")
    if isinstance(value, (list, tuple, set)) or hasattr(value, "__iter__") and not isinstance(value, dict):
        return [str(item)[:80] for item in value][:20]
    return str(value)[:200]


def record(actor, action: str, target: str = "", **detail) -> AuditEntry:
    """Write what `actor` did. Call it inside the transaction of the change it describes."""
    return AuditEntry.objects.create(
        actor_email=getattr(actor, "email", "") or "system",
        actor_role=getattr(actor, "role", "") or "system",
        action=action,
        target=target[:200],
        detail={key: _plain(value) for key, value in detail.items() if key not in _HIDDEN},
    )


def entries() -> QuerySet[AuditEntry]:
    return AuditEntry.objects.all()
