import os

from django.core.wsgi import get_wsgi_application

from scripts.database import use_for_development

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "claims_api.settings.production")
use_for_development()

application = get_wsgi_application()
