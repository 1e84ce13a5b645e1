from django.apps import AppConfig


class BillingQuotaConfig(AppConfig):
    name = "billing_quota"
    verbose_name = "Billing and quota"
