from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm, UserCreationForm
from django.contrib.auth.models import User

from accounts.throttle import LoginLocked, throttled_authenticate


class SignUpForm(UserCreationForm):
    class Meta:
        model = User
        fields = ("username", "email")


class ThrottledAuthenticationForm(AuthenticationForm):
    """The log-in form behind accounts.throttle: a lock-out is the form's error, saying how long."""

    locked = False

    def clean(self):
        username, password = self.cleaned_data.get("username"), self.cleaned_data.get("password")
        if username is not None and password:
            try:
                self.user_cache = throttled_authenticate(request=self.request, username=username, password=password)
            except LoginLocked as exc:
                self.locked = True
                raise exc from None
            if self.user_cache is None:
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


class ThrottledAdminAuthenticationForm(ThrottledAuthenticationForm, AdminAuthenticationForm):
    """/admin/login/ behind the same throttle (staff only, as the admin's own form)."""
