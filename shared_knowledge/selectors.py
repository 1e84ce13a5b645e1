"""Reading shared knowledge: what a satker inherits, and what an admin may see and change."""

from django.db.models import QuerySet

from core.models import Role
from shared_knowledge.models import NATIONAL, SharedEntry, SharedStatus


def inherited_entries(province: str) -> list[SharedEntry]:
    """The published entries a satker of `province` inherits: its province's, and the national
    ones no entry of its province replaces (same slug)."""
    entries = SharedEntry.objects.filter(status=SharedStatus.PUBLISHED, scope__in=[NATIONAL, province])
    chosen: dict[str, SharedEntry] = {}
    for entry in entries.order_by("slug", "-scope"):  # the province's ("35") before the nation's ("")
        chosen.setdefault(entry.slug, entry)
    return sorted(chosen.values(), key=lambda entry: entry.title)


def inherited_entry(province: str, slug: str) -> SharedEntry | None:
    return (
        SharedEntry.objects.filter(status=SharedStatus.PUBLISHED, scope__in=[NATIONAL, province], slug=slug)
        .order_by("-scope")
        .first()
    )


def entries_for_admin(user) -> QuerySet[SharedEntry]:
    """National admins: every entry. Province admins: the nation's (to read) and their province's."""
    if user.role == Role.NATIONAL_ADMIN:
        return SharedEntry.objects.all()
    if user.role == Role.PROVINCE_ADMIN and user.managed_province_id:
        return SharedEntry.objects.filter(scope__in=[NATIONAL, user.managed_province.code[:2]])
    return SharedEntry.objects.none()


def proposed_slugs(satker_code: str) -> set[str]:
    """The entries a satker has proposed to its province and that wait for a decision."""
    return set(
        SharedEntry.objects.filter(proposed_by=satker_code, status=SharedStatus.PROPOSED).values_list("slug", flat=True)
    )
