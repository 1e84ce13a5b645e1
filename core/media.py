"""Uploaded files are served per satker: a host only ever serves files under its own folder."""

from django.conf import settings
from django.http import Http404, HttpResponse
from django.views.static import serve


def satker_media(request, path):
    if not path.startswith(f"satkers/{request.tenant.schema_name}/") or ".." in path.split("/"):
        raise Http404
    if not settings.MEDIA_X_ACCEL:
        return serve(request, path, document_root=settings.MEDIA_ROOT)
    # nginx serves the file from its internal location (deploy/nginx.conf).
    response = HttpResponse()
    response["X-Accel-Redirect"] = f"/protected-media/{path}"
    response["Content-Type"] = ""
    return response
