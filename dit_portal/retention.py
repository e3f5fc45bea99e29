"""Files kept only as long as they are needed.

A model lists its files under a retention class:
    RETAINED_FILES = {"evidence": ("uploaded_at", "evidence")}
(file field -> (the date it is counted from, retention class)). `FILE_RETENTION_DAYS` in
settings says how many days each class is kept (configurable per deployment). The daily job
deletes the files past their period in batches, blanks the field and writes one audit entry
per file; the row itself stays.
"""

import datetime

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .audit import log_action


def retained_files():
    """(model, file field, date field, retention class) for every model that declares some."""
    for model in apps.get_models():
        for field_name, (date_field, retention_class) in getattr(model, "RETAINED_FILES", {}).items():
            yield model, field_name, date_field, retention_class


def delete_expired_files(*, now=None, batch_size=500):
    """Delete every retained file older than its class's period; returns how many."""
    now = now or timezone.now()
    deleted = 0
    for model, field_name, date_field, retention_class in retained_files():
        days = settings.FILE_RETENTION_DAYS.get(retention_class)
        if days is None:
            continue
        cutoff = now - datetime.timedelta(days=days)
        while True:
            with transaction.atomic():
                rows = list(
                    model._default_manager.select_for_update(skip_locked=True)
                    .filter(**{f"{date_field}__lt": cutoff})
                    .exclude(**{field_name: ""})
                    .order_by("pk")[:batch_size]
                )
                if not rows:
                    break
                names = []
                for row in rows:
                    stored = getattr(row, field_name)
                    names.append((stored.storage, stored.name))
                    log_action(
                        row,
                        "portal.file.retention_deleted",
                        data={
                            "field": field_name,
                            "retention_class": retention_class,
                            "retention_days": days,
                            "counted_from": getattr(row, date_field),
                        },
                    )
                model._default_manager.filter(pk__in=[row.pk for row in rows]).update(**{field_name: ""})
                deleted += len(rows)

                def remove(names=names):
                    for storage, name in names:
                        storage.delete(name)

                transaction.on_commit(remove)
    return deleted
