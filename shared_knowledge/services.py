"""Writing shared knowledge: national admins for the nation, province admins for their province.
One transaction each, the audit entry inside."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from core.audit import record
from core.errors import Conflict
from core.models import Role
from core.text import unique_slug
from shared_knowledge.models import NATIONAL, SEARCH_VECTOR, SharedEntry, SharedStatus


def scopes_of(user) -> list[str]:
    """The scopes `user` may write: every one for a national admin, their province's for a
    province admin, none for anyone else."""
    if user.role == Role.NATIONAL_ADMIN:
        return [NATIONAL, *SharedEntry.objects.values_list("scope", flat=True).distinct()]
    if user.role == Role.PROVINCE_ADMIN and user.managed_province_id:
        return [user.managed_province.code[:2]]
    return []


def _check_may_write(user, scope: str) -> None:
    if user.role == Role.NATIONAL_ADMIN:
        return
    if scope not in scopes_of(user):
        raise PermissionDenied(_("You may change only your own province's shared knowledge."))


@transaction.atomic
def save_shared_entry(
    actor,
    entry: SharedEntry | None,
    *,
    scope: str,
    title: str,
    body: str,
    source_url: str = "",
    tags: str = "",
    language: str = "id",
    replaces: str = "",
) -> SharedEntry:
    """Make or change an entry; every satker of its scope finds the change at its next question.
    A province's entry made with `replaces` (a national entry's slug) stands in for it there."""
    _check_may_write(actor, scope)
    if entry is not None:
        _check_may_write(actor, entry.scope)
    entry = entry or SharedEntry(slug=replaces or unique_slug(SharedEntry, title, fallback="entri", max_length=80))
    entry.scope, entry.title, entry.body = scope, title.strip(), body.strip()
    entry.source_url, entry.tags, entry.language = source_url.strip(), tags.strip(), language or "id"
    entry.full_clean(exclude=["search_vector"])
    entry.save()
    SharedEntry.objects.filter(pk=entry.pk).update(search_vector=SEARCH_VECTOR)
    record(actor, "shared_knowledge.save", entry.slug, scope=scope or "national", title=entry.title)
    return entry


@transaction.atomic
def propose(satker, actor, *, slug: str, title: str, body: str, source_url: str = "", tags: str = "") -> SharedEntry:
    """A satker offers one of its entries (a reviewed answer) to its province's shared knowledge;
    the province admin publishes it or not."""
    scope = satker.code[:2]
    if SharedEntry.objects.filter(
        scope=scope, slug=slug, proposed_by=satker.code, status=SharedStatus.PROPOSED
    ).exists():
        raise Conflict(_("This entry is already proposed to the province."))
    proposal = SharedEntry.objects.create(
        scope=scope,
        slug=slug,
        title=title,
        body=body,
        source_url=source_url,
        tags=tags,
        status=SharedStatus.PROPOSED,
        proposed_by=satker.code,
    )
    record(actor, "shared_knowledge.propose", slug, scope=scope)
    return proposal


@transaction.atomic
def publish_proposal(actor, pk: int) -> SharedEntry:
    """The province (or national) admin takes a proposal into the province's shared knowledge;
    a published entry of the same slug there is replaced by it."""
    proposal = SharedEntry.objects.select_for_update().get(pk=pk, status=SharedStatus.PROPOSED)
    _check_may_write(actor, proposal.scope)
    SharedEntry.objects.filter(scope=proposal.scope, slug=proposal.slug, status=SharedStatus.PUBLISHED).delete()
    proposal.status = SharedStatus.PUBLISHED
    proposal.save(update_fields=["status", "updated_at"])
    SharedEntry.objects.filter(pk=proposal.pk).update(search_vector=SEARCH_VECTOR)
    record(actor, "shared_knowledge.publish", proposal.slug, scope=proposal.scope, proposed_by=proposal.proposed_by)
    return proposal


@transaction.atomic
def delete_shared_entry(actor, pk: int) -> None:
    entry = SharedEntry.objects.get(pk=pk)
    _check_may_write(actor, entry.scope)
    entry.delete()
    record(actor, "shared_knowledge.delete", entry.slug, scope=entry.scope or "national")
