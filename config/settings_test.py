"""Settings for the test suite: the production settings with fast, isolated parts.

SQLite (or PostgreSQL when ``GEMEINSAM_DATABASE_URL`` is set), the cache in memory unless
``GEMEINSAM_REDIS_URL`` is set, tasks run at once, mail kept in memory, cheap password hashing.
"""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("GEMEINSAM_SECRET_KEY", "test-" + "k3y-" * 16)
os.environ.setdefault("GEMEINSAM_DATA_DIR", tempfile.mkdtemp(prefix="gemeinsam-test-"))
os.environ.setdefault("GEMEINSAM_INSECURE_HTTP", "1")

from config.settings import *  # noqa: F403
from config.settings import CACHES, DATA_DIR, env

if not env("REDIS_URL"):
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "scopes": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "scopes",
        },
    }
else:
    CACHES["default"] = CACHES["default"] | {"KEY_PREFIX": f"gemeinsam-test-{os.getpid()}"}
    CACHES["scopes"] = CACHES["default"]

TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
SECURE_SSL_REDIRECT = False
CACHE_STATUS_HEADER = True
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405
