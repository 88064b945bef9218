"""The log-in page, throttled (accounts.throttle)."""
from django.contrib.auth.views import LoginView

from accounts.forms import ThrottledAuthenticationForm


class ThrottledLoginView(LoginView):
    authentication_form = ThrottledAuthenticationForm

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.locked:
            response.status_code = 429
        return response
