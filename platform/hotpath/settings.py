"""Settings from the environment (django-environ), with safe defaults for a laptop:
SQLite and a Celery broker that needs no server (kombu's filesystem transport).
`DATABASE_URL` and `CELERY_BROKER_URL` switch to PostgreSQL and Redis.
"""
import sys
from pathlib import Path

import environ

PLATFORM_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = PLATFORM_DIR.parent
if str(BASE_DIR) not in sys.path:  # graders/, sandbox/, kernels/ live at the repo root
    sys.path.append(str(BASE_DIR))
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env") if (BASE_DIR / ".env").is_file() else None

# Off unless set: `make run` sets DEBUG=1 for development (docs/security.md). A site with DEBUG on
# shows settings and paths on every error page.
DEBUG = env.bool("DEBUG", default=False)
# The laptop key; hotpath.settings_production refuses to start with it (or without SECRET_KEY).
DEV_SECRET_KEY = "dev-only-insecure-key-change-me-in-production-0123456789"
SECRET_KEY = env("SECRET_KEY", default=DEV_SECRET_KEY)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
CSRF_FAILURE_VIEW = "web.error_views.csrf_failure"  # the site's page, not Django's debug-style one

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # /api/docs/ assets, served locally
    "accounts",
    "catalog",
    "submissions",
    "reviews",
    "workers",
    "leaderboards",
    "contests",
    "webhooks",
    "assessments",
    "drafts",  # editor drafts per user and challenge (and assessment session)
    "ops",  # /healthz, /readyz, /metrics, request limits, JSON logs, GPU health (docs/deployment.md)
    "api",
    "web",
]

