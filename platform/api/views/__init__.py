"""REST endpoints: thin, one selector or service each (one module per area)."""
from api.views.base import ApiView
from api.views.boards import ChallengeBoardApi, GlobalBoardApi
from api.views.catalog import ChallengeDetailApi, ChallengeHistoryApi, ChallengeListApi
from api.views.contests import ContestBoardApi, ContestDetailApi, ContestListApi, ContestRegisterApi
from api.views.schema import SchemaView
from api.views.submissions import SubmissionDetailApi, SubmissionListApi
from api.views.webhooks import WebhookApi, WebhookDeliveriesApi
from api.views.workers import DeviceClassListApi

__all__ = [
    "ApiView", "ChallengeBoardApi", "ContestBoardApi", "ContestDetailApi", "ContestListApi", "ContestRegisterApi", "GlobalBoardApi",
    "ChallengeDetailApi", "ChallengeHistoryApi", "ChallengeListApi", "DeviceClassListApi", "SchemaView",
    "SubmissionDetailApi", "SubmissionListApi", "WebhookApi", "WebhookDeliveriesApi",
]
