from django.urls import path

from aida import api, views

urlpatterns = [
    path("aida/", views.chat, name="aida-chat"),
    path("aida/tanya/", views.ask, name="aida-ask"),
    path("aida/jawaban/<int:pk>/nilai/", views.rate_answer, name="aida-rate"),
    path("aida/ke-petugas/<int:pk>/", views.handoff, name="aida-handoff"),
    path("aida/pengetahuan/<slug:slug>/", views.knowledge_entry, name="aida-entry"),
    path("aida/tinjauan/", views.review_queue, name="aida-review"),
    path("pengaturan/pengetahuan/", views.knowledge_admin, name="aida-knowledge"),
    path("pengaturan/pengetahuan/baru/", views.knowledge_edit, name="aida-knowledge-new"),
    path("pengaturan/pengetahuan/<int:pk>/", views.knowledge_edit, name="aida-knowledge-edit"),
    path("pengaturan/pengetahuan/impor/", views.knowledge_import, name="aida-knowledge-import"),
    path("pengaturan/pengetahuan/<int:pk>/usulkan/", views.knowledge_propose, name="aida-knowledge-propose"),
    path("pengaturan/aida/", views.budget, name="aida-budget"),
    path("api/v1/knowledge/search/", api.KnowledgeSearch.as_view(), name="api-knowledge-search"),
]
