"""Settings for the DIT portal, read from the environment only.

With nothing set, the portal runs on the embedded defaults for local use: SQLite,
Celery tasks executed eagerly without a broker, e-mail printed to the console and
private uploads under var/. Production and CI set DATABASE_URL, REDIS_URL and the rest;
`.env.example` documents every variable.
"""

import os
import tempfile
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# Embedded defaults: with no DATABASE_URL the portal is a local checkout on SQLite, where
# DEBUG defaults on; any deployment names its database, and there DEBUG defaults off.
DATABASE_URL = os.environ.get("DATABASE_URL", "")
DEBUG = env_bool("DEBUG", default=not DATABASE_URL)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "insecure-local-development-key-never-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# The portal's public address for links in e-mails; required when DEBUG is off (a system
# check says so). Serving locally with DEBUG on, links follow the address being served.
SITE_URL = os.environ.get("SITE_URL", "").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "dit_portal.apps.PortalAdminConfig",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_celery_beat",
    "dit_portal",
    "members",
    "trainings",
    "supervision",
    "accreditation",
    "django_countries",
    "providers",
    "reading_list",
    "certificates",
    # Reminders read the rules of the apps above; nothing imports it.
    "reminders",
]

MIDDLEWARE = [
    # Bodies over the URL's limit are refused before anything reads them (dit_portal/limits.py).
    "dit_portal.limits.RequestBodyLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Security headers and staff sessions (see the security block below).
    "csp.middleware.CSPMiddleware",
    "dit_portal.middleware.PermissionsPolicyMiddleware",
    "members.middleware.StaffIdleTimeoutMiddleware",
    "dit_portal.site.ServedAddressMiddleware",
]

ROOT_URLCONF = "dit_portal.urls"
WSGI_APPLICATION = "dit_portal.wsgi.application"

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
                "dit_portal.context_processors.portal",
                "members.context_processors.menu",
            ],
        },
    },
]

# Database: PostgreSQL through DATABASE_URL; SQLite under var/ when unset.
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # PostgreSQL's JIT compiles a query whose estimated cost is high, which on the portal's
        # short queries costs far more than it saves: 350 ms to compile a query that runs in
        # 1 ms (measured by `make bench` on the supervisees list). Off for the portal's sessions.
        DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "db.sqlite3",
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache and Celery: Redis through REDIS_URL; local memory and eager tasks when unset.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            # Redis, falling back to a per-process cache while Redis is down (dit_portal/cache.py).
            "BACKEND": "dit_portal.cache.FallbackRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "dit"),
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    CELERY_BROKER_URL = REDIS_URL
    CELERY_TASK_ALWAYS_EAGER = False
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CELERY_BROKER_URL = "memory://"
    CELERY_TASK_ALWAYS_EAGER = True
    CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = "Europe/London"
