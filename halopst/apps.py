from django.apps import AppConfig


class HalopstConfig(AppConfig):
    name = "halopst"
    verbose_name = "HaloPST wiring"

    def ready(self):
        from core.metrics import register_platform_collector
        from halopst.metrics import PlatformCollector

        register_platform_collector(PlatformCollector())
