"""Settings for the test suite: fast hashing, no lockout carry-over between tests."""

from __future__ import annotations

from config.settings.base import *  # noqa: F403
from config.settings.base import DATABASE_URL, DATABASES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only in tests

if DATABASE_URL.startswith("sqlite"):
    DATABASES["default"]["NAME"] = ":memory:"
    DATABASES["default"]["OPTIONS"] = {}

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# The public rate limit has its own tests (which lower it); the rest of the suite must not
# trip over a per-process counter.
PUBLIC_RATE_LIMIT = 1_000_000

# Pages are rendered afresh in every test; the page cache has its own tests.
PUBLIC_PAGE_CACHE_SECONDS = 0

# No collectstatic before the tests: WhiteNoise looks for files at each request instead of
# warning at start-up that STATIC_ROOT does not exist.
WHITENOISE_AUTOREFRESH = True

# Messages to enterprises go to the log, never to a file under var/; the tests of the
# file backend point MESSAGE_FILE_PATH at their own temporary folder.
MESSAGE_BACKEND = "spotcheck.common.messaging.ConsoleBackend"
