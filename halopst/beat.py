"""Beat's scheduler. Imported by beat only, once Django is set up (it reads the tenant model)."""

from tenant_schemas_celery.scheduler import TenantAwareScheduler

from tenants.models import Status


class ActiveSatkerScheduler(TenantAwareScheduler):
    """Per-satker entries go to active satkers only: a suspended one is left alone."""

    @classmethod
    def get_queryset(cls):
        return super().get_queryset().filter(status=Status.ACTIVE)
