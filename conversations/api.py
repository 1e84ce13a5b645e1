"""The conversations API under /api/v1/ on each satker host, for the same people and with the
same rules as the pages: reads through conversations.selectors (a thread that is not yours is
404, internal notes only on the officer side), every change through conversations.services."""

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from conversations import selectors, services
from conversations.models import Conversation, Message
from core.models import Role
from core.ratelimit import ok_or_429


class MessageSerializer(serializers.ModelSerializer):
    author = serializers.SerializerMethodField()
    attachment = serializers.CharField(source="attachment_name")

    class Meta:
        model = Message
        fields = ["id", "kind", "from_bot", "author", "body", "attachment", "delivery", "created_at"]
        read_only_fields = fields

    def get_author(self, message) -> str:
        if message.from_bot:
            return "AIDA"
        return message.author.full_name if message.author else ""


class ConversationSerializer(serializers.ModelSerializer):
    expertise = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    assignee = serializers.CharField(source="assignee.user.full_name", default=None)
    person = serializers.CharField(source="person_name")

    class Meta:
        model = Conversation
        fields = [
            "id",
            "channel",
            "subject",
            "expertise",
            "state",
            "assignee",
            "person",
            "created_at",
            "last_message_at",
            "first_response_at",
            "closed_at",
        ]
        read_only_fields = fields


class ThreadSerializer(ConversationSerializer):
    messages = serializers.SerializerMethodField()

    class Meta(ConversationSerializer.Meta):
        fields = [*ConversationSerializer.Meta.fields, "messages"]
        read_only_fields = fields

    @extend_schema_field(MessageSerializer(many=True))
    def get_messages(self, conversation):
        return MessageSerializer(selectors.thread(conversation, self.context["request"].user), many=True).data


class WriteSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=4000)


class ConversationList(generics.ListAPIView):
    """Your conversations: a consumer's own (and those of the WhatsApp they linked); for officers
    the open queue (waiting first, then theirs, then the team's) or, with `all=1`, every one
    they may see."""

    serializer_class = ConversationSerializer

    @extend_schema(parameters=[OpenApiParameter("all", bool)])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        user = self.request.user
        if user.role in (Role.OFFICER, Role.SATKER_ADMIN) and self.request.query_params.get("all") != "1":
            return selectors.inbox(user)
        return selectors.mine(user)


class ConversationDetail(generics.RetrieveAPIView):
    serializer_class = ThreadSerializer

    def get_object(self):
        return selectors.conversation_for(self.request.user, self.kwargs["pk"])


class ConversationMessages(APIView):
    """Write in a thread: 409 when it cannot take a message now (closed for officers, another
    officer's, WhatsApp's 24-hour window passed)."""

    @extend_schema(request=WriteSerializer, responses={201: MessageSerializer})
    def post(self, request, pk):
        refused = ok_or_429(request, "conversation_message")
        if refused is not None:
            return refused
        conversation = selectors.conversation_for(request.user, pk)
        payload = WriteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        message = services.write(conversation.pk, request.user, body=payload.validated_data["body"])
        return Response(MessageSerializer(message).data, status=status.HTTP_201_CREATED)
