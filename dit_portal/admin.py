from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef

from . import outbox
from .models import AuditEntry, FrequentlyAskedQuestion, OutgoingEmail, Page
from .paginators import CheapCountPaginator


class RecordTypeFilter(admin.SimpleListFilter):
    """The kinds of record the log has entries about: the portal's own models only (not the
    framework's or a library's tables), and only those with at least one entry. One query:
    for each of the portal's few dozen content types, an EXISTS probe of the audit table's
    (content type, object) index, so its cost does not grow with the log, unlike a DISTINCT
    over every entry."""

    title = "record type"
    parameter_name = "type"

    def lookups(self, request, model_admin):
        logged = AuditEntry.objects.filter(content_type=OuterRef("pk"))
        types = ContentType.objects.filter(Exists(logged), app_label__in=own_app_labels()).order_by(
            "app_label", "model"
        )
        return [(str(content_type.pk), f"{content_type.app_label}: {content_type.name}") for content_type in types]

    def queryset(self, request, queryset):
        value = self.value()
        return queryset.filter(content_type_id=value) if value and value.isdigit() else queryset


def own_app_labels():
    """The portal's own apps: packages at the top of the project, not the framework or the
    libraries (the virtualenv may itself sit inside the project directory)."""
    base = Path(settings.BASE_DIR).resolve()
    return [config.label for config in apps.get_app_configs() if Path(config.path).resolve().parent == base]


class AuditSearchMixin:
    """One index-backed search, chosen by what was typed: an e-mail address (with "@") finds
    the actor's entries, a number an object's, anything else actions starting with it
    ("trainings.enrolment."). Never `%q%` over the whole log."""

    search_help_text = "An action or its start (trainings.enrolment.), an actor's e-mail address, or an object's id."

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        if "@" in term:
            actors = get_user_model().objects.filter(email__iexact=term).values("pk")
            return queryset.filter(actor__in=actors), False
        if term.isdigit():
            return queryset.filter(object_id=term), False
        return queryset.filter(action__startswith=term), False


@admin.register(AuditEntry)
class AuditEntryAdmin(AuditSearchMixin, admin.ModelAdmin):
    list_display = ["created_at", "action", "object_repr", "actor"]
    list_filter = [RecordTypeFilter]
    search_fields = ["action"]  # shows the search box; get_search_results does the search
    list_select_related = ["actor"]
    readonly_fields = [field.name for field in AuditEntry._meta.fields]
    show_full_result_count = False
    paginator = CheapCountPaginator

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Page)
class PageAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "is_published", "show_in_menu", "menu_order", "updated_at"]
    list_editable = ["is_published", "show_in_menu", "menu_order"]
    search_fields = ["title", "body"]
    prepopulated_fields = {"slug": ["title"]}


@admin.register(FrequentlyAskedQuestion)
class FrequentlyAskedQuestionAdmin(admin.ModelAdmin):
    list_display = ["question", "position", "is_published"]
    list_editable = ["position", "is_published"]
    search_fields = ["question", "answer"]


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(admin.ModelAdmin):
    """The e-mail outbox, read-only: coordinators see what failed and send it again (through
    the outbox service, which logs each)."""

    list_display = ["created_at", "subject", "recipients", "status", "attempts", "next_attempt_at", "sent_at"]
    list_filter = ["status"]
    search_fields = ["subject"]
    search_help_text = "The start of the subject."
    readonly_fields = [
        "created_at",
        "to",
        "reply_to",
        "subject",
        "status",
        "attempts",
        "next_attempt_at",
        "claimed_at",
        "sent_at",
        "last_error",
        "text",
    ]
    fields = readonly_fields
    actions = ["send_again"]
    show_full_result_count = False
    paginator = CheapCountPaginator

    @admin.display(description="to")
    def recipients(self, email):
        return ", ".join(email.to)

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        return (queryset.filter(subject__istartswith=term) if term else queryset), False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_resend_permission(self, request):
        return request.user.has_perm("portal.resend_outgoingemail")

    @admin.action(description="Send the selected failed e-mails again", permissions=["resend"])
    def send_again(self, request, queryset):
        try:
            resent = outbox.resend_emails(list(queryset), by=request.user)
        except outbox.OutboxError as error:
            self.message_user(request, error.message, messages.ERROR)
            return
        skipped = queryset.count() - resent
        note = f" {skipped} not failed, left as {'they are' if skipped != 1 else 'it is'}." if skipped else ""
        self.message_user(request, f"{resent} e-mail{'s' if resent != 1 else ''} queued to be sent again.{note}")
