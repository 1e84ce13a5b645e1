from django.apps import AppConfig


class TenantsConfig(AppConfig):
    name = "tenants"
    verbose_name = "Satkers"

    def ready(self):
        from tenants import signals  # noqa: F401
