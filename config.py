"""Configuration classes, read from environment variables.

``create_app`` picks one by name (``ELEARN_CONFIG``: development, test, production);
every setting can be overridden from the environment so the same code runs a laptop,
CI and a production cluster.
"""

from __future__ import annotations

import os
from datetime import timedelta


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


class Config:
    """Settings shared by every environment."""

    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-insecure-key")
    #: Absolute URL of the site, used in every link that leaves it (mail, .ics, QR codes).
    BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:5000").rstrip("/")
    #: Empty means "SQLite in the instance folder" (filled in by create_app).
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", "")
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    #: A pooled connection unused for longer than this is pinged before a request gets
    #: it (``elearn.db.ping_after_idle``); 0 pings on every checkout (``pool_pre_ping``).
    #: SQLite files are never pinged.
    DATABASE_PING_AFTER_IDLE = float(os.environ.get("DATABASE_PING_AFTER_IDLE") or 10)
    SQLALCHEMY_TRACK_MODIFICATIONS = False

    # Mail
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
    MAIL_PORT = _int("MAIL_PORT", 25)
    MAIL_USE_TLS = _bool("MAIL_USE_TLS", False)  # STARTTLS
    MAIL_USE_SSL = _bool("MAIL_USE_SSL", False)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    MAIL_DEFAULT_SENDER = os.environ.get(
        "MAIL_DEFAULT_SENDER", "elearn <no-reply@elearn.localhost>"
    )
    MAIL_TIMEOUT = _int("MAIL_TIMEOUT", 30)
    #: How many messages one delivery run claims and sends over one connection.
    MAIL_BATCH_SIZE = _int("MAIL_BATCH_SIZE", 100)
    #: Outcomes are written (one UPDATE, one commit) every this many sent messages; a crash
    #: may send that many twice, never lose one.
    MAIL_COMMIT_EVERY = _int("MAIL_COMMIT_EVERY", 20)
    #: Attempts before a message is marked failed.
    MAIL_MAX_ATTEMPTS = _int("MAIL_MAX_ATTEMPTS", 6)
    #: First retry delay in seconds; doubled on every further attempt.
    MAIL_RETRY_BASE_SECONDS = _int("MAIL_RETRY_BASE_SECONDS", 60)
    #: A claim older than this is taken to be from a crashed process and released.
    MAIL_CLAIM_TIMEOUT_SECONDS = _int("MAIL_CLAIM_TIMEOUT_SECONDS", 600)
    #: Seconds between two runs of the delivery job.
    MAIL_DELIVERY_INTERVAL = _int("MAIL_DELIVERY_INTERVAL", 10)

    # Rate limits (Flask-Limiter)
    RATELIMIT_ENABLED = _bool("RATELIMIT_ENABLED", True)
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_LOGIN = os.environ.get("RATELIMIT_LOGIN", "10 per minute;50 per hour")
    RATELIMIT_RESET = os.environ.get("RATELIMIT_RESET", "5 per minute;20 per hour")
    RATELIMIT_SIGNUP = os.environ.get("RATELIMIT_SIGNUP", "5 per minute;30 per hour")
    #: Webinar registrations (page and API together) from one address.
    RATELIMIT_REGISTER = os.environ.get("RATELIMIT_REGISTER", "10 per minute;60 per hour")
    #: Certificate verification (page, API, badge), per client: enough for a person or a
    #: registry checking a batch, too few to guess 80-bit codes.
    RATELIMIT_VERIFY = os.environ.get("RATELIMIT_VERIFY", "30 per minute;300 per hour")

    # Certificates
    #: Who issues the certificates, as printed on them and in the Open Badges credential.
    CERTIFICATE_ISSUER = os.environ.get(
        "CERTIFICATE_ISSUER", "Secretariat of the Stockholm Convention"
    )
    #: First part of the serial numbers (``SC-2026-000123``).
    CERTIFICATE_SERIAL_PREFIX = os.environ.get("CERTIFICATE_SERIAL_PREFIX", "SC")

    # Accounts
    #: werkzeug method string; scrypt with N=2**17 as the issue asks.
    PASSWORD_HASH_METHOD = os.environ.get("PASSWORD_HASH_METHOD", "scrypt:131072:8:1")
    EMAIL_VERIFY_MAX_AGE = timedelta(days=3)
    PASSWORD_RESET_MAX_AGE = timedelta(hours=2)
    REMEMBER_COOKIE_DURATION = timedelta(days=30)
    #: Re-authentication is asked for password/e-mail changes after this long.
    REAUTH_MAX_AGE = timedelta(minutes=10)

    # Cookies
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = timedelta(days=14)
    #: Flask-WTF's CSRF tokens expire after an hour by default, so a learner who spends
    #: longer on a quiz without a time limit (or on a long module edit) would lose the
    #: page on submit. None: a token is good as long as the session that holds its
    #: secret, which is what protects against cross-site requests anyway.
    WTF_CSRF_TIME_LIMIT = None

    # i18n
    LANGUAGES = ("en", "fr", "es", "ar", "ru", "zh")
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "UTC"

    # API (flask-smorest)
    API_TITLE = "elearn API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"

    #: How long a web process may serve visitors (no session) a page it rendered before,
    #: in seconds (elearn.pagecache); 0 turns the cache off.
    PAGE_CACHE_SECONDS = _int("PAGE_CACHE_SECONDS", 15)
    #: How long a web process keeps a signed-in reader's rendered module page (seconds;
    #: elearn.pagecache.member_render). Its key holds every stamp the page depends on, so
    #: the time only bounds memory for pages nobody reads any more; needs
    #: PAGE_CACHE_SECONDS > 0 too.
    MEMBER_PAGE_CACHE_SECONDS = _int("MEMBER_PAGE_CACHE_SECONDS", 600)
    #: Pages each web process keeps at most.
    PAGE_CACHE_ENTRIES = _int("PAGE_CACHE_ENTRIES", 512)

    #: Run the outbox delivery job inside the web process (only `make run` sets this).
    SCHEDULER_IN_PROCESS = _bool("SCHEDULER_IN_PROCESS", False)
    #: Where outgoing mail lands as .eml files when MAIL_SERVER is empty.
    MAIL_FILE_DIR = os.environ.get("MAIL_FILE_DIR", "")
    #: Root of the content library (holds courses/ and quizzes/).
    CONTENT_ROOT = os.environ.get(
        "CONTENT_ROOT", os.path.dirname(os.path.abspath(__file__))
    )
    MAX_CONTENT_LENGTH = 8 * 1024 * 1024
    #: Largest image or PDF a trainer may upload to a course (and the sync accepts).
    COURSE_MEDIA_MAX_BYTES = _int("COURSE_MEDIA_MAX_BYTES", 2 * 1024 * 1024)


class DevelopmentConfig(Config):
    DEBUG = True
    #: Authors check their edits in a private window: no stale pages while developing.
    PAGE_CACHE_SECONDS = _int("PAGE_CACHE_SECONDS", 0)


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret-key"  # noqa: S105
    SQLALCHEMY_DATABASE_URI = os.environ.get("ELEARN_TEST_DATABASE_URL", "sqlite://")
    WTF_CSRF_ENABLED = False
    #: Cheap hashes keep the suite fast; production keeps scrypt N=2**17.
    PASSWORD_HASH_METHOD = "scrypt:1024:8:1"  # noqa: S105
    BASE_URL = "http://elearn.test"
    SERVER_NAME = None
    MAIL_RETRY_BASE_SECONDS = 60
    #: Tests read what they just wrote; the page cache has tests of its own.
    PAGE_CACHE_SECONDS = 0


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"

    @classmethod
    def check(cls) -> None:
        """Refuse to start with the development secret key."""
        if not os.environ.get("SECRET_KEY"):
            raise RuntimeError(
                "SECRET_KEY must be set in the environment to run in production."
            )


CONFIGS = {
    "development": DevelopmentConfig,
    "test": TestConfig,
    "production": ProductionConfig,
}
