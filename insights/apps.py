from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "insights"
    verbose_name = "Reports and the command centre"

    def ready(self):
        from insights import receivers  # noqa: F401
