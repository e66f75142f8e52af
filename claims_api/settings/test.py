"""Test runs: the real PostgreSQL, a fast password hasher, no throttling surprises."""

import os

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "test-only-secret-key"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Throttling stays on (it is part of the product) but far above what the suite sends.
# A test that measures throttling itself sets its own rates.
REST_FRAMEWORK = {  # noqa: F405
    **REST_FRAMEWORK,  # noqa: F405
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("THROTTLE_ANON", "100000/minute"),
        "user": os.environ.get("THROTTLE_USER", "100000/minute"),
    },
}
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
# Serve static files (admin, Swagger UI, Redoc) straight from the apps, without collectstatic.
WHITENOISE_USE_FINDERS = True

# Without collectstatic there is no STATIC_ROOT to serve from (and whitenoise would warn on every start).
STATIC_ROOT = os.environ.get("STATIC_ROOT") or None