MIDDLEWARE = [
    "ops.middleware.RequestIdMiddleware",  # a request id for the JSON logs (and the X-Request-ID header)
    "ops.middleware.RequestLimitsMiddleware",  # a body over HOTPATH_MAX_REQUEST_BYTES is a 413 before it is read
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "hotpath.urls"
WSGI_APPLICATION = "hotpath.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "catalog"
LOGOUT_REDIRECT_URL = "catalog"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"

# --- Caches: the log-in throttle (accounts.throttle) and DRF --------------------------------
# locmem (one process: runserver, the tests) unless CACHE_URL names a shared one, e.g.
# redis://redis:6379/1 or dbcache://hotpath_cache (after `manage.py createcachetable`). A site
# served by several processes needs a shared cache, or each process counts log-ins on its own.
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://hotpath")}

# --- Request bodies and uploads (ops.middleware, ops.uploads; docs/security.md) --------------
# A body larger than HOTPATH_MAX_REQUEST_BYTES is refused (413) before a byte of it is read; an
# uploaded file is read in chunks and refused as soon as it passes HOTPATH_MAX_UPLOAD_FILE_BYTES.
# Files within the cap stay in memory and there is no temporary-file handler: no upload is ever
# written to FILE_UPLOAD_TEMP_DIR.
from graders.submission_files import LIMITS as _SUBMISSION_LIMITS  # noqa: E402

HOTPATH_MAX_REQUEST_BYTES = env.int("HOTPATH_MAX_REQUEST_BYTES", default=4 * _SUBMISSION_LIMITS.max_total_bytes + (64 << 10))
# one uploaded file: a zip of a whole submission, stored uncompressed, fits (drafts.uploads checks the exact limits)
HOTPATH_MAX_UPLOAD_FILE_BYTES = env.int("HOTPATH_MAX_UPLOAD_FILE_BYTES", default=_SUBMISSION_LIMITS.max_total_bytes + (64 << 10))
DATA_UPLOAD_MAX_MEMORY_SIZE = HOTPATH_MAX_REQUEST_BYTES
FILE_UPLOAD_MAX_MEMORY_SIZE = HOTPATH_MAX_REQUEST_BYTES
FILE_UPLOAD_TEMP_DIR = env("FILE_UPLOAD_TEMP_DIR", default=None)
FILE_UPLOAD_HANDLERS = [
    "ops.uploads.CappedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
]

# --- Celery: the grading queue ----------------------------------------------------------
_BROKER_DIR = Path(env("HOTPATH_BROKER_DIR", default=str(VAR_DIR / "broker")))
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_BROKER_DIR / "queue"),
        "data_folder_out": str(_BROKER_DIR / "queue"),
        "processed_folder": str(_BROKER_DIR / "processed"),
        "control_folder": str(_BROKER_DIR / "control"),  # else kombu writes ./control
        "store_processed": False,
    }
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=None)
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "grade.cpu"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Reliability (docs/operations.md). A grading is acknowledged only once it ends, and a worker
# killed mid-grade puts its job back. Each grading task gets soft and hard time limits derived
# from its challenge's wall-time limit (submissions.services.grading_time_limits); the broker's
# visibility timeout must outlast the longest of them (tests/platform/submissions/test_reliability.py
# checks it against every challenge in the catalog): peak-memory on cuda, 3 x (600 + 30) + 60 s.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
HOTPATH_GRADING_TIME_LIMIT_S = env.float("HOTPATH_GRADING_TIME_LIMIT_S", default=0.0)  # > 0: caps the derived soft limit
HOTPATH_GRADING_MAX_ATTEMPTS = env.int("HOTPATH_GRADING_MAX_ATTEMPTS", default=5)  # claims of one submission, then `failed`
HOTPATH_GRADING_RETRIES = env.int("HOTPATH_GRADING_RETRIES", default=4)  # task retries after a platform fault
HOTPATH_GRADING_RETRY_DELAY_S = env.float("HOTPATH_GRADING_RETRY_DELAY_S", default=5.0)  # doubled per retry
HOTPATH_BROKER_VISIBILITY_TIMEOUT_S = env.int("HOTPATH_BROKER_VISIBILITY_TIMEOUT_S", default=7200)
if CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": HOTPATH_BROKER_VISIBILITY_TIMEOUT_S}
# The reaper (submissions.tasks.reap_stuck, run by `celery beat`; `manage.py reap_stuck` by hand or cron)
# puts back gradings whose lease ran out or whose worker stopped announcing itself.
HOTPATH_REAPER_INTERVAL_S = env.float("HOTPATH_REAPER_INTERVAL_S", default=60.0)
HOTPATH_REAPER_QUEUE = env("HOTPATH_REAPER_QUEUE", default="grade.cpu")
CELERY_BEAT_SCHEDULE = {
    "reap-stuck-gradings": {"task": "submissions.tasks.reap_stuck", "schedule": HOTPATH_REAPER_INTERVAL_S,
                            "options": {"queue": HOTPATH_REAPER_QUEUE, "expires": HOTPATH_REAPER_INTERVAL_S}},
}

# --- Hotpath ------------------------------------------------------------------------------
# Extra catalog roots, `:`-separated; parsed by graders.catalog alone (one rule, one parser).
from graders.catalog import configured_dirs  # noqa: E402  (graders/ is on sys.path from the top of this file)

