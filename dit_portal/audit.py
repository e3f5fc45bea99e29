"""The audit log every state change writes to, by an explicit call from its service."""

import json

from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder

from .models import AuditEntry


def _json_safe(data):
    return json.loads(json.dumps(data or {}, cls=DjangoJSONEncoder))


def _actor(user):
    return None if user is not None and not user.is_authenticated else user


def log_action(obj, action, *, user=None, data=None):
    """Record `action` (namespaced: "app.model.verb") on `obj` by `user` (None: the system)."""
    return AuditEntry.objects.create(
        actor=_actor(user),
        action=action,
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
        object_id=str(obj.pk),
        object_repr=str(obj)[:255],
        data=_json_safe(data),
    )


def log_actions(actions, *, user=None):
    """Record many actions by `user` in one insert: `actions` yields (obj, action, data),
    each entry the same as `log_action` would write. For services that change rows in bulk
    (the register import); returns the entries."""
    user = _actor(user)
    actor_id = user.pk if user is not None else None
    type_ids, entries = {}, []
    for obj, action, data in actions:
        model = type(obj)
        if model not in type_ids:
            type_ids[model] = ContentType.objects.get_for_model(obj, for_concrete_model=False).pk
        entries.append(
            AuditEntry(
                actor_id=actor_id,
                action=action,
                content_type_id=type_ids[model],
                object_id=str(obj.pk),
                object_repr=str(obj)[:255],
                data=_json_safe(data),
            )
        )
    return AuditEntry.objects.bulk_create(entries)


def entries_for(obj):
    return AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
        object_id=str(obj.pk),
    ).select_related("actor")
