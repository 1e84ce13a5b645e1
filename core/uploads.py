"""Checks for images people upload (logos, officer photos)."""

from django import forms
from django.utils.translation import gettext as _

# Raster images only, recognised by their first bytes, never by the name they came with:
# an SVG (or an HTML file named .png) can carry script.
IMAGE_SIGNATURES = {b"\x89PNG\r\n\x1a\n": ".png", b"\xff\xd8\xff": ".jpg"}
MAX_IMAGE_BYTES = 512 * 1024


def clean_raster_image(upload, stem: str):
    """Return the upload renamed `stem.png|.jpg`, or raise a form error saying what is wrong."""
    if upload is None:
        return None
    if upload.size > MAX_IMAGE_BYTES:
        raise forms.ValidationError(_("The image may be at most 512 KB."))
    head = upload.read(8)
    upload.seek(0)
    extension = next((ext for signature, ext in IMAGE_SIGNATURES.items() if head.startswith(signature)), None)
    if extension is None:
        raise forms.ValidationError(_("The image must be a PNG or JPG file."))
    upload.name = f"{stem}{extension}"
    return upload
