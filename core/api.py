"""API pieces every host shares: the current user and the error format."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.generics import RetrieveAPIView
from rest_framework.views import exception_handler as drf_exception_handler

from core.models import User


def exception_handler(exc, context):
    """Services raise Django's ValidationError: answer it as a 400, never a 500."""
    if isinstance(exc, DjangoValidationError):
        exc = ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
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
