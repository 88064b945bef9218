from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import APIException, NotFound, Throttled
from rest_framework.parsers import FormParser
from rest_framework.views import APIView

from accounts.throttle import LoginLocked, throttled_authenticate
from api.errors import LimitedJSONParser
from api.serializers import ErrorOutput
from catalog.models import Challenge
from catalog.selectors import challenge_get


class ApiView(APIView):
    """JSON in (size-capped), JSON out, errors through api.errors."""

    parser_classes = [LimitedJSONParser]


class Refused429(Throttled):
    """A 429 whose message already says how long (and Retry-After says it to machines)."""

    def __init__(self, *, wait: int, detail: str):
        APIException.__init__(self, detail, "throttled")
        self.wait = wait


class ThrottledAuthTokenSerializer(AuthTokenSerializer):
    """DRF's, behind accounts.throttle: a lock-out is a 429 saying how long (and Retry-After)."""

    def validate(self, attrs):
        username, password = attrs.get("username"), attrs.get("password")
        if not (username and password):
            return super().validate(attrs)
        try:
            user = throttled_authenticate(request=self.context.get("request"), username=username, password=password)
        except LoginLocked as exc:
            raise Refused429(wait=exc.lockout.retry_after_s, detail=exc.lockout.message) from None
        if user is None:
            raise serializers.ValidationError("Unable to log in with provided credentials.", code="authorization")
        attrs["user"] = user
        return attrs


@extend_schema(responses={200: AuthTokenSerializer, 400: OpenApiResponse(ErrorOutput, description="wrong username or password"),
                          429: OpenApiResponse(ErrorOutput, description="too many failed log-ins: locked out for a while (Retry-After)")})
class TokenApi(ObtainAuthToken):
    """POST username and password (form or JSON): {"token": "..."}; the same limits as every endpoint,
    and the log-in throttle (accounts.throttle)."""

    parser_classes = [FormParser, LimitedJSONParser]
    serializer_class = ThrottledAuthTokenSerializer


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
