"""Portal API: the satker registry (list what you manage, onboard a satker), the public
directory search and the command centre."""

from datetime import timedelta

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.response import Response

from tenants import access, directory, reports, services
from tenants.models import TIMEZONE_LABELS, Kind, Satker
from tenants.selectors import satkers_visible_to


class IsConsoleUser(BasePermission):
    def has_permission(self, request, view):
        return request.tenant.is_public and access.is_console_user(request.user)


class SatkerSerializer(serializers.ModelSerializer):
    domain = serializers.SerializerMethodField()
    parent_code = serializers.CharField(source="parent.code", default=None, read_only=True, allow_null=True)

    class Meta:
        model = Satker
        fields = ["code", "kind", "name", "subdomain", "timezone", "status", "display_name", "primary_color",
                  "parent_code", "domain", "created_at"]
        read_only_fields = fields

    def get_domain(self, satker) -> str:
        return services.primary_domain_for(satker.subdomain)


class OnboardSerializer(serializers.Serializer):
    code = serializers.RegexField(r"^\d{4}$", max_length=4)
    kind = serializers.ChoiceField(choices=[Kind.PROVINCE, Kind.REGENCY, Kind.CITY])
    name = serializers.CharField(max_length=120)
    subdomain = serializers.RegexField(r"^[a-z][a-z0-9]{1,39}$", max_length=40)
    timezone = serializers.ChoiceField(choices=list(TIMEZONE_LABELS))
    admin_email = serializers.EmailField(required=False, default="")
    admin_name = serializers.CharField(required=False, default="", max_length=150)


class SatkerListCreate(generics.ListAPIView):
    """Satkers the signed-in national or province admin manages; POST onboards a new one."""

    permission_classes = [IsConsoleUser]
    serializer_class = SatkerSerializer

    def get_queryset(self):
        return satkers_visible_to(self.request.user).order_by("code")

    @extend_schema(request=OnboardSerializer, responses={201: SatkerSerializer})
    def post(self, request):
        payload = OnboardSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        admin_email, admin_name = data.pop("admin_email"), data.pop("admin_name")
        spec = services.SatkerSpec(**data)
        try:
            access.check_may_onboard(request.user, spec)
            satker = services.onboard_satker(spec, actor=request.user, admin_email=admin_email,
                                             admin_name=admin_name, invited_by=request.user.email)
        except DjangoPermissionDenied as error:
            raise PermissionDenied(str(error)) from error
        except services.OnboardingError as error:
            raise ValidationError(error.errors) from error
        return Response(SatkerSerializer(satker).data, status=status.HTTP_201_CREATED)


class SatkerDetail(generics.RetrieveAPIView):
    permission_classes = [IsConsoleUser]
    serializer_class = SatkerSerializer
    lookup_field = "code"

    def get_queryset(self):
        return satkers_visible_to(self.request.user)


class DirectoryOfficerSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="officer_id")
    name = serializers.CharField()


class SuggestionSerializer(serializers.Serializer):
    satker_code = serializers.CharField(source="satker.code")
    satker_name = serializers.CharField(source="satker.name")
    topic_slug = serializers.CharField(source="topic.slug", default=None, allow_null=True)
    topic_name = serializers.CharField(source="topic.name", default=None, allow_null=True)
    officers = DirectoryOfficerSerializer(many=True)
    booking_url = serializers.SerializerMethodField()

    def get_booking_url(self, suggestion) -> str:
        return directory.booking_link(suggestion, self.context["need"])


class DirectoryQuery(serializers.Serializer):
    q = serializers.CharField(min_length=2, max_length=200)


class DirectorySearch(generics.GenericAPIView):
    """Satkers and officers for a data need in plain words ("inflasi Surabaya"), from the
    public directory. Open to everyone: it holds only what satkers show the public."""

    permission_classes = [AllowAny]
    serializer_class = SuggestionSerializer

    @extend_schema(parameters=[DirectoryQuery], responses={200: SuggestionSerializer(many=True)})
    def get(self, request):
        query = DirectoryQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        need = query.validated_data["q"]
        suggestions = directory.search_directory(need)
        return Response(SuggestionSerializer(suggestions, many=True, context={"need": need}).data)


class CommandCentreQuery(serializers.Serializer):
    days = serializers.IntegerField(min_value=1, max_value=366, default=30)
    province = serializers.RegexField(r"^\d{2}$", required=False)
    sort = serializers.ChoiceField(choices=list(reports.RANKINGS), default="ikm")


class CommandCentreRowSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
    status = serializers.CharField()
    province = serializers.CharField()
    pending = serializers.IntegerField()
    past_standard = serializers.IntegerField()
    consultations_today = serializers.IntegerField()
    aida_questions_today = serializers.IntegerField()
    quota_percent = serializers.IntegerField()
    requests = serializers.IntegerField()
    completed = serializers.IntegerField()
    no_shows = serializers.IntegerField()
    ratings = serializers.IntegerField()
    aida_questions = serializers.IntegerField()
    aida_handoffs = serializers.IntegerField()
    within_standard_percent = serializers.FloatField(allow_null=True)
    completion_percent = serializers.FloatField(allow_null=True)
    rating_mean = serializers.FloatField(allow_null=True)
    ikm = serializers.FloatField(allow_null=True)
    ikm_grade = serializers.CharField(allow_blank=True)


class CommandCentre(generics.GenericAPIView):
    """Every satker the admin watches, ranked: live numbers and the last `days` days."""

    permission_classes = [IsConsoleUser]
    serializer_class = CommandCentreRowSerializer

    @extend_schema(parameters=[CommandCentreQuery], responses={200: CommandCentreRowSerializer(many=True)})
    def get(self, request):
        query = CommandCentreQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        satkers = satkers_visible_to(request.user)
        if "province" in query.validated_data:
            satkers = satkers.filter(code__startswith=query.validated_data["province"])
        last = reports.newest_day()
        rows = reports.command_centre_rows(satkers, last - timedelta(days=query.validated_data["days"] - 1), last)
        return Response(CommandCentreRowSerializer(reports.rank(rows, query.validated_data["sort"]), many=True).data)
