"""Production settings: `DJANGO_SETTINGS_MODULE=hotpath.settings_production` (compose.yaml sets it).

Everything in hotpath.settings, plus what `manage.py check --deploy` asks for: DEBUG off whatever
the environment says, a real SECRET_KEY and ALLOWED_HOSTS (startup fails, saying so, without
them), HTTPS only (redirect, HSTS, secure cookies) behind a TLS proxy that sets
X-Forwarded-Proto, a shared cache for the log-in throttle, static files served by WhiteNoise and
JSON logs. tests/platform/hotpath/test_settings.py runs `check --deploy --fail-level WARNING` on it.
See docs/deployment.md and docs/security.md."""
from django.core.exceptions import ImproperlyConfigured

from hotpath.settings import *  # noqa: F401,F403 - the base settings, overridden below
from hotpath.settings import DEV_SECRET_KEY, LOGGING, MIDDLEWARE, env

DEBUG = False  # never on in production: an error page would show settings and paths

SECRET_KEY = env("SECRET_KEY", default="")
if not SECRET_KEY or SECRET_KEY == DEV_SECRET_KEY or len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a long random value (50+ characters) in production; hotpath.settings_production "
        "does not start without one. Make one with: python -c 'import secrets; print(secrets.token_urlsafe(64))'")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must name the site's host names in production (comma-separated), "
                               "e.g. ALLOWED_HOSTS=hotpath.example.com,localhost")

# HTTPS: a TLS-terminating proxy in front sets X-Forwarded-Proto; the probes answer plain HTTP.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Several gunicorn processes and machines: the log-in throttle's counts must be shared.
CACHES = {"default": env.cache("CACHE_URL", default="dbcache://hotpath_cache")}  # dbcache: `manage.py createcachetable`

# A public site never calls webhooks on private addresses (docs/api.md).
HOTPATH_WEBHOOK_ALLOW_PRIVATE = env.bool("HOTPATH_WEBHOOK_ALLOW_PRIVATE", default=False)

# Static files from the app itself under gunicorn (collected by `manage.py collectstatic`).
MIDDLEWARE = [*MIDDLEWARE]
MIDDLEWARE.insert(MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1, "whitenoise.middleware.WhiteNoiseMiddleware")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# One JSON object per log line unless LOG_FORMAT=text; Celery workers log through the same
# handler instead of replacing the root logger's with their own format.
LOGGING["handlers"]["console"]["formatter"] = "text" if env("LOG_FORMAT", default="json") == "text" else "json"
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
