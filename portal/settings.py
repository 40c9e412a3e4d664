"""Settings for the clinic patient-information portal.

Everything that differs between a laptop and production comes from environment variables.
With nothing set, the portal runs in production mode (DEBUG off) and refuses to start without
DJANGO_SECRET_KEY, a real mail server (DJANGO_EMAIL_HOST) and its public address (PORTAL_BASE_URL);
`make run` sets DJANGO_DEBUG=true for local use.
"""

import os
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. In production, set it to a long random value, e.g. "
            "python3 -c 'import secrets; print(secrets.token_urlsafe(50))'. "
            "For local development, set DJANGO_DEBUG=true (make run does this)."
        )
    SECRET_KEY = "django-insecure-local-development-only"  # noqa: S105 - only ever used with DEBUG on

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "markdownx",
    "csp",
    "portal",
    "portal.content",
    "portal.audit",
    "articles",
    "faq",
    "portal.reading",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    # Outermost: its headers reach every response, static files and cached pages included.
    "portal.middleware.SecurityHeadersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Below WhiteNoise (static files come precompressed, gzip and brotli; images are not worth it) and above
    # the page cache (it keeps plain HTML and serves each client the encoding it accepts). Django pads every
    # compressed response with random bytes against BREACH; the session cookie is SameSite=Lax besides.
    "django.middleware.gzip.GZipMiddleware",
    "portal.page_cache.PublicPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The interface language: from the URL's /es/ prefix on public pages (portal/urls.py); patient pages switch to
    # the patient's language in portal.reading.views.patient (docs in README "Languages").
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "portal.middleware.StaffIdleTimeoutMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

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
                "portal.context_processors.clinic",
                "portal.context_processors.languages",
            ],
        },
    },
]

# Database: SQLite file by default; DATABASE_URL (e.g. postgres://user@host:5432/name) otherwise.
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=600, conn_health_checks=True)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("SQLITE_PATH", str(BASE_DIR / "db.sqlite3")),
            # Reuse connections: opening one per request halved throughput in benchmarks/.
            "CONN_MAX_AGE": 600,
            # Without these, concurrent writers lose events to "database is locked".
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
            # The test database is a file (one per test run), not SQLite's in-memory database: the browser
            # tests' live server answers in several threads, and each needs a connection of its own.
            "TEST": {"NAME": str(Path(tempfile.gettempdir()) / f"portal-test-{os.getpid()}.sqlite3")},
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The shared cache (rate limits, login lockout, page-cache generation) is seen by every app server.
# One machine: the database cache (nothing more to run). Several app servers: REDIS_URL
# (redis://host:6379/0), one Redis for all of them. DJANGO_CACHE_KEY_PREFIX keeps several portals
# (or test servers) apart in one Redis database.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL and urlsplit(REDIS_URL).scheme not in ("redis", "rediss", "unix"):
    raise ImproperlyConfigured(
        "REDIS_URL must be a redis://, rediss:// or unix:// URL (e.g. redis://127.0.0.1:6379/0)."
    )
if REDIS_URL:
    # Django's, with an incr that can never leave a counter without its expiry (portal.cache).
    SHARED_CACHE = {"BACKEND": "portal.cache.RedisCache", "LOCATION": REDIS_URL}
else:
    # Django's, with an atomic incr (rate limits).
    SHARED_CACHE = {"BACKEND": "portal.cache.DatabaseCache", "LOCATION": "portal_cache"}
SHARED_CACHE["KEY_PREFIX"] = os.environ.get("DJANGO_CACHE_KEY_PREFIX", "")
CACHES = {
    "default": SHARED_CACHE,
    # Whole public pages, per process; invalidated across servers by a generation kept in "default"
    # (portal.page_cache). TIMEOUT bounds how long a page whose content expires by time alone lingers.
    "pages": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "public-pages",
        "TIMEOUT": 60,
        "OPTIONS": {"MAX_ENTRIES": 1000},
    },
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
# The languages of the interface, of content translations and of patients' messages (English is the source).
LANGUAGES = [("en", "English"), ("es", "Español")]
TIME_ZONE = os.environ.get("CLINIC_TIME_ZONE", "America/New_York")
USE_I18N = True
# The interface's translations (locale/<code>/LC_MESSAGES/django.po; `compilemessages` builds the .mo files).
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Hashed, compressed files need collectstatic; local development serves them as they are.
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage",
    },
}

LOGIN_URL = "admin:login"

