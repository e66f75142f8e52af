"""Settings shared by every environment; each value a deployment may change comes from the environment."""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent
FIXTURES_DIR = BASE_DIR / "fixtures"

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/claims_api"


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false), not {value!r}.")


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


SECRET_KEY = os.environ.get("SECRET_KEY", "")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.humanize",
    "rest_framework",
    "knox",
    "django_filters",
    "corsheaders",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "simple_history",
    "apps.core",
    "apps.accounts",
    "apps.countries",
    "apps.actors",
    "apps.sources",
    "apps.claims",
    "apps.intake",
    "apps.reading",
    "apps.comparisons",
]

MIDDLEWARE = [
    # First, so that every answer under /api/, refusals included, carries the CORS headers.
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Oversized bodies (413), NUL or non-UTF-8 bytes in the query string (400), before anything reads them.
    "apps.core.middleware.RequestGuardMiddleware",
    # Outside the next one, so that a 304 carries the Cache-Control it would have had as a 200.
    "apps.core.middleware.ConditionalGetMiddleware",
    "apps.core.middleware.ApiResponseHeadersMiddleware",
    "apps.core.middleware.PageResponseHeadersMiddleware",
    # Chooses the database that serves this request's reads: a replica, or the primary.
    "claims_api.replicas.ReplicaMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Answers an anonymous GET whose answer is kept (apps/core/api/caching.py) before anything below runs;
    # inside the replica's choice (it reads the data version there) and the middlewares that add headers.
    "apps.core.api.caching.ResponseCacheMiddleware",
    # APPEND_SLASH with a 308 that keeps the method; after the static files, which never need a slash.
    "apps.core.middleware.TrailingSlashMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Records the requesting user on every history row (DRF sets request.user on token auth).
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Turns a locked-out admin login into a 429 page; django-axes wants it last.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "claims_api.urls"
WSGI_APPLICATION = "claims_api.wsgi.application"

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

# A new connection costs its first requests more than the connect: its server process faults in
# every page of the shared buffers it touches (a search page: about 11 ms more on the benchmark's
# million claims). Health checks catch a broken connection before a request uses it, so workers
# keep theirs for ten minutes rather than one.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL,
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "600")),
        conn_health_checks=True,
    )
}
# Fail fast (503) rather than hang when the database host does not answer.
DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
# Behind PgBouncer in transaction mode a connection may change server between transactions:
# a server-side cursor (QuerySet.iterator) would be lost with it.
if env_bool("DATABASE_TRANSACTION_POOLING", False):
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True

# Read replicas (streaming standbys of the primary): reads go to them, writes to the primary;
# see claims_api/replicas.py. Each gets the primary's connection options.
for _index, _url in enumerate(env_list("DATABASE_REPLICA_URLS", [])):
    DATABASES[f"replica_{_index}"] = {
        **dj_database_url.parse(_url, conn_max_age=DATABASES["default"]["CONN_MAX_AGE"], conn_health_checks=True),
        "OPTIONS": dict(DATABASES["default"]["OPTIONS"]),
        "TEST": {"MIRROR": "default"},
    }
DATABASE_ROUTERS = ["claims_api.replicas.ReplicaRouter"]
# A client that wrote reads from the primary for this long, so it sees its own writes at once.
READ_YOUR_WRITES_SECONDS = float(os.environ.get("READ_YOUR_WRITES_SECONDS", "10"))
# A replica further behind than this is skipped until it catches up.
REPLICA_MAX_LAG_SECONDS = float(os.environ.get("REPLICA_MAX_LAG_SECONDS", "5"))
# How often each app process re-measures a replica's lag.
REPLICA_CHECK_SECONDS = float(os.environ.get("REPLICA_CHECK_SECONDS", "1"))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# One cache for the anonymous response cache (apps/core/api/caching.py) and the throttling
# counters: Redis when REDIS_URL is set, shared by every worker and server; otherwise this
# process's memory. A Redis outage degrades to no caching and no throttling, not to errors.
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "claims_api"),
            "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "claims_api"}}
# How long an anonymous answer is kept; 0 turns the response cache off. Entries cannot go
# stale (each is reused only at the data version it was read at, by the code that rendered it),
# so this only bounds the memory they use.
RESPONSE_CACHE_SECONDS = int(os.environ.get("RESPONSE_CACHE_SECONDS", "300"))

# Admin logins: after AXES_FAILURE_LIMIT failures for one username from one address, that pair
# is locked out for AXES_COOLOFF_TIME (429). Counted in the database, so across all workers.
AUTHENTICATION_BACKENDS = [
    "apps.core.auth.LoginLockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("LOGIN_COOLOFF_MINUTES", "15")) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "apps.core.auth.client_ip"
AXES_VERBOSE = False  # no start-up banner on every manage.py command

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Where collectstatic puts the files whitenoise serves (read once, when the server starts).
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or BASE_DIR / ".data" / "static")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# History (django-simple-history) is read-only in the admin: a revert would bypass
# the services that validate claims and anchor quotes.
SIMPLE_HISTORY_REVERT_DISABLED = True
# A decision's reason (a rejection, a superuser's override) is kept whole, however long.
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

