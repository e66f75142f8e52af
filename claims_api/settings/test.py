"""Test runs: the real PostgreSQL, a fast password hasher, no throttling surprises."""

import os

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "test-only-secret-key"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Throttling stays on (it is part of the product) but far above what the suite sends.
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "100000/minute", "user": "100000/minute"}}  # noqa: F405
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
# Serve static files (admin, Swagger UI, Redoc) straight from the apps, without collectstatic.
WHITENOISE_USE_FINDERS = True

# Without collectstatic there is no STATIC_ROOT to serve from (and whitenoise would warn on every start).
STATIC_ROOT = os.environ.get("STATIC_ROOT") or None
