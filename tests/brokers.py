"""Pointing the Celery app (producer and worker) at another broker for one test."""

from contextlib import contextmanager

from dit_portal.celery import app as celery_app


def _drop_connections():
    celery_app._after_fork()


@contextmanager
def celery_broker(url):
    previous = celery_app.conf.broker_url
    celery_app.conf.broker_url = url
    _drop_connections()
    try:
        yield celery_app
    finally:
        celery_app.conf.broker_url = previous
        _drop_connections()
