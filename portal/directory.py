"""The public directory: which satker has which topics and officers, searchable from the portal.

Each satker's services call `sync_directory()` inside the transaction that changes an officer
or a tag, so the public copy commits (or rolls back) with the change itself. The portal reads
only these two public tables; a suspended satker drops out of every search at once because
the search filters on the satker's status.
"""

import re
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db.models import Q, Value
from django.db.models.functions import Concat

from booking.selectors import active_tags, officer_directory
from core.tenancy import current_satker
from portal.models import DirectoryOfficer, DirectoryTopic
from statdata.selectors import names_in
from tenants.models import Kind, Satker, Status

SEARCH_CONFIG = "indonesian"
# Words that say nothing about place or topic ("data kemiskinan Sidoarjo 2023").
STOPWORDS = {
    "data",
    "bps",
    "badan",
    "pusat",
    "statistik",
    "tahun",
    "angka",
    "jumlah",
    "tentang",
    "untuk",
    "dan",
    "di",
    "ke",
    "dari",
    "yang",
    "per",
    "the",
    "of",
    "in",
    "for",
    "and",
    "saya",
    "butuh",
    "cari",
    "mencari",
    "minta",
}
PLACE_WORDS = {
    "kabupaten": Kind.REGENCY,
    "kab": Kind.REGENCY,
    "kota": Kind.CITY,
    "provinsi": Kind.PROVINCE,
    "prov": Kind.PROVINCE,
}
MAX_SATKERS = 12


def sync_directory() -> None:
    """Replace the current satker's directory rows with its active tags and officers."""
    satker = current_satker()
    tags = list(active_tags())
    active_slugs = {tag.slug for tag in tags}
    # officer_directory prefetches active tags only
    officers = [(profile, sorted(tag.slug for tag in profile.expertise.all())) for profile in officer_directory()]
    counts = {slug: sum(slug in topics for _profile, topics in officers) for slug in active_slugs}
    DirectoryTopic.objects.filter(satker=satker).delete()
    DirectoryOfficer.objects.filter(satker=satker).delete()
    DirectoryTopic.objects.bulk_create(
        [
            DirectoryTopic(
                satker=satker,
                slug=tag.slug,
                name=tag.name,
                name_en=tag.name_en,
                keywords=tag.keywords,
                officer_count=counts[tag.slug],
            )
            for tag in tags
        ]
    )
    DirectoryOfficer.objects.bulk_create(
        [
            DirectoryOfficer(satker=satker, officer_id=profile.pk, name=profile.user.full_name, topics=topics)
            for profile, topics in officers
        ]
    )
    DirectoryTopic.objects.filter(satker=satker).update(
        search_vector=SearchVector(Concat("name", Value(" "), "name_en", Value(" "), "keywords"), config=SEARCH_CONFIG)
    )


@dataclass
class Suggestion:
    """A satker to consult, with the topic that matched (if any) and its officers."""

    satker: Satker
    topic: DirectoryTopic | None = None
    officers: list[DirectoryOfficer] = field(default_factory=list)


def _words(query: str) -> list[str]:
    return [word for word in re.findall(r"[a-z]+", query.lower()) if len(word) >= 3 or word in PLACE_WORDS]


def _places(words: list[str], area_codes: list[str]):
    """Active satkers whose name holds one of the words or whose area the query names another
    way ("sby"), preferring the kind the query names ("kota malang" → the city before the regency)."""
    names = [word for word in words if word not in STOPWORDS and word not in PLACE_WORDS]
    if not names and not area_codes:
        return []
    matches = Q(code__in=area_codes)
    for word in names:
        matches |= Q(name__iregex=rf"\m{word}\M")
    satkers = list(
        Satker.objects.filter(matches, status=Status.ACTIVE).exclude(kind=Kind.NATIONAL).select_related("parent")
    )
    wanted_kinds = {PLACE_WORDS[word] for word in words if word in PLACE_WORDS}
    satkers.sort(key=lambda satker: (satker.kind not in wanted_kinds, satker.code))
    return satkers


def _topics(words: list[str], satkers: list[Satker]):
    terms = [word for word in words if word not in STOPWORDS and word not in PLACE_WORDS]
    if not terms:
        return []
    query = SearchQuery(" | ".join(terms), search_type="raw", config=SEARCH_CONFIG)
    topics = (
        DirectoryTopic.objects.filter(search_vector=query, satker__status=Status.ACTIVE)
        .exclude(satker__kind=Kind.NATIONAL)
        .annotate(rank=SearchRank("search_vector", query))
        .select_related("satker", "satker__parent")
    )
    if satkers:
        topics = topics.filter(satker__in=satkers)
    return list(topics.order_by("-rank", "-officer_count", "satker__code")[: MAX_SATKERS * 2])


def search_directory(query: str) -> list[Suggestion]:
    """Satkers and officers for a need typed in plain words, e.g. "inflasi Surabaya".

    Place words pick satkers by name (or any name of their area); the rest is matched against every satker's topics with
    PostgreSQL full-text search (Indonesian stemming: "kemiskinan" finds "miskin"). With a
    place and a topic, the place's topic comes first; with only a topic, the satkers that
    have officers for it; with only a place, the satker itself.
    """
    words = _words(query)
    # Abbreviations and other names of indicators and places, as AIDA understands them: "uhh"
    # (no topic has that word) searches with "Umur Harapan Hidup" and its subject, "sby" is Surabaya.
    variables, areas = names_in(query)
    places = _places(words, [area.code for area in areas])
    topics = _topics(words, places)
    if not topics and variables:  # the words alone name no topic: try the indicators' names
        names = " ".join(f"{v.title} {v.subject} {' '.join(v.aliases)}" for v in variables)
        topics = _topics(words + _words(names), places)
    suggestions, seen = [], set()
    for topic in topics:
        if (topic.satker_id, topic.slug) in seen or (topic.officer_count == 0 and not places):
            continue
        seen.add((topic.satker_id, topic.slug))
        suggestions.append(Suggestion(satker=topic.satker, topic=topic))
    covered = {suggestion.satker.pk for suggestion in suggestions}
    suggestions += [Suggestion(satker=satker) for satker in places if satker.pk not in covered]
    suggestions = suggestions[:MAX_SATKERS]
    # One instance per satker, so its domain (for the links) is read once however many topics match.
    instances: dict[int, Satker] = {}
    for suggestion in suggestions:
        suggestion.satker = instances.setdefault(suggestion.satker.pk, suggestion.satker)
    _attach_officers(suggestions)
    return suggestions


def _attach_officers(suggestions: list[Suggestion]) -> None:
    wanted = [s for s in suggestions if s.topic is not None]
    if not wanted:
        return
    matches = Q()
    for suggestion in wanted:
        matches |= Q(satker_id=suggestion.satker.pk, topics__contains=[suggestion.topic.slug])
    officers = list(DirectoryOfficer.objects.filter(matches))
    for suggestion in wanted:
        suggestion.officers = [
            officer
            for officer in officers
            if officer.satker_id == suggestion.satker.pk and suggestion.topic.slug in officer.topics
        ]


def booking_link(suggestion: Suggestion, need: str, officer: DirectoryOfficer | None = None) -> str:
    """Where a suggestion leads: the satker's slot picker for the officer or topic, with the
    typed need carried over as the consultation's topic."""
    if officer is not None:
        path = f"/petugas/{officer.officer_id}/jadwal/"
    elif suggestion.topic is not None:
        path = f"/keahlian/{suggestion.topic.slug}/jadwal/"
    else:
        path = "/petugas/"
    return suggestion.satker.url(f"{path}?{urlencode({'topik': need})}" if need else path)
