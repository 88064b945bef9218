from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import NotFound
from rest_framework.parsers import FormParser
from rest_framework.views import APIView

from api.errors import LimitedJSONParser
from api.serializers import ErrorOutput
from catalog.models import Challenge
from catalog.selectors import challenge_get


class ApiView(APIView):
    """JSON in (size-capped), JSON out, errors through api.errors."""

    parser_classes = [LimitedJSONParser]


class TokenApi(ObtainAuthToken):
    """POST username and password (form or JSON): {"token": "..."}; the same limits as every endpoint."""

    parser_classes = [FormParser, LimitedJSONParser]


def error(description: str) -> OpenApiResponse:
    return OpenApiResponse(ErrorOutput, description=description)


def challenge_or_404(slug: str) -> Challenge:
    try:
        return challenge_get(slug=slug)
    except Challenge.DoesNotExist:
        raise NotFound(f"no such challenge: {slug}") from None


def query(serializer_class: type[serializers.Serializer], request) -> dict:
    """Validated query parameters (a 400 naming the parameter otherwise)."""
    data = serializer_class(data=request.query_params)
    data.is_valid(raise_exception=True)
    return data.validated_data
