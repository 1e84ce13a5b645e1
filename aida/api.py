from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from aida import retrieval


class HitSerializer(serializers.Serializer):
    slug = serializers.CharField(source="entry.slug")
    title = serializers.CharField(source="entry.title")
    source_url = serializers.CharField(source="entry.source_url")
    score = serializers.FloatField()


class KnowledgeSearch(APIView):
    """Published knowledge entries of this satker ranked for a question, with their scores."""

    permission_classes = [AllowAny]

    @extend_schema(parameters=[OpenApiParameter("q", str, required=True), OpenApiParameter("limit", int)],
                   responses=HitSerializer(many=True))
    def get(self, request):
        query = serializers.CharField(max_length=500).run_validation(request.query_params.get("q", ""))
        limit = serializers.IntegerField(min_value=1, max_value=20).run_validation(request.query_params.get("limit", 5))
        return Response(HitSerializer(retrieval.search(query, limit=limit), many=True).data)
