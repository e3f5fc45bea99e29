"""Coordinators see the reminders sent (read-only) and pause reminders for a person; pausing
and lifting a pause go through the services, so each is audit-logged."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django_celery_beat.models import PeriodicTask

from dit_portal import todo
from members.search import PersonSearchMixin

from . import services
from .enums import ReminderStatus
from .models import Reminder, ReminderPause


def stale_claims_needing_attention(request):
    """For the admin index's to-do list: reminders left being sent by a run that stopped."""
    if not request.user.has_perm("reminders.view_reminder"):
        return []
    stale = services.stale_claims().count()
    if not stale:
        return []
    url = reverse("admin:reminders_reminder_changelist") + f"?status__exact={ReminderStatus.CLAIMED}"
    noun = "reminder was" if stale == 1 else "reminders were"
    return [(f"{stale} {noun} left being sent by a run that stopped: check and send again.", url)]


@admin.register(Reminder)
class ReminderAdmin(PersonSearchMixin, admin.ModelAdmin):
    list_display = ["claimed_at", "person", "kind", "period_key", "subject", "status", "attempts", "sent_at"]
    list_filter = ["status", "kind"]
    search_fields = ["person__email", "person__full_name", "=period_key"]
    person_search_fields = ["person"]
    prefix_search_fields = ["period_key"]
    list_select_related = ["person"]
    show_full_result_count = False
    readonly_fields = [
        "person",
        "kind",
        "period_key",
        "subject",
        "status",
        "attempts",
        "claimed_at",
        "sent_at",
        "last_error",
    ]
    fields = readonly_fields
    actions = ["send_again"]

    def has_add_permission(self, request):
        return False

    def has_release_permission(self, request):
        return request.user.has_perm("reminders.release_reminder")

    @admin.action(
        description="Send again on the next run (left being sent by a run that stopped)", permissions=["release"]
    )
    def send_again(self, request, queryset):
        try:
            released = services.release_stale_claims(list(queryset), by=request.user)
        except services.ReminderError as error:
            self.message_user(request, error.message, messages.ERROR)
            return
        skipped = queryset.count() - released
        note = f" {skipped} other{'s' if skipped != 1 else ''} left as they are." if skipped else ""
        self.message_user(
            request, f"{released} reminder{'s' if released != 1 else ''} will be sent on the next run.{note}"
        )

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ReminderPause)
class ReminderPauseAdmin(PersonSearchMixin, admin.ModelAdmin):
    list_display = ["person", "reason", "until", "paused_by", "created_at"]
    search_fields = ["person__email", "person__full_name"]
    person_search_fields = ["person"]
    list_select_related = ["person", "paused_by"]
    autocomplete_fields = ["person"]
    fields = ["person", "reason", "until"]

    def get_readonly_fields(self, request, obj=None):
        return ["person", "reason", "until", "paused_by", "created_at"] if obj else []

    def get_fields(self, request, obj=None):
        return ["person", "reason", "until", "paused_by", "created_at"] if obj else ["person", "reason", "until"]

    def has_change_permission(self, request, obj=None):
        # A pause is set or lifted, never edited; its page is read-only.
        return False

    def save_model(self, request, obj, form, change):
        if change:
            raise PermissionDenied
        try:
            pause = services.pause_reminders(obj.person, by=request.user, reason=obj.reason, until=obj.until)
        except services.ReminderError as error:
            self.message_user(request, error.message, messages.ERROR)
            raise PermissionDenied(error.message) from error
        obj.pk = pause.pk
        obj.paused_by = pause.paused_by
        obj.created_at = pause.created_at

    def delete_model(self, request, obj):
        services.resume_reminders(obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for pause in queryset:
            services.resume_reminders(pause, by=request.user)


REMINDERS_TASK = "reminders.tasks.send_due_reminders"


@todo.line_provider
def reminders_todo(request):
    if not todo.may_view(request, Reminder):
        return []
    stuck_before = timezone.now() - services.STALE_CLAIM
    lines = [
        todo.TodoLine(
            "reminders that failed (retried on the next run)",
            todo.changelist(Reminder, status__exact=ReminderStatus.FAILED),
            todo.capped_count(Reminder.objects.filter(status=ReminderStatus.FAILED)),
        ),
        todo.TodoLine(
            "reminders stuck being sent for over an hour",
            todo.changelist(Reminder, status__exact=ReminderStatus.CLAIMED),
            todo.capped_count(Reminder.objects.filter(status=ReminderStatus.CLAIMED, claimed_at__lt=stuck_before)),
        ),
    ]
    return lines + scheduled_job_lines()


def scheduled_job_lines():
    """The last run of each scheduled job, as the beat scheduler recorded it; for the
    reminders job also what its last run sent and failed (its claims share one token)."""
    lines = []
    for task in PeriodicTask.objects.filter(enabled=True).exclude(task="celery.backend_cleanup").order_by("name"):
        if task.last_run_at is None:
            detail = "not run yet"
        else:
            detail = f"last run {date_format(timezone.localtime(task.last_run_at), 'j M Y H:i')}"
        if task.task == REMINDERS_TASK:
            last = Reminder.objects.order_by("-claimed_at", "-id").values("claim_token").first()
            if last:
                run = Reminder.objects.filter(claim_token=last["claim_token"])
                sent = run.filter(status=ReminderStatus.SENT).count()
                failed = run.filter(status=ReminderStatus.FAILED).count()
                detail += f", {sent} sent, {failed} failed"
        lines.append(
            todo.TodoLine(f"scheduled job “{task.name}”", reverse("admin:reminders_reminder_changelist"), detail=detail)
        )
    return lines
