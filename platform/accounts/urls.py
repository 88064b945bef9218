from django.urls import path

from accounts.views import ThrottledLoginView

# Before django.contrib.auth.urls (hotpath.urls), so its name `login` resolves here.
urlpatterns = [
    path("login/", ThrottledLoginView.as_view(), name="login"),
]
