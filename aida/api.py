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


class SearchQuery(serializers.Serializer):
    q = serializers.CharField(max_length=500)
    limit = serializers.IntegerField(min_value=1, max_value=20, default=5)


class KnowledgeSearch(APIView):
    """Published knowledge entries of this satker ranked for a question, with their scores."""

    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[OpenApiParameter("q", str, required=True), OpenApiParameter("limit", int)],
        responses=HitSerializer(many=True),
    )
    def get(self, request):
        query = SearchQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        hits = retrieval.search(query.validated_data["q"], limit=query.validated_data["limit"])
        return Response(HitSerializer(hits, many=True).data)