# django-celery-beat's database schedule, touching a heartbeat file on every tick for the
# beat container's healthcheck (dit_portal/beat.py).
CELERY_BEAT_SCHEDULER = "dit_portal.beat:HeartbeatScheduler"
BEAT_HEARTBEAT_FILE = Path(
    os.environ.get("BEAT_HEARTBEAT_FILE", Path(tempfile.gettempdir()) / "dit-portal-beat-heartbeat")
)
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Redelivery, chosen deliberately: a task is acknowledged after it ran (acks late), and a task
# whose worker was killed is handed back to the broker at once (reject on worker lost) rather
# than after Redis's visibility timeout. Every task is safe to run twice: e-mails are claimed
# in the outbox, reminders by their unique row, a certificate batch counts what it issued.
# The visibility timeout is the backstop for a worker host that vanished with its tasks.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "900"))}
# A request hands work to the broker after its commit; with the broker down it gives up
# within a second (the outbox and the sweeps pick the work up) instead of hanging.
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
# Periodic jobs; django-celery-beat copies these into its database schedule at start.
CELERY_BEAT_SCHEDULE = {
    "trainings-expire-overdue-offers": {"task": "trainings.tasks.expire_overdue_offers", "schedule": 15 * 60},
    "portal-delete-expired-files": {"task": "dit_portal.tasks.delete_expired_files", "schedule": 24 * 60 * 60},
    # D7: in January, the yearly maintenance check of the year before.
    "accreditation-yearly-maintenance": {
        "task": "accreditation.tasks.check_maintenance",
        "schedule": crontab(minute=0, hour=6, day_of_month=5, month_of_year=1),
    },
    # Once a day at 07:30; the task claims the day, so a repeat run sends nothing.
    "trainings-application-digest": {
        "task": "trainings.tasks.send_application_digest",
        "schedule": crontab(hour=7, minute=30),
    },
    # Who is ready to accredit, for the queue's "ready now" filter and the admin home.
    "accreditation-ready-to-accredit": {"task": "accreditation.tasks.check_ready_to_accredit", "schedule": 15 * 60},
    "providers-mark-overdue-invoices": {"task": "providers.tasks.mark_overdue_invoices", "schedule": 6 * 60 * 60},
    # The e-mail outbox: sends what no worker took (broker down), retries, reports stuck rows.
    "portal-send-pending-emails": {"task": "dit_portal.tasks.send_pending_emails", "schedule": 60},
}
# The e-mail outbox (dit_portal/outbox.py): attempts before an e-mail is failed (retried after
# 1, 2, 4, ... minutes), and how long a sent e-mail is kept.
OUTBOX_MAX_ATTEMPTS = int(os.environ.get("OUTBOX_MAX_ATTEMPTS", "8"))
OUTBOX_KEEP_SENT_DAYS = int(os.environ.get("OUTBOX_KEEP_SENT_DAYS", "30"))

