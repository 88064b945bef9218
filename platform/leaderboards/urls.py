from django.urls import path

from leaderboards import views

urlpatterns = [
    path("", views.global_board_page, name="leaderboard_global"),
    path("entries/<uuid:submission_id>/", views.entry_page, name="leaderboard_entry"),
    path("<slug:slug>/", views.challenge_board_page, name="leaderboard"),
]
