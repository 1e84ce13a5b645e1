"""Small text helpers shared by apps."""

from django.utils.text import slugify


def unique_slug(model, text: str, *, fallback: str, max_length: int = 70) -> str:
    """A slug for `text` not yet used by any `model` row: "name", "name-2", "name-3", …"""
    base = slugify(text)[:max_length] or fallback
    slug, number = base, 2
    while model.objects.filter(slug=slug).exists():
        slug, number = f"{base}-{number}", number + 1
    return slug
