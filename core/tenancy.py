"""The satker the connection is in, for code below the tenants app (which owns the model)."""

from django.db import connection
from django_tenants.utils import get_public_schema_name, get_tenant_model, schema_context


def current_satker():
    """The satker whose schema the connection is in (the national satker in public).

    Inside a request or a task django-tenants has already loaded it; under `schema_context`
    only the schema name is known, so it is read from the public registry."""
    model = get_tenant_model()
    tenant = getattr(connection, "tenant", None)
    if isinstance(tenant, model):
        return tenant
    schema_name = connection.schema_name
    with schema_context(get_public_schema_name()):
        return model.objects.get(schema_name=schema_name)
