# claims_api: the API served by gunicorn, production settings.
# Runtime configuration (SECRET_KEY, DATABASE_URL, ALLOWED_HOSTS, ...) comes from
# the environment at run time; see docker-compose.yml.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=claims_api.settings.production

WORKDIR /app

# Dependencies first, so a code change does not reinstall them.
COPY requirements.txt ./
RUN pip install -r requirements.txt

COPY . .

# Production settings refuse to load without a long SECRET_KEY, so collectstatic
# gets a throwaway one for this step only; it is not kept in the image.
RUN SECRET_KEY=build-time-only-dummy-key-for-collectstatic-never-used-at-run-time \
    python manage.py collectstatic --no-input \
 && chmod +x docker/entrypoint.sh

RUN useradd --system --uid 10001 --user-group --no-create-home --home-dir /app app
USER app

EXPOSE 8000
CMD ["gunicorn", "claims_api.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "2", "--access-logfile", "-", "--no-control-socket"]
