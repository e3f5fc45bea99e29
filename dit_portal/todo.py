"""The to-do panel on the admin home: what is waiting for the person signed in.

The panel is built from a list of line providers. Each app registers its own in its
admin module with `@todo.line_provider`; a provider takes the request and returns the lines
its user may see (it checks the user's permissions itself), or none. dit_portal imports no
app, so a new kind of work (failed e-mails, say) is one more provider in the app that
knows about it.

Counts stay cheap on big tables: a count reads at most CAP + 1 matching rows (`capped_count`)
and the panel shows "100+" beyond that. A line that cannot be counted cheaply has no count,
only its link."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.http import urlencode

from .admin_hooks import needs_attention

CAP = 100

PROVIDERS = []


@dataclass(frozen=True)
class TodoLine:
    label: str
    url: str
    count: int | None = None
    detail: str = ""

    @property
    def shown_count(self):
        if self.count is None:
            return ""
        return f"{CAP}+" if self.count > CAP else str(self.count)


def line_provider(provider):
    """Register `provider(request) -> iterable of TodoLine` for the panel."""
    PROVIDERS.append(provider)
    return provider


def capped_count(queryset):
    """How many rows match, reading at most CAP + 1 of them (one query)."""
    return queryset.order_by()[: CAP + 1].count()


def changelist(model, **filters):
    """The admin list of `model`, filtered as the line counts."""
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    return f"{url}?{urlencode(filters)}" if filters else url


def may_view(request, model):
    return request.user.has_perm(f"{model._meta.app_label}.view_{model._meta.model_name}")


def lines_for(request):
    """Every line the signed-in user may see: first what went wrong and needs a person (a
    failed e-mail, a reminder or certificate batch a killed worker left, see
    admin_hooks.needs_attention), then the providers' lines in the order they registered."""
    faults = [TodoLine(label=message, url=url) for message, url in needs_attention(request)]
    return faults + [line for provider in PROVIDERS for line in (provider(request) or ())]
