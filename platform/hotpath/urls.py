from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("api/", include("api.urls")),
    path("reviews/", include("reviews.urls")),
    path("leaderboards/", include("leaderboards.urls")),
    path("contests/", include("contests.urls")),
    path("", include("assessments.urls")),  # /orgs/... (members) and /assess/<token>/ (candidates)
    path("", include("web.urls")),
]
