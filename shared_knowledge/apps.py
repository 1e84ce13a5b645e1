from django.apps import AppConfig


class SharedKnowledgeConfig(AppConfig):
    name = "shared_knowledge"
    verbose_name = "Knowledge shared by the nation and provinces"
