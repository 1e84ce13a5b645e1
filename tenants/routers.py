"""Which tables each schema gets, beside django-tenants' router (SHARED_APPS in public,
TENANT_APPS in satkers), model by model where an app runs in both but part of its history
belongs to satkers only."""

from django.db import connections
from django_tenants.utils import get_public_schema_name, get_tenant_database_alias

# Models realtime's first migrations created, which moved to `announcements` (satker-only):
# their tables point at expertise tags, which public does not have.
SATKER_ONLY_MODELS = {("realtime", "announcement"), ("realtime", "topicsubscription")}


class SatkerOnlyModelsRouter:
    def allow_migrate(self, db, app_label, model_name=None, **hints):
        if (app_label, model_name) in SATKER_ONLY_MODELS:
            if connections[get_tenant_database_alias()].schema_name == get_public_schema_name():
                return False
        return None  # django-tenants' router decides
