FROM python:3.11-slim-bookworm

# The container's folders. docker-compose.yml sets the same values (over anything .env holds)
# and mounts volumes on them; tests/portal/test_compose.py checks the two agree.
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    VAR_DIR=/srv/var STATIC_ROOT=/srv/static PRIVATE_MEDIA_ROOT=/srv/private

RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core postgresql-client \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --create-home --uid 1000 portal

WORKDIR /app
COPY requirements/base.txt requirements/base.txt
RUN pip install --no-cache-dir -r requirements/base.txt
COPY . .
RUN SECRET_KEY=collectstatic-only DEBUG=false python manage.py collectstatic --no-input \
 && mkdir -p /srv/var/backups /srv/private /srv/backups && chown -R portal /srv

USER portal
EXPOSE 8000
# Bind address, workers and headers: gunicorn.conf.py.
CMD ["gunicorn", "dit_portal.wsgi:application"]
