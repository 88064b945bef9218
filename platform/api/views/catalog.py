from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response

from api.selectors import solved_ids_for
from api.serializers import ChallengeDetailOutput, ChallengeOutput, HistoryEntryOutput
from api.views.base import ApiView, challenge_or_404, error, query
from catalog.selectors import challenge_list
from submissions.selectors import challenge_history


class ChallengeListQuery(serializers.Serializer):
    kind = serializers.CharField(required=False, max_length=20)
    tag = serializers.CharField(required=False, max_length=60, help_text="a topic")
    difficulty = serializers.CharField(required=False, max_length=10)
    device = serializers.ChoiceField(choices=["cpu", "cuda"], required=False)


class ChallengeListApi(ApiView):
    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[
            OpenApiParameter("kind", str, description="kernel, pipeline, server, benchmark, quiz, written"),
            OpenApiParameter("tag", str, description="a topic"),
            OpenApiParameter("difficulty", str, description="easy, medium, hard"),
            OpenApiParameter("device", str, enum=["cpu", "cuda"], description="runs on this device kind"),
        ],
        responses={200: ChallengeOutput(many=True), 400: error("a bad filter")},
    )
    def get(self, request):
        filters = query(ChallengeListQuery, request)
        challenges = challenge_list(**{key: filters.get(key) for key in ("kind", "tag", "difficulty", "device")})
        return Response(ChallengeOutput(challenges, many=True, context={"solved_ids": solved_ids_for(user=request.user)}).data)


class ChallengeDetailApi(ApiView):
    permission_classes = [AllowAny]

    @extend_schema(responses={200: ChallengeDetailOutput, 404: error("no such challenge")})
    def get(self, request, slug: str):
        challenge = challenge_or_404(slug)
        return Response(ChallengeDetailOutput(challenge, context={"solved_ids": solved_ids_for(user=request.user)}).data)


class ChallengeHistoryApi(ApiView):
    """Your every attempt at a challenge, newest first."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: HistoryEntryOutput(many=True), 404: error("no such challenge")})
    def get(self, request, slug: str):
        attempts = challenge_history(user=request.user, challenge=challenge_or_404(slug))
        return Response(HistoryEntryOutput(attempts[:500], many=True).data)
