"""REST endpoints: thin, one selector or service each."""
from django.core.exceptions import ValidationError
from drf_spectacular.renderers import OpenApiJsonRenderer, OpenApiYamlRenderer
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from api.serializers import ChallengeDetailOutput, ChallengeOutput, SubmissionInput, SubmissionOutput
from catalog.models import Challenge
from catalog.selectors import challenge_get, challenge_list
from submissions.models import Submission
from submissions.selectors import submission_get, submission_list
from submissions.services import submission_create


class SchemaView(SpectacularAPIView):
    """OpenAPI 3: JSON unless YAML is asked for (Accept header or ?format=yaml)."""

    renderer_classes = [OpenApiJsonRenderer, OpenApiYamlRenderer]


class ChallengeListApi(APIView):
    permission_classes = []

    @extend_schema(responses=ChallengeOutput(many=True))
    def get(self, request):
        return Response(ChallengeOutput(challenge_list(kind=request.query_params.get("kind")), many=True).data)


class ChallengeDetailApi(APIView):
    permission_classes = []

    @extend_schema(responses=ChallengeDetailOutput)
    def get(self, request, slug: str):
        try:
            return Response(ChallengeDetailOutput(challenge_get(slug=slug)).data)
        except Challenge.DoesNotExist:
            raise NotFound("no such challenge") from None


class SubmissionListApi(APIView):
    permission_classes = [IsAuthenticated]
    throttle_scope = "submissions"

    def get_throttles(self):
        return [ScopedRateThrottle()] if self.request.method == "POST" else []

    @extend_schema(responses=SubmissionOutput(many=True))
    def get(self, request):
        return Response(SubmissionOutput(submission_list(user=request.user)[:100], many=True).data)

    @extend_schema(request=SubmissionInput, responses={201: SubmissionOutput})
    def post(self, request):
        data = SubmissionInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            challenge = challenge_get(slug=data.validated_data["challenge"])
        except Challenge.DoesNotExist:
            raise NotFound("no such challenge") from None
        try:
            submission = submission_create(user=request.user, challenge=challenge, files=data.validated_data["files"], device=data.validated_data.get("device"))
        except ValidationError as exc:
            return Response({"detail": " ".join(exc.messages)}, status=status.HTTP_400_BAD_REQUEST)
        return Response(SubmissionOutput(submission).data, status=status.HTTP_201_CREATED)


class SubmissionDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=SubmissionOutput)
    def get(self, request, submission_id):
        try:
            return Response(SubmissionOutput(submission_get(user=request.user, submission_id=submission_id)).data)
        except Submission.DoesNotExist:
            raise NotFound("no such submission") from None
