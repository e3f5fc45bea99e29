import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dit_portal.settings")

app = Celery("dit_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
