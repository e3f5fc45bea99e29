"""gunicorn's settings (it reads ./gunicorn.conf.py by itself): the web service of the
Dockerfile and docker-compose.yml."""

import os

from gunicorn.http import wsgi

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
# Threaded workers (gthread): a long streamed CSV export is not cut by the sync worker's
# 30-second timeout.
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
accesslog = "-"

# gunicorn names itself in a Server header on every response and has no setting to stop
# it; the name and version only help an attacker pick exploits, so the header is dropped.
_default_headers = wsgi.Response.default_headers


def _headers_without_server(response):
    return [header for header in _default_headers(response) if not header.lower().startswith("server:")]


wsgi.Response.default_headers = _headers_without_server
