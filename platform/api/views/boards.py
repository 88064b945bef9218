from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from api.serializers_boards import BoardQuery, ChallengeBoardOutput, GlobalBoardOutput
from api.views.base import ApiView, challenge_or_404, error, query
from leaderboards.selectors import board_device_classes, board_size, challenge_board, global_board, user_entry

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
            "rows": global_board(device_class=device_class, limit=params["limit"], offset=params["offset"]),
        }
        return Response(GlobalBoardOutput(board).data)


class ChallengeBoardApi(ApiView):
    """One challenge's board on one device class: score, then geometric-mean speedup, then the earliest."""

    permission_classes = [AllowAny]

    @extend_schema(operation_id="challenge_board", parameters=BOARD_PARAMETERS, responses={200: ChallengeBoardOutput, 400: error("a bad parameter"), 404: error("no such challenge")})
    def get(self, request, slug: str):
        params = query(BoardQuery, request)
        challenge, device_class = challenge_or_404(slug), params["device_class"]
        board = {
            "challenge": challenge.slug,
            "device_class": device_class,
            "device_classes": board_device_classes(challenge=challenge),
            "size": board_size(challenge=challenge, device_class=device_class),
            "rows": challenge_board(challenge=challenge, device_class=device_class, limit=params["limit"], offset=params["offset"]),
            "me": user_entry(user=request.user, challenge=challenge, device_class=device_class),
        }
        return Response(ChallengeBoardOutput(board).data)
