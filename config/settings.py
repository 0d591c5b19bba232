"""Django settings for Gemeinsam, read from ``GEMEINSAM_*`` environment variables.

Every variable is documented in ``.env.example``. Production is the default: DEBUG is off
unless ``GEMEINSAM_DEBUG`` says otherwise, and secure cookies and HSTS are on unless
``GEMEINSAM_INSECURE_HTTP`` is set (which ``make run`` does for plain http on 127.0.0.1).
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from config.mail_url import parse_email_url

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(f"GEMEINSAM_{name}", default)


def env_bool(name: str, *, default: bool = False) -> bool:
    value = env(name)
    if not value:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


DATA_DIR = Path(env("DATA_DIR", str(BASE_DIR / "var"))).resolve()


def _secret_key() -> str:
    """The configured key, or one generated once and kept in the data directory."""
    configured = env("SECRET_KEY")
    if configured:
        return configured
    key_file = DATA_DIR / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(64)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG")
INSECURE_HTTP = env_bool("INSECURE_HTTP")
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", SITE_URL)
SITE_NAME = env("SITE_NAME", "Gemeinsam")

INSTALLED_APPS = [
    "gemeinsam.core",
    "gemeinsam.accounts",
    "gemeinsam.moderation",
    "gemeinsam.community",
    "gemeinsam.conversations",
    "gemeinsam.ratings",
    "gemeinsam.analytics",
    "gemeinsam.newsroom",
    "gemeinsam.demo",
    "gemeinsam.outputs",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.sitemaps",
    "wagtail.contrib.frontend_cache",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.simple_translation",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail.locales",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_tasks",
    "django_tasks_db",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_htmx",
    "js_lib_htmx",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "gemeinsam.core.caching.pages.AnonymousPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "gemeinsam.core.middleware.CacheUnavailableMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES: list[dict[str, Any]] = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "gemeinsam" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "wagtail.contrib.settings.context_processors.settings",
                "gemeinsam.core.context_processors.site",
                "gemeinsam.community.context_processors.notifications",
            ],
        },
    }
]


def _database() -> dict[str, Any]:
    url = env("DATABASE_URL")
    if url:
        config: dict[str, Any] = dict(dj_database_url.parse(url, conn_max_age=600))
        config["CONN_HEALTH_CHECKS"] = True
        return config
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(DATA_DIR / "db.sqlite3"),
        "CONN_MAX_AGE": None,
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                "PRAGMA busy_timeout=20000; PRAGMA foreign_keys=ON;"
            ),
        },
    }


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


def _caches() -> dict[str, Any]:
    redis_url = env("REDIS_URL")
    if redis_url:
        redis = {
            "BACKEND": "gemeinsam.core.cache.RedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": "gemeinsam",
        }
        return {"default": redis, "scopes": redis}
    # A cache on disk is shared by every web and task process, so rate limits and purges
    # hold across workers (a per-process memory cache would not). The versions of the cache
    # scopes live apart from the pages and fragments, so culling those never drops a version
    # (which would make everything built on it stale); they are small, one per changed item.
    return {
        "default": {
            "BACKEND": "gemeinsam.core.cache.FileCache",
            "LOCATION": str(DATA_DIR / "cache"),
            "OPTIONS": {"MAX_ENTRIES": 20000},
        },
        "scopes": {
            "BACKEND": "gemeinsam.core.cache.FileCache",
            "LOCATION": str(DATA_DIR / "cache-scopes"),
            "OPTIONS": {"MAX_ENTRIES": 1_000_000},
        },
    }


CACHES = _caches()
# Wagtail writes a rendition to its cache every time a template asks for one; a per-process
# memory cache keeps that off the disk and the network. Renditions never change once made.
CACHES["renditions"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "TIMEOUT": 600,
    "OPTIONS": {"MAX_ENTRIES": 5000},
}

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"

# allauth: one login page for members and staff, by e-mail, verified, throttled.
ACCOUNT_ADAPTER = "gemeinsam.accounts.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if INSECURE_HTTP else "https"
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = SITE_NAME

EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
_email_url = env("EMAIL_URL")
if _email_url:
    _email = parse_email_url(_email_url)
    EMAIL_HOST = _email["EMAIL_HOST"]
    EMAIL_PORT = _email["EMAIL_PORT"]
    EMAIL_HOST_USER = _email["EMAIL_HOST_USER"]
    EMAIL_HOST_PASSWORD = _email["EMAIL_HOST_PASSWORD"]
    EMAIL_USE_TLS = _email["EMAIL_USE_TLS"]
    EMAIL_USE_SSL = _email["EMAIL_USE_SSL"]
elif INSECURE_HTTP and urlsplit(SITE_URL).hostname in {"127.0.0.1", "::1", "localhost"}:
    # `make run`: mail is kept under DATA_DIR/mail and readable at /en/members/dev-mail/.
    # The backend refuses to load unless the site is plain http on a loopback address.
    EMAIL_BACKEND = "gemeinsam.accounts.mail.CatcherBackend"
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
# Seconds to wait for the mail server before giving up.
EMAIL_TIMEOUT = float(env("EMAIL_TIMEOUT_SECONDS", "10"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Gemeinsam <newsroom@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("de", "Deutsch")]
LOCALE_PATHS = [BASE_DIR / "gemeinsam" / "locale"]
TIME_ZONE = env("TIME_ZONE", "Europe/Berlin")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(DATA_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
FILE_UPLOAD_PERMISSIONS = 0o644
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Wagtail
WAGTAIL_SITE_NAME = SITE_NAME
WAGTAILADMIN_BASE_URL = SITE_URL
WAGTAILADMIN_LOGIN_URL = "account_login"
# Passwords and sign-in addresses are managed on allauth's pages only (throttled, verified).
WAGTAIL_PASSWORD_MANAGEMENT_ENABLED = False
WAGTAIL_PASSWORD_RESET_ENABLED = False
WAGTAIL_EMAIL_MANAGEMENT_ENABLED = False
WAGTAIL_FRONTEND_LOGIN_URL = "account_login"
WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
WAGTAILIMAGES_IMAGE_MODEL = "core.CustomImage"
WAGTAILIMAGES_IMAGE_FORM_BASE = "gemeinsam.core.forms.ImageForm"
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 20 * 1024 * 1024
WAGTAILDOCS_SERVE_METHOD = "serve_view"
SENDFILE_BACKEND = "gemeinsam.core.sendfile"  # streams documents with the right Cache-Control
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILEMBEDS_FINDERS: list[dict[str, Any]] = []
TAGGIT_CASE_INSENSITIVE = True

# Community rules. Ratings are stored on a 1-10 scale; a 5-star site stores k stars as 2k.
GEMEINSAM_RATING_SCALE = int(env("RATING_SCALE", "10"))
GEMEINSAM_COMMENT_EDIT_MINUTES = int(env("COMMENT_EDIT_MINUTES", "15"))
GEMEINSAM_COMMENT_RATE_PER_MINUTE = int(env("COMMENT_RATE_PER_MINUTE", "10"))
GEMEINSAM_THREAD_RATE_LIMIT = int(env("THREAD_RATE_LIMIT", "5"))
GEMEINSAM_THREAD_RATE_PERIOD = int(env("THREAD_RATE_PERIOD", "600"))

# Days between a member's deletion request and the purge of their account.
DELETION_GRACE_DAYS = int(env("DELETION_GRACE_DAYS", "14"))

# Full-page cache for anonymous readers (seconds); an entry turns stale as soon as a scope
# it read changes (see docs/architecture.md, "Caches").
PAGE_CACHE_SECONDS = int(env("PAGE_CACHE_SECONDS", "300"))
# How long a CDN or nginx in front may share an anonymous page (s-maxage; it may serve it
# stale for twice as long while it revalidates). 0 sends no Cache-Control for pages.
EDGE_CACHE_SECONDS = int(env("EDGE_CACHE_SECONDS", "30"))


def _frontend_cache() -> dict[str, dict[str, str]]:
    """The edge caches to purge when public content changes (Wagtail's frontend cache)."""
    backends: dict[str, dict[str, str]] = {}
    if env("EDGE_PURGE_URL"):  # nginx (docs/operations.md) or Varnish: sent PURGE requests
        backends["http"] = {
            "BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
            "LOCATION": env("EDGE_PURGE_URL"),
        }
    if env("CLOUDFLARE_BEARER_TOKEN"):
        backends["cloudflare"] = {
            "BACKEND": "wagtail.contrib.frontend_cache.backends.CloudflareBackend",
            "BEARER_TOKEN": env("CLOUDFLARE_BEARER_TOKEN"),
            "ZONEID": env("CLOUDFLARE_ZONE_ID"),
        }
    if env("CLOUDFRONT_DISTRIBUTION_ID"):  # needs boto3 and AWS credentials
        backends["cloudfront"] = {
            "BACKEND": "wagtail.contrib.frontend_cache.backends.CloudfrontBackend",
            "DISTRIBUTION_ID": env("CLOUDFRONT_DISTRIBUTION_ID"),
        }
    return backends


WAGTAILFRONTENDCACHE = _frontend_cache()
# Purge the addresses given, not their counterparts in every language: each translation is a
# page of its own and is purged when it changes.
WAGTAILFRONTENDCACHE_LANGUAGES: list[str] = []
# Hand public media files to nginx instead of streaming them through Python: the internal
# location that serves MEDIA_ROOT (docs/operations.md), e.g. /protected-media/. Empty: off.
MEDIA_ACCEL_REDIRECT = env("MEDIA_ACCEL_REDIRECT")
# Say in an X-Cache response header whether the page cache served the response (hit/miss).
CACHE_STATUS_HEADER = env_bool("CACHE_STATUS_HEADER")


def _trusted_proxies() -> list[str]:
    """Proxies whose ``X-Forwarded-For`` names the client; a typo fails at start-up."""
    proxies = env_list("TRUSTED_PROXIES")
    for item in proxies:
        try:
            ipaddress.ip_network(item, strict=False)
        except ValueError as error:
            raise ImproperlyConfigured(
                f"GEMEINSAM_TRUSTED_PROXIES: {item!r} is neither an IP address nor a network "
                "(write for example 127.0.0.1 or 10.0.0.0/8)."
            ) from error
    return proxies


# The reverse proxies in front of the site (addresses or networks, comma-separated). Only
# their X-Forwarded-For is believed; see gemeinsam/core/clientip.py.
TRUSTED_PROXIES = _trusted_proxies()

# Outbound fetching of outside channels.
OUTBOUND_TIMEOUT_SECONDS = float(env("OUTBOUND_TIMEOUT_SECONDS", "10"))
OUTBOUND_MAX_BYTES = int(env("OUTBOUND_MAX_BYTES", str(5 * 1024 * 1024)))
# Ports fetched besides 80 and 443 (e.g. "8080"); every other port is refused.
OUTBOUND_EXTRA_PORTS = [int(port) for port in env_list("OUTBOUND_EXTRA_PORTS")]
OUTBOUND_ALLOW_PRIVATE = False  # only tests against loopback servers switch this on

# Security headers. make run sets GEMEINSAM_INSECURE_HTTP for plain http on 127.0.0.1.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Sessions in the database, each with its member's id (signing out everywhere is one query).
SESSION_ENGINE = "gemeinsam.core.sessions"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not INSECURE_HTTP
CSRF_COOKIE_SECURE = not INSECURE_HTTP
CSRF_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = not INSECURE_HTTP and env_bool("SSL_REDIRECT", default=True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 0 if INSECURE_HTTP else int(env("HSTS_SECONDS", "31536000"))
# includeSubDomains and preload bind every other host of the organisation's domain to https
# (preload for good, through the browsers' lists), so they are the operator's decision; with
# them off, Django's deployment checks would warn on every install, hence the silencing.
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env_bool("HSTS_PRELOAD", default=False)
SILENCED_SYSTEM_CHECKS = ["security.W005", "security.W021"]

CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/admin/", "/django-admin/"],
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "media-src": ["'self'"],
        "style-src": ["'self'"],
        "script-src": ["'self'"],
        "frame-src": ["'self'"],
        "frame-ancestors": ["'self'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "object-src": ["'none'"],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "wagtail": {"level": "WARNING"},
        "wagtail.contrib.redirects": {"level": "WARNING"},
        "django_tasks": {"level": "WARNING"},
    },
}
