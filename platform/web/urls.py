from django.urls import include, path

from web import progress_views, views

urlpatterns = [
    path("", views.catalog, name="catalog"),
    path("challenges/<slug:slug>/", views.challenge_detail, name="challenge"),
    path("challenges/<slug:slug>/hints/", views.challenge_hints, name="challenge_hints"),
    path("challenges/<slug:slug>/hints/reveal/", views.challenge_hint_reveal, name="challenge_hint_reveal"),
    path("challenges/<slug:slug>/history/", views.challenge_history, name="challenge_history"),
    path("challenges/<slug:slug>/history/diff/", views.challenge_diff, name="challenge_diff"),
    path("challenges/<slug:slug>/starter/<str:name>", views.challenge_starter_file, name="challenge_starter_file"),
    path("challenges/<slug:slug>/editorial/", views.challenge_editorial, name="challenge_editorial"),
    path("submissions/", views.my_submissions, name="submissions"),
    path("submissions/<uuid:submission_id>/", views.submission_detail, name="submission"),
    path("submissions/<uuid:submission_id>/progress.json", progress_views.submission_progress, name="submission_progress"),
    path("submissions/<uuid:submission_id>/trace.json", progress_views.submission_trace, name="submission_trace"),
    path("accounts/signup/", views.signup, name="signup"),
    path("profile/", views.profile, name="profile"),
    path("drafts/", include("drafts.urls")),  # the editor's draft, upload and download endpoints
]