# Sessions: patients and staff share Django's session framework; staff are additionally logged
# out after STAFF_IDLE_TIMEOUT_SECONDS without a request (portal.middleware).
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 24 * 7
STAFF_IDLE_TIMEOUT_SECONDS = int(os.environ.get("STAFF_IDLE_TIMEOUT_SECONDS", 15 * 60))

# Security: Django's deployment checklist, on whenever DEBUG is off.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Sent by portal.middleware.SecurityHeadersMiddleware. The portal uses none of these browser features, so no page
# (nor anything injected into one) may; browsing-topics=() keeps patients' visits out of Chrome's ad topics.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer", "browsing-topics", "camera", "display-capture", "geolocation", "gyroscope", "hid",
        "magnetometer", "microphone", "midi", "payment", "publickey-credentials-get", "screen-wake-lock", "serial",
        "usb", "xr-spatial-tracking",
    )
}  # fmt: skip
CROSS_ORIGIN_RESOURCE_POLICY = "same-origin"
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers' health checks may come over plain HTTP
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", 60 * 60 * 24 * 365))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    if env_bool("DJANGO_BEHIND_TLS_PROXY", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    },
}

# Markdown: one renderer for public pages and the admin preview.
MARKDOWNX_MARKDOWNIFY_FUNCTION = "portal.content.markdown.render_markdown"
MARKDOWNX_URLS_PATH = "/staff/markdownx/markdownify/"
MARKDOWNX_UPLOAD_URLS_PATH = "/staff/markdownx/upload/"
MARKDOWNX_MEDIA_PATH = "markdownx/"
MARKDOWNX_UPLOAD_MAX_SIZE = int(os.environ.get("MARKDOWNX_UPLOAD_MAX_SIZE", 2 * 1024 * 1024))
MARKDOWNX_IMAGE_MAX_SIZE = {"size": (1600, 1600), "quality": 85}
# A page's Markdown is refused above this size, and its rendering (in a child process) stopped after
# this many seconds: a few KB of some shapes keep python-markdown busy for minutes.
CONTENT_MAX_MARKDOWN_BYTES = int(os.environ.get("CONTENT_MAX_MARKDOWN_BYTES", 100 * 1024))
CONTENT_MARKDOWN_RENDER_SECONDS = float(os.environ.get("CONTENT_MARKDOWN_RENDER_SECONDS", 3))

# Reading: words per minute for estimated reading time, and the share of it below which a page
# counts as "read quickly".
READING_WORDS_PER_MINUTE = int(os.environ.get("READING_WORDS_PER_MINUTE", 200))
READ_QUICKLY_FRACTION = float(os.environ.get("READ_QUICKLY_FRACTION", 0.4))
# Issue 13: the treatment-day checklist opens this many days before the session; the education record for the
# chart names the patient only when the clinic opts in (else it shows the clinic's patient reference only).
CHECKLIST_OPENS_DAYS_BEFORE = int(os.environ.get("CHECKLIST_OPENS_DAYS_BEFORE", 3))
EDUCATION_RECORD_SHOWS_PATIENT_NAME = os.environ.get("EDUCATION_RECORD_SHOWS_PATIENT_NAME", "false").lower() == "true"

# Content governance (docs/governance.md): a page's next review is due this many days after its
# approval; the admin's review page also lists pages due within CONTENT_REVIEW_DUE_SOON_DAYS; editors
# are warned when a page reads above READABILITY_MAX_GRADE (Flesch–Kincaid US school grade).
CONTENT_REVIEW_INTERVAL_DAYS = int(os.environ.get("CONTENT_REVIEW_INTERVAL_DAYS", 365))
CONTENT_REVIEW_DUE_SOON_DAYS = int(os.environ.get("CONTENT_REVIEW_DUE_SOON_DAYS", 30))
READABILITY_MAX_GRADE = float(os.environ.get("READABILITY_MAX_GRADE", 8))
# Spanish pages (translations) are scored with Szigriszt-Pazos on the INFLESZ scale, where higher is easier:
# editors are warned below this score (55 = "normal"; health information should not read harder).
READABILITY_MIN_SCORE_ES = float(os.environ.get("READABILITY_MIN_SCORE_ES", 55))

