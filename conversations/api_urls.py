from django.urls import path

from conversations import api

urlpatterns = [
    path("conversations/", api.ConversationList.as_view(), name="api-conversations"),
    path("conversations/<int:pk>/", api.ConversationDetail.as_view(), name="api-conversation"),
    path("conversations/<int:pk>/messages/", api.ConversationMessages.as_view(), name="api-conversation-messages"),
]
