"""The public directory search."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from portal import directory


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
