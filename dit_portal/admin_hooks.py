"""Admin actions that a higher app adds to a lower app's ModelAdmin.

A lower app's ModelAdmin includes `HookedActionsMixin`; a higher app registers an action for
a model in its AppConfig.ready() with `add_admin_action(model, action)`. The lower app never
imports the higher one; the action calls the higher app's own services.

An action may set `required_permission` ("app_label.codename"): it is offered only to people
who have it.
"""

from django.contrib.admin.options import IS_POPUP_VAR

_actions = {}


def add_admin_action(model, action):
    registered = _actions.setdefault(model, [])
    if action not in registered:
        registered.append(action)


def admin_actions_for(model):
    return list(_actions.get(model, ()))


class HookedActionsMixin:
    """Adds the actions other apps registered for this ModelAdmin's model."""

    def get_actions(self, request):
        actions = super().get_actions(request)
        if self.actions is None or IS_POPUP_VAR in request.GET:
            return actions
        for action in admin_actions_for(self.model):
            permission = getattr(action, "required_permission", None)
            if permission and not request.user.has_perm(permission):
                continue
            func, name, description = self.get_action(action)
            actions[name] = (func, name, description)
        return actions


# Things that need a coordinator (the admin index's to-do list) ---------------------------
# An app registers `check(request) -> [(message, url), ...]` in its AppConfig.ready(): failed
# e-mails, reminders left being sent, a certificate batch that stopped. Each check runs one
# cheap query and shows only what the person may see.

_attention_checks = []


def add_attention_check(check):
    if check not in _attention_checks:
        _attention_checks.append(check)


def needs_attention(request):
    items = []
    for check in _attention_checks:
        items.extend(check(request) or ())
    return items
