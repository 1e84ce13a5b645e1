from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from realtime import selectors, services
from realtime.models import Notification


class NotificationSerializer(serializers.ModelSerializer):
    """Title and body in the language of the request (a reader who switched language reads theirs)."""

    title = serializers.SerializerMethodField()
    body = serializers.SerializerMethodField()
    read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "link", "created_at", "read"]

    def _text(self, notification):
        return notification.in_language(self.context["request"].LANGUAGE_CODE)

    def get_title(self, notification) -> str:
        return self._text(notification).title

    def get_body(self, notification) -> str:
        return self._text(notification).body

    def get_read(self, notification) -> bool:
        return notification.read_at is not None


class NotificationList(generics.ListAPIView):
    """Your notifications, newest first. The unread count is in the `X-Unread-Count` header."""

    serializer_class = NotificationSerializer

    def get_queryset(self):
        return selectors.notifications_of(self.request.user)[:100]

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        response["X-Unread-Count"] = str(services.unread_count(request.user))
        return response


class MarkReadSerializer(serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, default=list, max_length=500
    )
    all = serializers.BooleanField(required=False, default=False)


class MarkRead(APIView):
    """Mark some (`ids`) or all (`all: true`) of your notifications read; returns the unread count."""

    @extend_schema(request=MarkReadSerializer, responses={200: dict})
    def post(self, request):
        payload = MarkReadSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        if payload.validated_data["all"]:
            services.mark_all_read(request.user)
        else:
            services.mark_read(request.user, payload.validated_data["ids"])
        return Response({"unread": services.unread_count(request.user)})


class PushKeysSerializer(serializers.Serializer):
    p256dh = serializers.RegexField(r"^[A-Za-z0-9_-]{80,100}={0,2}$", max_length=200)
    auth = serializers.RegexField(r"^[A-Za-z0-9_-]{16,30}={0,2}$", max_length=100)


class PushSubscriptionSerializer(serializers.Serializer):
    """What a browser's `PushSubscription.toJSON()` gives."""

    endpoint = serializers.URLField(max_length=1000)
    keys = PushKeysSerializer()


class PushSubscriptions(APIView):
    """Phone notifications for this browser: POST its subscription (`PushSubscription.toJSON()`)
    to receive them, DELETE it (`endpoint`) to stop. The server's key for `subscribe` is in
    the page (`data-vapid-key`)."""

    @extend_schema(request=PushSubscriptionSerializer, responses={201: dict})
    def post(self, request):
        payload = PushSubscriptionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.subscribe_push(
            request.user,
            endpoint=payload.validated_data["endpoint"],
            user_agent=request.headers.get("User-Agent", ""),
            **payload.validated_data["keys"],
        )
        return Response({"subscribed": True}, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request):
        endpoint = str(request.data.get("endpoint", ""))
        services.unsubscribe_push(request.user, endpoint)
        return Response(status=status.HTTP_204_NO_CONTENT)
