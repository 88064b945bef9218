"""REST endpoints: thin, one selector or service each (one module per area)."""
from api.views.base import ApiView
from api.views.catalog import ChallengeDetailApi, ChallengeHistoryApi, ChallengeListApi
from api.views.schema import SchemaView
from api.views.submissions import SubmissionDetailApi, SubmissionListApi
from api.views.webhooks import WebhookApi, WebhookDeliveriesApi
from api.views.workers import DeviceClassListApi

__all__ = [
    "ApiView", "ChallengeDetailApi", "ChallengeHistoryApi", "ChallengeListApi", "DeviceClassListApi", "SchemaView",
    "SubmissionDetailApi", "SubmissionListApi", "WebhookApi", "WebhookDeliveriesApi",
]
