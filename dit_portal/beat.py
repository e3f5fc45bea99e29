"""Celery beat's scheduler: django-celery-beat's database schedule (editable in the admin),
plus a heartbeat. Every tick (at least every 5 seconds) touches `BEAT_HEARTBEAT_FILE`; the
beat container's healthcheck (`python -m dit_portal.healthcheck beat`) reads its age, so a
beat that hangs or cannot reach its database turns unhealthy."""

from pathlib import Path

from django.conf import settings
from django_celery_beat.schedulers import DatabaseScheduler


class HeartbeatScheduler(DatabaseScheduler):
    def tick(self, *args, **kwargs):
        next_in = super().tick(*args, **kwargs)
        Path(settings.BEAT_HEARTBEAT_FILE).touch()
        return next_in
