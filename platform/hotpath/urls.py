from importlib.util import find_spec

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("api/", include("api.urls")),
    path("", include("web.urls")),
]

if find_spec("reviews") and find_spec("reviews.urls"):  # the written-answers review pages
    urlpatterns.insert(3, path("reviews/", include("reviews.urls")))
