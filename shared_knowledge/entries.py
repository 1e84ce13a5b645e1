"""Reading knowledge entries from files: the starter base (Markdown, the national entries every
satker inherits) and admins' imports (CSV, Markdown).

Markdown: each entry starts with "## Title", followed by optional "slug:", "tags:", "sumber:"
(or "source:") lines, then the body. CSV: columns title, body, source_url, tags, language.
"""

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.text import slugify

STARTER_FILE = Path(__file__).resolve().parent / "data" / "starter_kb.md"
_META = re.compile(r"^(slug|tags|sumber|source|bahasa|language):\s*(.*)$", re.IGNORECASE)


@dataclass
class EntryData:
    title: str
    body: str
    slug: str = ""
    source_url: str = ""
    tags: str = ""
    language: str = "id"
    problems: list[str] = field(default_factory=list)


def parse_markdown(text: str) -> list[EntryData]:
    entries, current, lines = [], None, []

    def close():
        if current is not None:
            current.body = "\n".join(lines).strip()
            entries.append(current)

    for line in text.splitlines():
        if line.startswith("## "):
            close()
            current, lines = EntryData(title=line[3:].strip(), body=""), []
        elif current is not None:
            meta = _META.match(line.strip()) if not lines or not any(lines) else None
            if meta and not "".join(lines).strip():
                key, value = meta.group(1).lower(), meta.group(2).strip()
                if key == "slug":
                    current.slug = value
                elif key == "tags":
                    current.tags = value
                elif key in ("sumber", "source"):
                    current.source_url = value
                else:
                    current.language = value
            else:
                lines.append(line)
    close()
    for entry in entries:
        entry.slug = entry.slug or slugify(entry.title)[:80]
    return entries


def parse_csv(text: str) -> list[EntryData]:
    reader = csv.DictReader(io.StringIO(text))
    entries = []
    for row in reader:
        title, body = (row.get("title") or "").strip(), (row.get("body") or "").strip()
        entries.append(
            EntryData(
                title=title,
                body=body,
                slug=slugify(title)[:80],
                source_url=(row.get("source_url") or "").strip(),
                tags=(row.get("tags") or "").strip(),
                language=(row.get("language") or "id").strip() or "id",
            )
        )
    return entries
