"""Small text helpers shared by apps."""

import re

from django.utils.text import slugify


def unique_slug(model, text: str, *, fallback: str, max_length: int = 70) -> str:
    """A slug for `text` not yet used by any `model` row: "name", "name-2", "name-3", …"""
    base = slugify(text)[:max_length] or fallback
    slug, number = base, 2
    while model.objects.filter(slug=slug).exists():
        slug, number = f"{base}-{number}", number + 1
    return slug


def normalise_whatsapp_number(number: str) -> str | None:
    """Indonesian mobile numbers to the E.164 digits WhatsApp wants: 0812… / +62812… / 62812… → 62812…"""
    digits = re.sub(r"[\s\-().]", "", number or "")
    if digits.startswith("+"):
        digits = digits[1:]
    elif digits.startswith("0"):
        digits = "62" + digits[1:]
    return digits if re.fullmatch(r"628\d{7,12}", digits) else None


_NIK = re.compile(r"\b\d{16}\b")
_PHONE = re.compile(r"(?:\+62|62|0)[\s\-.]?8\d(?:[\s\-.]?\d){6,11}")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_SELF_NAME = re.compile(
    r"\b(nama saya|saya bernama|my name is|i am|i'm)\s+([A-Z][\w'.-]*(?:\s+[A-Z][\w'.-]*){0,3})", re.IGNORECASE
)


def scrub_personal_data(text: str) -> str:
    """Remove NIK, phone numbers, e-mail addresses and names people give about themselves."""
    text = _NIK.sub("[NIK]", text)
    text = _EMAIL.sub("[email]", text)
    text = _PHONE.sub("[telepon]", text)
    return _SELF_NAME.sub(lambda match: f"{match.group(1)} [nama]", text)
