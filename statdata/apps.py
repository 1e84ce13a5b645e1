from django.apps import AppConfig


class StatdataConfig(AppConfig):
    name = "statdata"
    verbose_name = "Statistical figures"
