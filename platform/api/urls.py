from django.urls import path
from rest_framework.authtoken.views import obtain_auth_token

from api import views

urlpatterns = [
    path("schema/", views.SchemaView.as_view(), name="api-schema"),
    path("token/", obtain_auth_token, name="api-token"),
    path("challenges/", views.ChallengeListApi.as_view(), name="api-challenges"),
    path("challenges/<slug:slug>/", views.ChallengeDetailApi.as_view(), name="api-challenge"),
    path("submissions/", views.SubmissionListApi.as_view(), name="api-submissions"),
    path("submissions/<uuid:submission_id>/", views.SubmissionDetailApi.as_view(), name="api-submission"),
]
