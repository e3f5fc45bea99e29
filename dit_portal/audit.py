"""The audit log every state change writes to, by an explicit call from its service."""

import json

from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder

from .models import AuditEntry


def _json_safe(data):
    return json.loads(json.dumps(data or {}, cls=DjangoJSONEncoder))


def log_action(obj, action, *, user=None, data=None):
    """Record `action` (namespaced: "app.model.verb") on `obj` by `user` (None: the system)."""
    if user is not None and not user.is_authenticated:
        user = None
    return AuditEntry.objects.create(
        actor=user,
        action=action,
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
        object_id=str(obj.pk),
        object_repr=str(obj)[:255],
        data=_json_safe(data),
    )


def log_actions(entries, *, user=None):
    """`log_action` for many objects in one statement: `entries` are (obj, action, data)."""
    if user is not None and not user.is_authenticated:
        user = None
    return AuditEntry.objects.bulk_create(
        AuditEntry(
            actor=user,
            action=action,
            content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
            object_id=str(obj.pk),
            object_repr=str(obj)[:255],
            data=_json_safe(data),
        )
        for obj, action, data in entries
    )


def entries_for(obj):
    return AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
        object_id=str(obj.pk),
    ).select_related("actor")
