"""Plain admin edits join the one audit trail.

`AuditedAdminMixin` writes an audit entry for every add, change and delete made in the
admin (the change form, inlines, list_editable), with each changed field's old and new
value (pretix logs `form.changed_data` the same way). Fields that carry a rule are named in
`rule_fields`: read-only once the object exists, changed through an admin action or a
custom admin view that calls the app's service (which audits them itself).

The portal's admin site mixes this into every ModelAdmin registered on it, so a later app's
admins are audited without doing anything.
"""

from django.core.exceptions import FieldDoesNotExist
from django.core.files import File
from django.db import models
from django.db.models.fields.files import FieldFile

from .audit import log_action

# Values never copied into the log: it records that they changed, not what they became.
MASKED_FIELDS = {"password", "secret", "token", "key"}


def _plain(value):
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, FieldFile):
        return value.name or ""
    if isinstance(value, File):  # a file just uploaded: its name, not its bytes
        return value.name
    if isinstance(value, models.QuerySet | list | tuple | set):
        return sorted((_plain(item) for item in value), key=str)
    return value


def _model_field_names(form, obj):
    names = []
    for name in form.fields:
        try:
            obj._meta.get_field(name)
        except FieldDoesNotExist:
            continue  # a form-only field, e.g. the two password boxes of an add-user form
        names.append(name)
    return names


def _shown(name, value):
    return "(changed)" if name in MASKED_FIELDS else _plain(value)


def changed_fields(form, obj):
    """{field: {"old": value, "new": value}} for the model fields `form` changed."""
    changes = {}
    for name in _model_field_names(form, obj):
        if name not in form.changed_data:
            continue
        old, new = form.initial.get(name), form.cleaned_data.get(name)
        changes[name] = {"old": _shown(name, old), "new": _shown(name, new)}
    return changes


def given_fields(form, obj):
    return {name: _shown(name, form.cleaned_data.get(name)) for name in _model_field_names(form, obj)}


def _action(obj, verb):
    return f"{obj._meta.app_label}.{obj._meta.model_name}.{verb}_in_admin"


class AuditedAdminMixin:
    """Audit every admin edit; keep `rule_fields` read-only once the object exists."""

    rule_fields = ()

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            readonly += [name for name in self.rule_fields if name not in readonly]
        return readonly

    def save_model(self, request, obj, form, change):
        changes = changed_fields(form, obj) if change else None
        super().save_model(request, obj, form, change)
        if not change:
            log_action(obj, _action(obj, "added"), user=request.user, data={"fields": given_fields(form, obj)})
        elif changes:
            log_action(obj, _action(obj, "changed"), user=request.user, data={"changed": changes})

    def delete_model(self, request, obj):
        log_action(obj, _action(obj, "deleted"), user=request.user)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            log_action(obj, _action(obj, "deleted"), user=request.user)
        super().delete_queryset(request, queryset)

    def save_formset(self, request, form, formset, change):
        deleted, added, changed = [], [], []
        for inline_form in formset.forms:
            instance = inline_form.instance
            if inline_form in getattr(formset, "deleted_forms", []):
                if instance.pk is not None:
                    deleted.append(instance)
            elif inline_form.has_changed():
                if instance.pk is None or inline_form not in formset.initial_forms:
                    added.append(inline_form)
                else:
                    changed.append((inline_form, changed_fields(inline_form, instance)))
        for instance in deleted:
            log_action(instance, _action(instance, "deleted"), user=request.user, data={"in": str(form.instance)})
        super().save_formset(request, form, formset, change)
        for inline_form in added:
            instance = inline_form.instance
            if instance.pk is not None:
                log_action(
                    instance,
                    _action(instance, "added"),
                    user=request.user,
                    data={"in": str(form.instance), "fields": given_fields(inline_form, instance)},
                )
        for inline_form, changes in changed:
            if changes:
                log_action(
                    inline_form.instance,
                    _action(inline_form.instance, "changed"),
                    user=request.user,
                    data={"in": str(form.instance), "changed": changes},
                )


def audited(admin_class):
    """`admin_class` with AuditedAdminMixin first in line (itself if it has it already)."""
    if issubclass(admin_class, AuditedAdminMixin):
        return admin_class
    return type(admin_class.__name__, (AuditedAdminMixin, admin_class), {"__module__": admin_class.__module__})