HOTPATH_CHALLENGE_DIRS = configured_dirs()
HOTPATH_SANDBOX_BACKEND = env("HOTPATH_SANDBOX_BACKEND", default="process")
HOTPATH_DEVICE = env("HOTPATH_DEVICE", default="cpu")            # the kind this worker grades on
HOTPATH_DEVICE_CLASS = env("HOTPATH_DEVICE_CLASS", default="cpu")  # cpu, h100, h200...
HOTPATH_GPU_INDEX = env.int("HOTPATH_GPU_INDEX", default=0)     # the GPU this worker grades on
HOTPATH_GPU_MODEL = env("HOTPATH_GPU_MODEL", default="")         # as announced; empty: asked of nvidia-smi on cuda
# Workers announce themselves (workers.heartbeat) every HOTPATH_WORKER_HEARTBEAT_S; a device class
# is offered (and accepts submissions) while one of its workers was seen within the liveness window.
HOTPATH_WORKER_HEARTBEAT_S = env.float("HOTPATH_WORKER_HEARTBEAT_S", default=15.0)
HOTPATH_WORKER_LIVENESS_S = env.float("HOTPATH_WORKER_LIVENESS_S", default=60.0)
# Webhooks (docs/api.md): signed callbacks when a submission is graded, retried with backoff.
HOTPATH_WEBHOOK_TIMEOUT_S = env.float("HOTPATH_WEBHOOK_TIMEOUT_S", default=10.0)
HOTPATH_WEBHOOK_RETRIES = env.int("HOTPATH_WEBHOOK_RETRIES", default=6)
HOTPATH_WEBHOOK_BACKOFF_S = env.float("HOTPATH_WEBHOOK_BACKOFF_S", default=10.0)
HOTPATH_WEBHOOK_BACKOFF_MAX_S = env.float("HOTPATH_WEBHOOK_BACKOFF_MAX_S", default=600.0)
HOTPATH_WEBHOOK_QUEUE = env("HOTPATH_WEBHOOK_QUEUE", default="")  # empty: the queue the submission was graded from
HOTPATH_WEBHOOK_ALLOW_PRIVATE = env.bool("HOTPATH_WEBHOOK_ALLOW_PRIVATE", default=True)  # False on a public site
# E-mail (assessment invitations, member invitations): printed to the console unless configured.
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Hotpath <noreply@hotpath.local>")
# Submission limits (files, sizes, names) are graders.submission_files.LIMITS, shared with the pipeline.
# How often one user may submit, on every path (web, API, CLI, assessments, contests):
# submissions.rate_limits, counted from the database ("N/second|minute|hour|day").
HOTPATH_SUBMISSION_RATE = env("HOTPATH_SUBMISSION_RATE", default="30/minute")
# Log-in throttle (accounts.throttle), web and /api/token/: after this many failures within
# HOTPATH_LOGIN_LOCKOUT_S the username (from any address) or the address (for any username) is
# locked out for HOTPATH_LOGIN_LOCKOUT_S.
HOTPATH_LOGIN_MAX_FAILURES = env.int("HOTPATH_LOGIN_MAX_FAILURES", default=5)
HOTPATH_LOGIN_MAX_FAILURES_PER_IP = env.int("HOTPATH_LOGIN_MAX_FAILURES_PER_IP", default=20)
HOTPATH_LOGIN_LOCKOUT_S = env.int("HOTPATH_LOGIN_LOCKOUT_S", default=900)
# Proxies in front of the site that append to X-Forwarded-For (0: the peer address is the client's).
HOTPATH_TRUSTED_PROXIES = env.int("HOTPATH_TRUSTED_PROXIES", default=0)
# /metrics (ops.metrics): allowed with `Authorization: Bearer <HOTPATH_METRICS_TOKEN>` or from an
# address in HOTPATH_METRICS_ALLOWED_IPS (addresses or networks); neither set: loopback only.
HOTPATH_METRICS_TOKEN = env("HOTPATH_METRICS_TOKEN", default="")
HOTPATH_METRICS_ALLOWED_IPS = env.list("HOTPATH_METRICS_ALLOWED_IPS", default=["127.0.0.1/32", "::1/128"])
# /readyz: how long to wait for the broker before calling it unreachable.
HOTPATH_READY_BROKER_TIMEOUT_S = env.float("HOTPATH_READY_BROKER_TIMEOUT_S", default=2.0)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.errors.exception_handler",  # every API error is JSON with a `detail`
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Hotpath API",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "DESCRIPTION": "Challenges, submissions, device classes, leaderboards, contests and webhooks. See docs/api.md.",
    # /api/docs/ uses the assets drf-spectacular-sidecar installs: served by the app, no CDN
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# LOG_FORMAT=json: one JSON object per line (ops.logging.JsonFormatter) with the request id and
# submission id where known; the default is plain text for a terminal.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "ops.logging.ContextFilter"}},
    "formatters": {"json": {"()": "ops.logging.JsonFormatter"}, "text": {"format": "%(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["context"],
                             "formatter": "json" if env("LOG_FORMAT", default="text") == "json" else "text"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}
