"""Local development: debug on, a fixed throwaway secret key."""

from .base import *  # noqa: F403
from .base import env_bool

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = SECRET_KEY or "development-only-secret-key-not-for-production"  # noqa: F405
