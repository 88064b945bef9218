from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerView

from api import views
from api.errors import not_found
from api.views.base import TokenApi
from api.views.redoc import redoc_bundle
from api.views.schema import api_root

urlpatterns = [
    path("", api_root, name="api-root"),
    path("schema/", views.SchemaView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    # ReDoc with nothing from outside the app: no font CDN (api/redoc.html), no Redocly logo (views/redoc.py)
    path("docs/redoc/", SpectacularRedocView.as_view(url_name="api-schema", template_name="api/redoc.html"), name="api-redoc"),
    path("docs/redoc/redoc.standalone.js", redoc_bundle, name="api-redoc-bundle"),
    path("token/", TokenApi.as_view(), name="api-token"),
    path("challenges/", views.ChallengeListApi.as_view(), name="api-challenges"),
    path("challenges/<slug:slug>/", views.ChallengeDetailApi.as_view(), name="api-challenge"),
    path("challenges/<slug:slug>/history/", views.ChallengeHistoryApi.as_view(), name="api-challenge-history"),
    path("submissions/", views.SubmissionListApi.as_view(), name="api-submissions"),
    path("submissions/<uuid:submission_id>/", views.SubmissionDetailApi.as_view(), name="api-submission"),
    path("device-classes/", views.DeviceClassListApi.as_view(), name="api-device-classes"),
    path("leaderboards/", views.GlobalBoardApi.as_view(), name="api-global-board"),
    path("leaderboards/<slug:slug>/", views.ChallengeBoardApi.as_view(), name="api-board"),
    path("contests/", views.ContestListApi.as_view(), name="api-contests"),
    path("contests/<slug:slug>/", views.ContestDetailApi.as_view(), name="api-contest"),
    path("contests/<slug:slug>/register/", views.ContestRegisterApi.as_view(), name="api-contest-register"),
    path("contests/<slug:slug>/board/", views.ContestBoardApi.as_view(), name="api-contest-board"),
    path("webhook/", views.WebhookApi.as_view(), name="api-webhook"),
    path("webhook/deliveries/", views.WebhookDeliveriesApi.as_view(), name="api-webhook-deliveries"),
    path("", include("assessments.api")),  # assessments, invitations, sessions, reports (docs/assessments.md)
    re_path(r"^.*$", not_found),  # unknown /api/ paths answer JSON, not the site's HTML 404
]
