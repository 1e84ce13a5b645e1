from django.urls import path

from shared_knowledge import views

urlpatterns = [
    path("", views.shared_knowledge, name="shared-knowledge"),
    path("baru/", views.edit_shared_entry, name="shared-knowledge-new"),
    path("<int:pk>/", views.edit_shared_entry, name="shared-knowledge-edit"),
    path("<int:pk>/terbitkan/", views.publish_proposal, name="shared-knowledge-publish"),
]
