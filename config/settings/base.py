"""Settings for every environment; behaviour is switched by environment variables.

``SPOTCHECK_ENV=production`` makes the secrets and hosts mandatory and turns on the
secure-cookie and HSTS settings; there is no production-only settings file.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, SELF
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_choice, env_int, env_list, env_secret, env_str
from config.redis_urls import with_timeouts

BASE_DIR = Path(__file__).resolve().parent.parent.parent

SPOTCHECK_ENV = env_choice("SPOTCHECK_ENV", "development", ("development", "production"))
PRODUCTION = SPOTCHECK_ENV == "production"

# --- Serving as in production, also on a laptop ------------------------------------------
# DEBUG is off unless asked for (`make dev`): a mistyped URL shows the Chinese 404 page,
# never Django's technical page listing every URL. Without SECRET_KEY a development run
# uses a random key generated once into var/secret_key. Static files are served by
# WhiteNoise from STATIC_ROOT (`collectstatic`, run by `make run`; ADR 0001). Errors are
# answered in Chinese (spotcheck/common/errors.py: handler400…500 in config/urls.py and
# CSRF_FAILURE_VIEW; JSON under /api/). Middleware (in MIDDLEWARE below):
# NulByteMiddleware refuses a NUL character anywhere in a request with a 400;
# PrivateNoStoreMiddleware sends Cache-Control: no-store on everything behind a login.
DEBUG = env_bool("DEBUG", default=False)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("生产模式下不允许 DEBUG=true")

SECRET_KEY = env_secret(
    "SECRET_KEY",
    required=PRODUCTION,
    generated=None if PRODUCTION else BASE_DIR / "var" / "secret_key",
)
CSRF_FAILURE_VIEW = "spotcheck.common.errors.csrf_failure"
# --- end of the block ----------------------------------------------------------------------
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost"])
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("缺少必需的环境变量 ALLOWED_HOSTS（missing required ALLOWED_HOSTS)")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "spotcheck.common.axes_app.AxesConfig",
    "csp",
    "spotcheck.common",
    "spotcheck.audit",
    "spotcheck.accounts",
    "spotcheck.directory",
    "spotcheck.publicity",
    "spotcheck.catalogue",
    "spotcheck.campaigns",
    "spotcheck.draws",
    "spotcheck.deadlines",
    "spotcheck.imports",
    "spotcheck.inspections",
    "spotcheck.followup",
    "spotcheck.stats",
    "spotcheck.api",
    "spotcheck.twofactor",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_tasks",
    "spotcheck.common.tasks_app.TasksDatabaseConfig",
    "spotcheck.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",  # static files (block at the top)
    "spotcheck.common.errors.NulByteMiddleware",  # (block at the top)
    "spotcheck.common.errors.PrivateNoStoreMiddleware",  # (block at the top)
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
    "spotcheck.twofactor.middleware.TwoFactorMiddleware",
    "spotcheck.common.ratelimit.PublicRateLimitMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "spotcheck.access.context_processors.access",
                "spotcheck.common.context_processors.platform",
                "spotcheck.deadlines.context_processors.deadlines",
                "spotcheck.workflow.context_processors.todos",
            ],
        },
    },
]

DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'spotcheck.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while a background import writes.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # SQLite makes the file but not its folder: a fresh clone has no var/ before `make run`
    if DATABASES["default"]["NAME"] and DATABASES["default"]["NAME"] != ":memory:":
        Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

PASSWORD_HASHERS = [
    "spotcheck.accounts.hashers.Argon2idHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "common:home"
# an inspector's work is in the field: they land on 现场检查 (``next`` still wins)
INSPECTOR_LOGIN_REDIRECT_URL = "inspections:field_home"
LOGOUT_REDIRECT_URL = "publicity:home"

# Lockout after repeated failed logins (django-axes).
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = env_int("LOGIN_COOLOFF_MINUTES", 30, minimum=1) / 60
AXES_LOCKOUT_PARAMETERS = ["username"]
# A whole bureau often sits behind one NAT address; locking by IP would lock every
# official in it out after one person's typos, so the lock is per account.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# ISO first among the input formats, so <input type="date"> keeps its value (config/formats)
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "var" / "staticfiles")))
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
MEDIA_URL = "media/"

# A login lasts SESSION_COOKIE_AGE from sign-in (not extended by activity) and ends when
# the browser closes; the cookies are HttpOnly (session), SameSite=Lax and, in production,
# Secure with the __Host- prefix (no Domain, Path=/: a sub-domain cannot plant them).
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600, minimum=300)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", PRODUCTION)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
CSRF_COOKIE_SAMESITE = "Lax"
if SESSION_COOKIE_SECURE:
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
# The largest request body outside file uploads (forms, API JSON); larger is a 400.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("MAX_REQUEST_BYTES", 2_621_440, minimum=65_536)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if PRODUCTION else 0, minimum=0)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
BEHIND_TLS_PROXY = env_bool("BEHIND_TLS_PROXY", False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_TLS_PROXY else None

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-ancestors": ["'none'"],
        "form-action": [SELF],
        "base-uri": [SELF],
    },
}

# The integration API (ADR 0011): token or session sign-in, JSON only, OpenAPI 3 schema.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "spotcheck.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": env_int("API_PAGE_SIZE", 100, minimum=10),
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "spotcheck.api.exceptions.api_exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "spotcheck 对接接口",
    "DESCRIPTION": "双随机、一公开监管平台的对接接口："
    "同步名录、读取任务与抽取、读取和提交检查结果、读取公示数据。"
    "权限与页面相同：令牌代表一个用户，按该用户的角色和部门范围返回数据。"
    "录入检查结果、上传照片和签字确认须使用检查组成员本人的令牌（谁检查、谁录入），"
    "按调用方生成的提交编号防重复；审核使用部门管理员的令牌。",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # no deep links: Swagger UI would nest a link inside each operation's button (ADR 0018)
    "SWAGGER_UI_SETTINGS": {"validatorUrl": None, "deepLinking": False},
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "InspectorStatusEnum": "spotcheck.directory.choices.InspectorStatus",
        "DrawAttemptStatusEnum": "spotcheck.draws.choices.AttemptStatus",
        "TaskStateEnum": "spotcheck.campaigns.choices.TaskState",
        "DrawnObjectStateEnum": "spotcheck.draws.choices.ObjectState",
        "JointRecordStateEnum": "spotcheck.inspections.choices.RecordState",
    },
}

# Optional TOTP second step for administrators (ADR 0012): the name the app shows.
TWO_FACTOR_ISSUER = env_str("TWO_FACTOR_ISSUER", "spotcheck")
# Wrong codes in a row, over any number of sign-ins, that lock the account until an
# administrator unlocks it. Five per sign-in end the session (the code page); without
# this count a fresh password sign-in would allow five more guesses for ever.
TWO_FACTOR_FAILURE_LIMIT = 10

# Every Redis connection the platform makes (the cache below, the RQ queue further down)
# gives up on a Redis that accepts the connection and then says nothing: seconds to connect,
# and to wait for each reply. An RQ worker raises the read timeout above its own blocking
# wait for jobs (rq's Worker does so when it starts), so an idle worker is not cut off.
REDIS_CONNECT_TIMEOUT = env_int("REDIS_CONNECT_TIMEOUT", 5, minimum=1)
REDIS_READ_TIMEOUT = env_int("REDIS_READ_TIMEOUT", 10, minimum=1)

# The cache holds the public rate-limit counters (and nothing that must survive a restart);
# with several web processes use Redis so that they share one count.
CACHE_BACKEND = env_choice("CACHE_BACKEND", "locmem", ("locmem", "redis"))
CACHE_REDIS_URL = env_str("CACHE_REDIS_URL", "redis://127.0.0.1:6379/1")
if CACHE_BACKEND == "redis":
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": with_timeouts(
                CACHE_REDIS_URL, connect=REDIS_CONNECT_TIMEOUT, read=REDIS_READ_TIMEOUT
            ),
            "KEY_PREFIX": "spotcheck",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Public portal pages are cached this many seconds for visitors without cookies (0: off);
# see spotcheck/publicity/page_cache.py.
PUBLIC_PAGE_CACHE_SECONDS = env_int("PUBLIC_PAGE_CACHE_SECONDS", 60, minimum=0)
# Anonymous requests to the public look-up pages and the public API, per client address.
PUBLIC_RATE_LIMIT = env_int("PUBLIC_RATE_LIMIT", 120, minimum=1)
PUBLIC_RATE_WINDOW_SECONDS = env_int("PUBLIC_RATE_WINDOW_SECONDS", 60, minimum=1)
PUBLIC_RATE_LIMITED_PATHS = ("/public/", "/api/v1/public/")
# Behind nginx every request comes from 127.0.0.1: the proxy passes the client in X-Real-IP.
PUBLIC_RATE_CLIENT_HEADER = "HTTP_X_REAL_IP" if BEHIND_TLS_PROXY else "REMOTE_ADDR"

# How many rows a directory list page shows.
DIRECTORY_PAGE_SIZE = env_int("DIRECTORY_PAGE_SIZE", 50, minimum=10)
# The largest list an officer may export in one file.
EXPORT_MAX_ROWS = env_int("EXPORT_MAX_ROWS", 200_000, minimum=100)

# Background tasks (django-tasks): the database backend needs no extra server and is the
# default; "rq" hands the tasks to Redis + RQ workers for scale-out. See ADR 0006.
TASKS_BACKEND = env_choice("TASKS_BACKEND", "database", ("database", "rq"))
REDIS_URL = env_str("REDIS_URL", "redis://127.0.0.1:6379/0")
if TASKS_BACKEND == "rq":
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    RQ_QUEUES = {
        "default": {
            "URL": with_timeouts(REDIS_URL, connect=REDIS_CONNECT_TIMEOUT, read=REDIS_READ_TIMEOUT),
            "DEFAULT_TIMEOUT": 3600,
        }
    }
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# DRAW-v1: processes that hash a frame of at least 500,000 entities (forked, identical
# result); 1 draws in the web process alone. See docs/performance.md.
DRAW_JOBS = env_int("DRAW_JOBS", min(os.cpu_count() or 1, 4), minimum=1)

# Public portal: name the inspectors (with certificate number) in the notices, as the
# notices require by default; false hides them everywhere on the public pages.
PUBLIC_SHOW_INSPECTOR_NAMES = env_bool("PUBLIC_SHOW_INSPECTOR_NAMES", True)
# Outbox to 国家企业信用信息公示系统: where results are POSTed (empty: not sent, export only),
# the bearer token, the request timeout, the attempts before a message is dead-lettered,
# and the first retry delay (doubling each time, at most 6 hours).
GSXT_OUTBOX_URL = env_str("GSXT_OUTBOX_URL", "")
GSXT_OUTBOX_TOKEN = env_secret("GSXT_OUTBOX_TOKEN", "")
GSXT_OUTBOX_TIMEOUT = env_int("GSXT_OUTBOX_TIMEOUT", 10, minimum=1)
GSXT_OUTBOX_MAX_ATTEMPTS = env_int("GSXT_OUTBOX_MAX_ATTEMPTS", 8, minimum=1)
GSXT_OUTBOX_BACKOFF_SECONDS = env_int("GSXT_OUTBOX_BACKOFF_SECONDS", 60, minimum=1)

# Messages to enterprises (e.g. "your result notice is ready"): the backend class, and the
# file the development backend appends one JSON line per message to. See
# spotcheck/common/messaging.py and docs/operations.md for an SMS gateway.
MESSAGE_BACKEND = env_str("MESSAGE_BACKEND", "spotcheck.common.messaging.FileBackend")
MESSAGE_FILE_PATH = Path(
    env_str("MESSAGE_FILE_PATH", str(BASE_DIR / "var" / "messages" / "messages.jsonl"))
)

LOG_LEVEL = env_choice("LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR"))
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    # axes announces itself at every start; only its warnings matter
    "loggers": {"axes": {"level": "WARNING"}},
}
