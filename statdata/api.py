from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from statdata.selectors import figures_for

NATIONAL_AREA = "0000"


class FiguresQuery(serializers.Serializer):
    q = serializers.CharField(max_length=500)
    area = serializers.RegexField(r"^[0-9]{4}$", required=False, help_text="BPS area code when the question names none")


class Figures(APIView):
    """The figures a question asks for, exactly as published, with their sources: what AIDA's
    figure card and its evaluation use. With no area in the question or in `area`, the site's
    own area (the nation on the portal); with no period, the latest held. `status` is "found",
    "ambiguous" (`choices` to ask back with), "not_held" (`nearest` says what is held) or
    "none" (not a figure question)."""

    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[OpenApiParameter("q", str, required=True), OpenApiParameter("area", str)],
        responses={200: dict},
    )
    def get(self, request):
        query = FiguresQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        tenant = request.tenant
        home = query.validated_data.get("area") or (NATIONAL_AREA if tenant.is_public else tenant.code)
        return Response(figures_for(query.validated_data["q"], home).as_dict())
