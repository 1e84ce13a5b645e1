"""The command centre's numbers, for the province and national console."""

from datetime import timedelta

from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response

from insights import reports
from tenants.api import IsConsoleUser
from tenants.selectors import satkers_visible_to


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
    conversations_waiting = serializers.IntegerField()
    quota_percent = serializers.IntegerField()
    requests = serializers.IntegerField()
    completed = serializers.IntegerField()
    no_shows = serializers.IntegerField()
    ratings = serializers.IntegerField()
    aida_questions = serializers.IntegerField()
    aida_handoffs = serializers.IntegerField()
    conversations = serializers.IntegerField()
    conversations_whatsapp = serializers.IntegerField()
    first_reply_mean_minutes = serializers.IntegerField(allow_null=True)
    replied_within_standard_percent = serializers.FloatField(allow_null=True)
    resolution_mean_minutes = serializers.IntegerField(allow_null=True)
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
        ranked, without_data = reports.rank(rows, query.validated_data["sort"])
        return Response(CommandCentreRowSerializer(ranked + without_data, many=True).data)
