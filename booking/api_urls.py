from django.urls import path

from booking import api

urlpatterns = [
    path("expertise/", api.ExpertiseList.as_view(), name="api-expertise"),
    path("officers/", api.OfficerList.as_view(), name="api-officers"),
    path("officers/<int:officer_id>/slots/", api.OfficerSlots.as_view(), name="api-officer-slots"),
    path("consultations/", api.ConsultationListCreate.as_view(), name="api-consultations"),
    path("consultations/<int:pk>/", api.ConsultationDetail.as_view(), name="api-consultation"),
    path("consultations/<int:pk>/feedback/", api.ConsultationFeedback.as_view(), name="api-consultation-feedback"),
    path("consultations/<int:pk>/<str:action>/", api.ConsultationAction.as_view(), name="api-consultation-action"),
    path("satisfaction/", api.SatisfactionIndex.as_view(), name="api-satisfaction"),
]
