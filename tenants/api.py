"""Satker registry API on the portal: list what you manage, onboard a satker."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from tenants import access, services
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
        fields = [
            "code",
            "kind",
            "name",
            "subdomain",
            "timezone",
            "status",
            "display_name",
            "primary_color",
            "parent_code",
            "domain",
            "created_at",
        ]
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
            satker = services.onboard_satker(spec, actor=request.user, admin_email=admin_email, admin_name=admin_name)
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
