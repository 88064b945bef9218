from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),  # the throttled log-in (accounts.throttle), before Django's
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("ops.urls")),  # /healthz, /readyz, /metrics
    path("api/", include("api.urls")),
    path("reviews/", include("reviews.urls")),
    path("leaderboards/", include("leaderboards.urls")),
    path("contests/", include("contests.urls")),
    path("", include("assessments.urls")),  # /orgs/... (members) and /assess/<token>/ (candidates)
    path("", include("web.urls")),
]

# The site's own error pages (web/error_views.py); Django's debug pages show only while DEBUG is on.
handler400 = "web.error_views.bad_request"
handler403 = "web.error_views.permission_denied"
handler404 = "web.error_views.page_not_found"
handler500 = "web.error_views.server_error"