# Patient links.
PATIENT_LINK_VALID_DAYS_AFTER_SESSION = int(os.environ.get("PATIENT_LINK_VALID_DAYS_AFTER_SESSION", 7))
PATIENT_LINK_MAX_BAD_TRIES = int(os.environ.get("PATIENT_LINK_MAX_BAD_TRIES", 20))
PATIENT_LINK_BAD_TRY_WINDOW_SECONDS = int(os.environ.get("PATIENT_LINK_BAD_TRY_WINDOW_SECONDS", 600))
# Behind N reverse proxies that append to X-Forwarded-For, rate limits count the address the outermost one saw
# (`check --deploy` warns when this and DJANGO_BEHIND_TLS_PROXY disagree: portal/checks.py).
RATELIMIT_TRUSTED_PROXY_COUNT = int(os.environ.get("RATELIMIT_TRUSTED_PROXY_COUNT", 0))
# Admin login (portal/auth.py): after this many failed attempts within LOGIN_LOCKOUT_SECONDS for one user name,
# or from one client address, logging in is refused for LOGIN_LOCKOUT_SECONDS.
LOGIN_MAX_FAILURES_PER_USERNAME = int(os.environ.get("LOGIN_MAX_FAILURES_PER_USERNAME", 5))
LOGIN_MAX_FAILURES_PER_ADDRESS = int(os.environ.get("LOGIN_MAX_FAILURES_PER_ADDRESS", 20))
LOGIN_LOCKOUT_SECONDS = int(os.environ.get("LOGIN_LOCKOUT_SECONDS", 15 * 60))
# Public address used in links that leave the site (emails, printed cards, import output). Production has no
# default: a laptop address in a patient's email is a broken link.
PORTAL_BASE_URL = os.environ.get("PORTAL_BASE_URL", "http://127.0.0.1:8000" if DEBUG else "").rstrip("/")

# Appointments from the clinic's EHR (HL7 v2 SIU over MLLP, FHIR R4 Appointments; portal/reading/interop/).
# PID-3 identifiers of this assigning authority (CX-4) become Patient.reference ("" = the first identifier).
HL7_PATIENT_ID_AUTHORITY = os.environ.get("HL7_PATIENT_ID_AUTHORITY", "")
# What of PID-5 (and a FHIR Patient's name) is kept: "initials" (default), "full" or "none".
HL7_STORE_NAMES = os.environ.get("HL7_STORE_NAMES", "initials")
# PID-13 email and mobile number (a FHIR Patient's telecom): stored only when the clinic turns this on.
HL7_ACCEPT_CONTACT_DETAILS = env_bool("HL7_ACCEPT_CONTACT_DETAILS", False)
# A received message's payload after processing: "drop" (default) or "encrypt" (Fernet, INTERFACE_PAYLOAD_KEY,
# or a key derived from SECRET_KEY when that is empty). Kept, like the message's row, for the retention days.
INTERFACE_PAYLOAD_RETENTION = os.environ.get("INTERFACE_PAYLOAD_RETENTION", "drop")
INTERFACE_PAYLOAD_KEY = os.environ.get("INTERFACE_PAYLOAD_KEY", "")
INTERFACE_MESSAGE_RETENTION_DAYS = int(os.environ.get("INTERFACE_MESSAGE_RETENTION_DAYS", 30))
# FHIR: the system URI of the clinic's patient identifiers (Patient.identifier.system); the server's base URL and
# bearer token for `import_fhir_appointments --server` (the token never goes on the command line).
FHIR_PATIENT_IDENTIFIER_SYSTEM = os.environ.get("FHIR_PATIENT_IDENTIFIER_SYSTEM", "")
FHIR_SERVER_URL = os.environ.get("FHIR_SERVER_URL", "").rstrip("/")
FHIR_BEARER_TOKEN = os.environ.get("FHIR_BEARER_TOKEN", "")

CLINIC_NAME = os.environ.get("CLINIC_NAME", "Riverside Clinic")
CLINIC_PHONE = os.environ.get("CLINIC_PHONE", "(555) 010-0100")

