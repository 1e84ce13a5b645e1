"""The booking API under /api/v1/ on each satker host. Same rules as the pages: reads through
booking.selectors, changes through booking.services."""

from datetime import date
from zoneinfo import ZoneInfo

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from booking import selectors, services
from booking.availability import free_slots
from booking.models import SURVEY_ELEMENTS, Consultation, ConsultationEvent, ExpertiseTag, NoShowParty, OfficerProfile
from core.models import Role
from core.ratelimit import ok_or_429


class ExpertiseSerializer(serializers.ModelSerializer):
    class Meta:
        model = ExpertiseTag
        fields = ["slug", "name", "name_en"]


class OfficerSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="user.full_name")
    expertise = ExpertiseSerializer(many=True)

    class Meta:
        model = OfficerProfile
        fields = ["id", "name", "bio", "languages", "expertise"]


class SlotSerializer(serializers.Serializer):
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()


class EventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.full_name", default=None)

    class Meta:
        model = ConsultationEvent
        fields = ["action", "from_status", "to_status", "actor", "reason", "starts_at", "created_at"]


class ConsultationSerializer(serializers.ModelSerializer):
    officer = serializers.CharField(source="officer.user.full_name")
    consumer = serializers.CharField(source="consumer.full_name")
    expertise = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    events = EventSerializer(many=True)

    class Meta:
        model = Consultation
        fields = [
            "id",
            "status",
            "officer",
            "consumer",
            "expertise",
            "starts_at",
            "ends_at",
            "mode",
            "topic",
            "data_need",
            "purpose",
            "consumer_category",
            "meeting_link",
            "reason",
            "created_at",
            "events",
        ]
        read_only_fields = fields


class RequestSerializer(serializers.ModelSerializer):
    officer = serializers.PrimaryKeyRelatedField(queryset=OfficerProfile.objects.all(), required=False, allow_null=True)
    expertise = serializers.SlugRelatedField(
        slug_field="slug", queryset=ExpertiseTag.objects.filter(is_active=True), required=False, allow_null=True
    )

    class Meta:
        model = Consultation
        fields = ["officer", "expertise", "starts_at", "mode", "topic", "data_need", "purpose", "consumer_category"]


class ActionSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, default="", allow_blank=True, max_length=1000)
    meeting_link = serializers.URLField(required=False, default="", allow_blank=True, max_length=500)
    starts_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    party = serializers.ChoiceField(choices=NoShowParty.choices, required=False, default=NoShowParty.CONSUMER)


class FeedbackSerializer(serializers.Serializer):
    rating = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(required=False, default="", allow_blank=True, max_length=2000)

    def get_fields(self):
        fields = super().get_fields()
        for name, label in SURVEY_ELEMENTS:
            fields[name] = serializers.IntegerField(min_value=1, max_value=4, help_text=str(label))
        return fields


class SlotWindow(serializers.Serializer):
    # "from" is a Python keyword: the field is declared under another name and renamed below.
    from_ = serializers.DateField(required=False)
    to = serializers.DateField(required=False)

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = fields.pop("from_")
        return fields


class YearQuery(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100, required=False)


class ExpertiseList(generics.ListAPIView):
    permission_classes = [AllowAny]
    serializer_class = ExpertiseSerializer
    pagination_class = None

    def get_queryset(self):
        return selectors.active_tags()


class OfficerList(generics.ListAPIView):
    permission_classes = [AllowAny]
    serializer_class = OfficerSerializer

    @extend_schema(parameters=[OpenApiParameter("expertise", str, description="expertise slug")])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.officer_directory(self.request.query_params.get("expertise") or None)


class OfficerSlots(APIView):
    """Free slots of one officer between `from` and `to` (dates in the satker's time zone)."""

    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[OpenApiParameter("from", date), OpenApiParameter("to", date)], responses=SlotSerializer(many=True)
    )
    def get(self, request, officer_id):
        officer = selectors.officer_directory().filter(pk=officer_id).first()
        if officer is None:
            raise NotFound()
        window = SlotWindow(data=request.query_params)
        window.is_valid(raise_exception=True)
        slots = free_slots(
            [officer],
            zone=ZoneInfo(request.tenant.timezone),
            now=timezone.now(),
            first=window.validated_data.get("from"),
            last=window.validated_data.get("to"),
        )[officer.pk]
        return Response(SlotSerializer(slots, many=True).data)


