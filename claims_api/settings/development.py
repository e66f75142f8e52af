"""Local development: debug on, a fixed throwaway secret key."""

import os

from .base import *  # noqa: F403
from .base import env_bool

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = SECRET_KEY or "development-only-secret-key-not-for-production"  # noqa: F405

# runserver serves static files straight from the apps: no collectstatic, no manifest.
STATIC_ROOT = os.environ.get("STATIC_ROOT") or None
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
