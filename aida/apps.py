from django.apps import AppConfig


class AidaConfig(AppConfig):
    name = "aida"
    verbose_name = "AIDA"