class ConsultationListCreate(generics.ListCreateAPIView):
    """Your consultations (consumers: your own; officers: assigned to you; admins: all). POST requests one."""

    def get_queryset(self):
        return selectors.visible_consultations(self.request.user).prefetch_related("events__actor")

    def get_serializer_class(self):
        return RequestSerializer if self.request.method == "POST" else ConsultationSerializer

    @extend_schema(request=RequestSerializer, responses={201: ConsultationSerializer})
    def post(self, request, *args, **kwargs):
        if request.user.role != Role.CONSUMER:
            raise PermissionDenied()
        refused = ok_or_429(request, "booking_request")
        if refused is not None:
            return refused
        payload = RequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        consultation = services.request_consultation(consumer=request.user, **payload.validated_data)
        return Response(ConsultationSerializer(consultation).data, status=status.HTTP_201_CREATED)


class ConsultationDetail(generics.RetrieveAPIView):
    serializer_class = ConsultationSerializer

    def get_object(self):
        return selectors.consultation_for(self.request.user, self.kwargs["pk"])


ACTIONS = {
    "approve": lambda pk, user, data: services.approve(
        pk, user, meeting_link=data["meeting_link"], starts_at=data["starts_at"]
    ),
    "decline": lambda pk, user, data: services.decline(pk, user, reason=data["reason"]),
    "propose_reschedule": lambda pk, user, data: services.propose_reschedule(
        pk, user, starts_at=data["starts_at"], reason=data["reason"]
    ),
    "accept_reschedule": lambda pk, user, data: services.accept_reschedule(pk, user),
    "decline_reschedule": lambda pk, user, data: services.decline_reschedule(pk, user, reason=data["reason"]),
    "cancel": lambda pk, user, data: services.cancel(pk, user, reason=data["reason"]),
    "complete": lambda pk, user, data: services.complete(pk, user),
    "no_show": lambda pk, user, data: services.mark_no_show(pk, user, party=data["party"], reason=data["reason"]),
}


class ConsultationAction(APIView):
    """Move a consultation through its life cycle: 409 when the current state does not allow it."""

    @extend_schema(
        operation_id="v1_consultations_action",
        request=ActionSerializer,
        responses=ConsultationSerializer,
        parameters=[OpenApiParameter("action", str, OpenApiParameter.PATH, enum=sorted(ACTIONS))],
    )
    def post(self, request, pk, action):
        consultation = selectors.consultation_for(request.user, pk)
        if action not in ACTIONS:
            raise NotFound()
        payload = ActionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        if action == "propose_reschedule" and payload.validated_data["starts_at"] is None:
            raise serializers.ValidationError({"starts_at": ["This field is required."]})
        updated = ACTIONS[action](consultation.pk, request.user, payload.validated_data)
        return Response(ConsultationSerializer(updated).data)


class ConsultationFeedback(APIView):
    @extend_schema(request=FeedbackSerializer, responses={201: FeedbackSerializer})
    def post(self, request, pk):
        consultation = selectors.consultation_for(request.user, pk)
        payload = FeedbackSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        rating, comment = data.pop("rating"), data.pop("comment")
        services.rate(consultation.pk, request.user, rating=rating, comment=comment, survey=data)
        return Response(payload.data, status=status.HTTP_201_CREATED)


class SatisfactionIndex(APIView):
    """The satker's IKM per month and quarter (satker admins)."""

    @extend_schema(parameters=[OpenApiParameter("year", int)], responses=dict)
    def get(self, request):
        if request.user.role != Role.SATKER_ADMIN:
            raise PermissionDenied()
        query = YearQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        return Response(selectors.satisfaction_index(query.validated_data.get("year", timezone.now().year)))