# Mail carries patient links. The console backend (local development) prints each one in full, with the
# patient's address, so production sends through SMTP and refuses the backends that print or keep mail.
EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "clinic@example.org")
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("DJANGO_EMAIL_PORT", 25))
EMAIL_HOST_USER = os.environ.get("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("DJANGO_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("DJANGO_EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = int(os.environ.get("DJANGO_EMAIL_TIMEOUT", 10))  # a mail server that hangs must not hang a worker

# Outgoing messages (portal.reading.messaging; README "Messages and the worker"). Rows in the database are the
# queue; django-tasks' database backend wakes the sender at each message's due time, and `manage.py db_worker`
# runs the tasks (make run starts one beside runserver; production runs it as its own service).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# No message (link or reminder) goes out between these clinic-time hours: a due one waits until the end.
MESSAGES_QUIET_HOURS_START = os.environ.get("MESSAGES_QUIET_HOURS_START", "21:00")
MESSAGES_QUIET_HOURS_END = os.environ.get("MESSAGES_QUIET_HOURS_END", "08:00")
MESSAGES_MAX_ATTEMPTS = int(os.environ.get("MESSAGES_MAX_ATTEMPTS", 8))
MESSAGES_RETRY_BASE_SECONDS = int(os.environ.get("MESSAGES_RETRY_BASE_SECONDS", 60))  # doubles per attempt
MESSAGES_RETRY_MAX_SECONDS = int(os.environ.get("MESSAGES_RETRY_MAX_SECONDS", 3600))
# A session made from the EHR's feed (HL7 SIU, FHIR) gets its link, sent to the patient with its reminders.
IMPORTED_SESSIONS_SEND_LINK = env_bool("IMPORTED_SESSIONS_SEND_LINK", True)
# Text messages: the console backend prints them (local development only); in production texts are off until
# SMS_BACKEND names a real one, portal.reading.messaging.sms.TwilioSmsBackend (Twilio's REST API).
SMS_BACKEND = os.environ.get("SMS_BACKEND", "portal.reading.messaging.sms.ConsoleSmsBackend" if DEBUG else "")
TWILIO_ACCOUNT_SID = os.environ.get("TWILIO_ACCOUNT_SID", "")
TWILIO_AUTH_TOKEN = os.environ.get("TWILIO_AUTH_TOKEN", "")
TWILIO_FROM_NUMBER = os.environ.get("TWILIO_FROM_NUMBER", "")
TWILIO_MESSAGING_SERVICE_SID = os.environ.get("TWILIO_MESSAGING_SERVICE_SID", "")
TWILIO_API_BASE = os.environ.get("TWILIO_API_BASE", "https://api.twilio.com").rstrip("/")
SMS_TIMEOUT = int(os.environ.get("SMS_TIMEOUT", 10))
LOCAL_SMS_BACKENDS = {f"portal.reading.messaging.sms.{name}SmsBackend" for name in ("Console", "Locmem")}

LOCAL_EMAIL_BACKENDS = {
    f"django.core.mail.backends.{name}.EmailBackend" for name in ("console", "filebased", "locmem", "dummy")
}


def production_problems():
    """What production (DEBUG off) cannot run without, besides the secret key: each a sentence with its fix."""
    problems = []
    if EMAIL_BACKEND in LOCAL_EMAIL_BACKENDS:
        problems.append(
            f"DJANGO_EMAIL_BACKEND is {EMAIL_BACKEND}, which prints or keeps mail instead of sending it (patient "
            "links and addresses would reach logs or files). Leave it unset for SMTP, or name a real backend."
        )
    elif EMAIL_BACKEND == "django.core.mail.backends.smtp.EmailBackend" and not os.environ.get("DJANGO_EMAIL_HOST"):
        problems.append(
            "DJANGO_EMAIL_HOST is not set: name the clinic's mail server (and DJANGO_EMAIL_PORT, "
            "DJANGO_EMAIL_HOST_USER, DJANGO_EMAIL_HOST_PASSWORD, DJANGO_EMAIL_USE_TLS as it needs)."
        )
    if SMS_BACKEND in LOCAL_SMS_BACKENDS:
        problems.append(f"SMS_BACKEND is {SMS_BACKEND}, which prints or keeps texts: leave it unset for Twilio.")
    elif SMS_BACKEND.endswith(".TwilioSmsBackend") and not (
        TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN and (TWILIO_FROM_NUMBER or TWILIO_MESSAGING_SERVICE_SID)
    ):
        problems.append(
            "Text messages go through Twilio: set TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM_NUMBER "
            "(or TWILIO_MESSAGING_SERVICE_SID)."
        )
    base = urlsplit(PORTAL_BASE_URL)
    if not PORTAL_BASE_URL:
        problems.append(
            "PORTAL_BASE_URL is not set: set it to the portal's public address, e.g. https://portal.example.org "
            "(it starts every emailed and printed patient link)."
        )
    elif base.scheme not in ("http", "https") or not base.hostname or base.query or base.fragment:
        problems.append(f"PORTAL_BASE_URL must be an address like https://portal.example.org, not {PORTAL_BASE_URL!r}.")
    return problems


if not DEBUG and (_problems := production_problems()):
    raise ImproperlyConfigured(
        "The portal cannot start in production (DJANGO_DEBUG is off):\n- " + "\n- ".join(_problems)
    )

# Logs never carry link tokens (portal.logging.RedactTokensFilter) nor patient names.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_tokens": {"()": "portal.logging.RedactTokensFilter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["redact_tokens"]},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
