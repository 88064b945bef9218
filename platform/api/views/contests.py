from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response

from api.serializers_boards import ContestBoardOutput, ContestDetailOutput, ContestOutput, RegistrationOutput
from api.views.base import ApiView, error
from contests.models import Contest, Participant
from contests.selectors import contest_board, contest_get, contest_list, is_participant, submissions_left
from contests.services import contest_register


def contest_or_404(slug: str) -> Contest:
    try:
        return contest_get(slug=slug)
    except Contest.DoesNotExist:
        raise NotFound(f"no such contest: {slug}") from None


def _registered_ids(user) -> set[int] | None:
    if not user.is_authenticated:
        return None
    return set(Participant.objects.filter(user=user).values_list("contest_id", flat=True))


class ContestListApi(ApiView):
    permission_classes = [AllowAny]

    @extend_schema(responses=ContestOutput(many=True))
    def get(self, request):
        return Response(ContestOutput(contest_list(), many=True, context={"registered_ids": _registered_ids(request.user)}).data)


class ContestDetailApi(ApiView):
    permission_classes = [AllowAny]

    @extend_schema(responses={200: ContestDetailOutput, 404: error("no such contest")})
    def get(self, request, slug: str):
        contest = contest_or_404(slug)
        registered = is_participant(contest=contest, user=request.user)
        context = {
            "registered_ids": _registered_ids(request.user),
            "submissions_left": submissions_left(contest=contest, user=request.user) if registered else None,
        }
        return Response(ContestDetailOutput(contest, context=context).data)


class ContestRegisterApi(ApiView):
    """Register for a contest (idempotent): open ones until they end; invitation-only ones with an invitation."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={201: RegistrationOutput, 400: error("closed, or by invitation only"), 404: error("no such contest")})
    def post(self, request, slug: str):
        try:
            participant = contest_register(contest=contest_or_404(slug), user=request.user)
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from None
        return Response(RegistrationOutput(participant).data, status=status.HTTP_201_CREATED)


class ContestBoardApi(ApiView):
    """The scoreboard you may see: frozen for participants from the freeze until the reveal, live for organisers."""

    permission_classes = [AllowAny]

    @extend_schema(responses={200: ContestBoardOutput, 404: error("no such contest")})
    def get(self, request, slug: str):
        return Response(ContestBoardOutput(contest_board(contest=contest_or_404(slug), viewer=request.user)).data)
