from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied
from django.db import transaction

from dit_portal.audit import log_action

from .models import CredentialEvent, HeldCredential, User


class HeldCredentialInline(admin.TabularInline):
    model = HeldCredential
    extra = 0
    fields = ["kind", "status", "accredited_on"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


# What only a superuser may change on someone's account: what they log in with, whether
# they can log in at all, and what they may do. People change their own e-mail address and
# password through the verified account pages.
ACCOUNT_CONTROL_FIELDS = ["email", "password", "is_active", "is_staff", "is_superuser", "groups", "user_permissions"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "is_active", "date_joined", "last_login"]
    list_filter = ["is_active", "is_superuser", "groups"]
    search_fields = ["email", "full_name"]
    readonly_fields = ["last_login", "date_joined"]
    inlines = [HeldCredentialInline]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Personal details", {"fields": ["full_name"]}),
        ("Roles and access", {"fields": ["is_active", "groups", "is_staff", "is_superuser", "user_permissions"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "full_name", "password1", "password2"]})]

    def has_change_permission(self, request, obj=None):
        """Only a superuser may edit a superuser's account."""
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def user_change_password(self, request, id, form_url=""):
        """Passwords are reset by their owners; only superusers may set one here."""
        if not request.user.is_superuser:
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += [name for name in ACCOUNT_CONTROL_FIELDS if name not in fields]
        return fields

    def save_model(self, request, obj, form, change):
        """Admin edits of an account are audit-logged with the fields they changed."""
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            if change and form.changed_data:
                changed = {
                    name: {"old": str(form.initial.get(name)), "new": str(form.cleaned_data.get(name))}
                    for name in form.changed_data
                }
                log_action(obj, "members.user.changed_in_admin", user=request.user, data={"changed": changed})


class CredentialEventInline(admin.TabularInline):
    model = CredentialEvent
    extra = 0
    readonly_fields = ["created_at", "from_status", "to_status", "by", "note"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(HeldCredential)
class HeldCredentialAdmin(admin.ModelAdmin):
    list_display = ["holder", "kind", "status", "accredited_on", "updated_at"]
    list_filter = ["kind", "status"]
    search_fields = ["holder__email", "holder__full_name"]
    list_select_related = ["holder"]
    readonly_fields = ["holder", "kind", "status", "accredited_on"]
    inlines = [CredentialEventInline]

    def has_add_permission(self, request):
        return False