# Request bodies larger than this are refused with 413 before any parsing.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# Except a document uploaded on the admin's intake page (apps/intake), up to this size.
DOCUMENT_MAX_BYTES = 5 * 1024 * 1024
DOCUMENT_INTAKE_PATH = "/admin/intake/"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "apps.accounts.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["apps.core.api.permissions.CuratorWriteOrReadOnly"],
    "DEFAULT_FILTER_BACKENDS": [
        "apps.core.api.filtering.QueryFilterBackend",
        "apps.core.api.ordering.StrictOrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "apps.core.api.pagination.KeysetPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_RENDERER_CLASSES": ["apps.core.api.renderers.FastJSONRenderer"],
    # One format for list pages (rendered by PostgreSQL) and detail responses alike.
    "DATETIME_FORMAT": "%Y-%m-%dT%H:%M:%S.%fZ",
    "DEFAULT_PARSER_CLASSES": ["apps.core.api.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "apps.core.api.schema.ClaimsAutoSchema",
    "EXCEPTION_HANDLER": "apps.core.api.errors.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "apps.core.api.throttling.AnonRateThrottle",
        "apps.core.api.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("THROTTLE_ANON", "120/minute"),
        "user": os.environ.get("THROTTLE_USER", "1200/minute"),
    },
    # Proxies in front of the app: 0 trusts only REMOTE_ADDR, so X-Forwarded-For cannot dodge the throttle.
    "NUM_PROXIES": int(os.environ.get("NUM_PROXIES", "0")),
    "DEFAULT_VERSIONING_CLASS": None,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
# The throttles' counters (django-ratelimit, in the default cache): when the cache cannot be reached, requests
# go unthrottled rather than refused.
RATELIMIT_FAIL_OPEN = True

# API tokens (django-rest-knox): `Authorization: Token …`, stored as SHA-512 hashes, expiring.
REST_KNOX = {
    "TOKEN_TTL": timedelta(days=int(os.environ.get("API_TOKEN_TTL_DAYS", "90"))),
    "AUTH_HEADER_PREFIX": "Token",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "claims_api",
    "DESCRIPTION": (
        "Sourced, structured geopolitical claims: who claimed what, where, when, with which "
        "numbers, and on what evidence. Every claim is anchored to a verbatim passage of its source.\n\n"
        "Lists and exports refuse a query parameter they do not take, rather than ignore it: `?contry=UA` "
        "is a 400 problem document whose error names `contry` (`in: query`, code `unknown_parameter`) "
        "and suggests the closest known name (did you mean `country`?). Each list takes the parameters its "
        "operation lists (its filters, `ordering`, the pagination's `cursor`, `page_size` and `count`) "
        "and `format=json`.\n\n"
        "Paths other than the exports' file names end with a slash; one sent without it is answered "
        "308 Permanent Redirect to it, which a client follows with the same method and body."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "COMPONENT_NO_READ_ONLY_REQUIRED": False,
    # Stable enum component names, chosen for generated clients.
    "ENUM_NAME_OVERRIDES": {
        "ClaimKindEnum": "apps.claims.kinds.ClaimKind",
        "ClaimStatusEnum": "apps.claims.kinds.ClaimStatus",
        "ClaimStanceEnum": "apps.claims.kinds.ClaimStance",
        "ReviewStatusEnum": "apps.claims.models.ReviewStatus",
        "ConfidenceEnum": "apps.claims.models.Confidence",
        "RelationTypeEnum": "apps.claims.models.RelationType",
        "ChangeActionEnum": "apps.claims.models.ChangeAction",
        "QuantityQualifierEnum": "apps.claims.quantities.QuantityQualifier",
        "QuantityUnitEnum": "apps.claims.quantities.QuantityUnit",
        "DatePrecisionEnum": "apps.core.dates.DatePrecision",
        "PublicationPrecisionEnum": "apps.sources.models.PublicationPrecision",
        "ActorKindEnum": "apps.actors.models.ActorKind",
        "SourceKindEnum": "apps.sources.models.SourceKind",
        "ErrorLocationEnum": "apps.core.api.errors.ErrorLocation",
        "VerdictEnum": "apps.comparisons.verdicts.Verdict",
        "ComparisonRuleEnum": "apps.comparisons.verdicts.ComparisonRule",
        "AgreementEnum": "apps.comparisons.selectors.Agreement",
        "AsOfRuleEnum": "apps.sources.publication.AsOfRule",
    },
    "ENUM_ADD_EXPLICIT_BLANK_NULL_CHOICE": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "apps.core.api.sparse.sparse_fields_postprocessing_hook",
        "apps.core.api.schema.require_response_fields",
    ],
}

# HTTP caching of API reads. Anonymous clients all see the same published data, so shared
# caches may keep it this many seconds; answers to authenticated requests are private.
API_CACHE_MAX_AGE = int(os.environ.get("API_CACHE_MAX_AGE", "60"))

# Browsers on other origins may read the API anonymously: reads only, never with the
# visitor's cookies. CORS_ALLOWED_ORIGINS lists the origins ("*", the default, allows any).
_cors_origins = env_list("CORS_ALLOWED_ORIGINS", ["*"])
CORS_ALLOW_ALL_ORIGINS = _cors_origins == ["*"]
CORS_ALLOWED_ORIGINS = [] if CORS_ALLOW_ALL_ORIGINS else _cors_origins
CORS_URLS_REGEX = r"^/api/"
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_ALLOW_CREDENTIALS = False
CORS_ALLOW_HEADERS = ["accept", "if-none-match", "if-modified-since"]
CORS_EXPOSE_HEADERS = ["ETag", "Last-Modified", "RateLimit", "RateLimit-Policy", "Retry-After", "Changes-Since"]
CORS_PREFLIGHT_MAX_AGE = 86400

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}
