from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from rest_framework.exceptions import NotFound

from api.serializers_boards import BoardQuery, ChallengeBoardOutput, GlobalBoardOutput, board_row_data, global_row_data
from api.views.base import ApiView, error, query
from catalog.models import Challenge
from leaderboards.selectors import board_challenge, board_device_classes, board_size, challenge_board, global_board, user_entry

BOARD_PARAMETERS = [
    OpenApiParameter("device_class", str, description="cpu (default) or a GPU model: h100..."),
    OpenApiParameter("limit", int, description="1 to 500 (50)"),
    OpenApiParameter("offset", int, description="rows to skip (0)"),
]


class GlobalBoardApi(ApiView):
    """Per device class: the sum of each user's best scores."""

    permission_classes = [AllowAny]

    @extend_schema(operation_id="global_board", parameters=BOARD_PARAMETERS, responses={200: GlobalBoardOutput, 400: error("a bad parameter")})
    def get(self, request):
        params = query(BoardQuery, request)
        device_class = params["device_class"]
        board = {
            "device_class": device_class,
            "device_classes": board_device_classes(),
            "size": board_size(device_class=device_class),
            "rows": [global_row_data(r) for r in global_board(device_class=device_class, limit=params["limit"], offset=params["offset"])],
        }
        return Response(board)  # the GlobalBoardOutput shape, built without DRF's per-field cost (p95 target, docs/leaderboards.md)


class ChallengeBoardApi(ApiView):
    """One challenge's board on one device class: score, then geometric-mean speedup, then the earliest."""

    permission_classes = [AllowAny]

    @extend_schema(operation_id="challenge_board", parameters=BOARD_PARAMETERS, responses={200: ChallengeBoardOutput, 400: error("a bad parameter"), 404: error("no such challenge")})
    def get(self, request, slug: str):
        params = query(BoardQuery, request)
        try:
            challenge = board_challenge(slug=slug)  # not the version's package archive
        except Challenge.DoesNotExist:
            raise NotFound(f"no such challenge: {slug}") from None
        device_class = params["device_class"]
        me = user_entry(user=request.user, challenge=challenge, device_class=device_class)
        board = {
            "challenge": challenge.slug,
            "device_class": device_class,
            "device_classes": board_device_classes(challenge=challenge),
            "size": board_size(challenge=challenge, device_class=device_class),
            "rows": [board_row_data(r) for r in challenge_board(challenge=challenge, device_class=device_class, limit=params["limit"], offset=params["offset"])],
            "me": board_row_data(me) if me is not None else None,
        }
        return Response(board)  # the ChallengeBoardOutput shape, built without DRF's per-field cost