# Authentication: e-mail login through django-allauth.
AUTH_USER_MODEL = "members.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "members:home"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SIGNUP_FORM_CLASS = "members.forms.SignupDetailsForm"
ACCOUNT_FORMS = {
    "reset_password": "members.account_forms.VerifiedAddressResetPasswordForm",
    "signup": "members.account_forms.EvenSignupForm",
}
# Adding or changing an e-mail address, and changing the second factor, first ask for the
# password (or a code) again; changing the password asks for the current one.
ACCOUNT_REAUTHENTICATION_REQUIRED = True
MFA_REAUTHENTICATION_REQUIRED = True
ACCOUNT_ADAPTER = "members.adapters.AccountAdapter"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[DIT portal] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if not DEBUG else "http"
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "request_login_code": "20/m/ip,3/m/key",
    "change_password": "5/m/user",
    # The contact page (members.views.contact), through allauth's limiter and its proxy settings.
    "contact": "5/h/ip",
}
# Rate limits count per client address. Behind a TLS proxy every request comes from the
# proxy, so allauth must read the client from X-Forwarded-For: this many proxies (that
# each append to it) are trusted. 0, the default, ignores the header, which anyone can forge.
ALLAUTH_TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "DIT portal"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# E-mail: SMTP when EMAIL_HOST is set, the console otherwise.
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "DIT portal <no-reply@dit-portal.example>")
SERVER_EMAIL = os.environ.get("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
# django-allauth's Title Case labels in the portal's sentence case and words (locale/make_sentence_case.py).
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Private files are readable by the portal's own user only (0600, folders 0700).
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": str(Path(os.environ.get("PRIVATE_MEDIA_ROOT", VAR_DIR / "private"))),
            "file_permissions_mode": 0o600,
            "directory_permissions_mode": 0o700,
        },
    },
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Uploads: the largest evidence file accepted, and the request size Django will read.
MAX_UPLOAD_SIZE = int(os.environ.get("MAX_UPLOAD_SIZE", str(10 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_UPLOAD_SIZE + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# The largest request body a URL takes, refused with 413 before it is read: a plain form; a
# view taking files adds MAX_UPLOAD_SIZE per file it takes; the admin (imports, resources).
REQUEST_BODY_LIMIT = int(os.environ.get("REQUEST_BODY_LIMIT", str(2 * 1024 * 1024)))
ADMIN_REQUEST_BODY_LIMIT = int(
    os.environ.get("ADMIN_REQUEST_BODY_LIMIT", str(2 * MAX_UPLOAD_SIZE + REQUEST_BODY_LIMIT))
)
# Where `manage.py backup` writes its archives unless told otherwise.
BACKUP_DIR = Path(os.environ.get("BACKUP_DIR", VAR_DIR / "backups"))
# The key that signs a backup's manifest (HMAC-SHA256); a restore refuses an archive not
# signed with it unless told --insecure. Keep it apart from the backups.
BACKUP_KEY = os.environ.get("BACKUP_KEY", "")
# How long uploaded files are kept, in days, by retention class (see dit_portal/retention.py):
# application evidence, and assessed work such as case studies.
FILE_RETENTION_DAYS = {
    "evidence": int(os.environ.get("RETENTION_DAYS_EVIDENCE", str(2 * 365))),
    "assessed_work": int(os.environ.get("RETENTION_DAYS_ASSESSED_WORK", str(6 * 365))),
}
# Certificates: how often one address may check a certificate code (django-ratelimit, on the cache).
CERTIFICATE_VERIFICATION_RATE = os.environ.get("CERTIFICATE_VERIFICATION_RATE", "20/m")
# The public register of accredited practitioners: how often one address may search it.
REGISTER_SEARCH_RATE = os.environ.get("REGISTER_SEARCH_RATE", "30/m")
# Signed Open Badges credentials (dit_portal/openbadges.py; README "Signed credentials"): the
# Ed25519 private key as PEM text, or the path of a PEM file, never in the repository; and
# the path of a file of retired public keys (PEM, one after another) still published so
# credentials signed before a rotation keep verifying.
CREDENTIAL_SIGNING_KEY = os.environ.get("CREDENTIAL_SIGNING_KEY", "")
CREDENTIAL_SIGNING_KEY_FILE = os.environ.get("CREDENTIAL_SIGNING_KEY_FILE", "")
CREDENTIAL_RETIRED_KEYS_FILE = os.environ.get("CREDENTIAL_RETIRED_KEYS_FILE", "")
# What each person's uploads may add up to (evidence and every other private file).
PRIVATE_STORAGE_QUOTA = int(os.environ.get("PRIVATE_STORAGE_QUOTA", str(100 * 1024 * 1024)))
# Structural checks of uploads (dit_portal/files.py): an Office document may unpack to at
# most this much, and to at most this many times its own size (zip bombs); a PDF is walked
# up to this many objects; a picture may have at most this many pixels.
OFFICE_MAX_UNPACKED_SIZE = 50 * 1024 * 1024
OFFICE_MAX_COMPRESSION_RATIO = 100
OFFICE_MAX_PARTS = 2000
PDF_MAX_OBJECTS = 100_000
IMAGE_MAX_PIXELS = 40_000_000
# In production the web server sends private files (X-Accel-Redirect); the view decides.
PRIVATE_MEDIA_ACCEL_PREFIX = os.environ.get("PRIVATE_MEDIA_ACCEL_PREFIX", "")

# Security: strict by default; local runs relax only what plain HTTP requires.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Over HTTPS the cookies carry the __Host- prefix: the browser then keeps them to this host
# (no Domain), path / and Secure, so a sibling subdomain cannot set or shadow them.
SESSION_COOKIE_NAME = "__Host-sessionid" if SESSION_COOKIE_SECURE else "sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken" if CSRF_COOKIE_SECURE else "csrftoken"
# Staff sessions end after this many seconds without a request; members keep the normal
# session length (SESSION_COOKIE_AGE, two weeks).
STAFF_SESSION_IDLE_TIMEOUT = int(os.environ.get("STAFF_SESSION_IDLE_TIMEOUT", str(30 * 60)))

# Content-Security-Policy (django-csp): scripts and style sheets only from the portal's own
# static files, never inline; style attributes are allowed (they cannot run code, and
# url() in them is held to img-src). Images may be data: URIs (Bootstrap's icons).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
# Browser features the portal never uses, turned off for it and anything it embeds.
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), "
    "magnetometer=(), microphone=(), payment=(), usb=(), browsing-topics=()"
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # WeasyPrint narrates every rendering step at INFO.
    "loggers": {"weasyprint.progress": {"level": "WARNING"}},
}
