"""API pieces every host shares: the current user and the error format."""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView
from rest_framework import serializers
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.generics import RetrieveAPIView
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import Conflict
from core.models import User


class ConflictResponse(APIException):
    status_code = 409
    default_code = "conflict"


def exception_handler(exc, context):
    """Services raise Django's ValidationError (400) and core.errors.Conflict (409): never a 500."""
    if isinstance(exc, DjangoValidationError):
        # Always an object (as the schema documents), never a bare list.
        exc = ValidationError(exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages})
    elif isinstance(exc, Conflict):
        exc = ConflictResponse(str(exc))
    return drf_exception_handler(exc, context)


class UserSerializer(serializers.ModelSerializer):
    satker = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "email", "full_name", "whatsapp", "role", "language", "satker"]
        read_only_fields = fields

    def get_satker(self, user) -> str:
        return self.context["request"].tenant.code


class MeView(RetrieveAPIView):
    """The signed-in user of this host."""

    serializer_class = UserSerializer

    def get_object(self):
        return self.request.user


class SchemaView(SpectacularAPIView):
    """The OpenAPI schema of the host it is asked on: a satker's API, or the portal's."""

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        self.urlconf = getattr(request, "urlconf", None)
        return super().get(request, *args, **kwargs)
